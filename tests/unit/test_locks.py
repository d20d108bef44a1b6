"""The templates' dependency locks agree with their `.in` files and with each other.

Each template has `requirements.in` / `requirements-dev.in` (exact pins of what the project
uses) and the locks compiled from them, `requirements.txt` / `requirements-dev.txt`, with
hashes; `requirements-audit.in` / `.txt` lock CI's audit tool, which has an environment of its
own. That a lock compiles back to itself is checked with uv in tests/generated/test_locks.py;
these checks need no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FRAMEWORK_NAMES, TEMPLATES
from tests.unit.refresh_dependency_names import normalize

_ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")


@dataclass(frozen=True)
class Pin:
    """One package of a lock: its version and the hashes of its files."""

    version: str
    hashes: frozenset[str]


def _entries(text: str) -> list[str]:
    """The logical lines of a requirements file: continuations joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    lines = (line.strip() for line in joined.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _lock(path: Path) -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    for entry in _entries(path.read_text(encoding="utf-8")):
        match = _ENTRY.match(entry)
        assert match, f"{path.name}: not a pinned entry: {entry[:80]}"
        name = normalize(match.group(1))
        assert name not in pins, f"{path.name}: {name} appears twice"
        pins[name] = Pin(match.group(3), frozenset(_HASH.findall(entry)))
    return pins


def _in_pins(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for entry in _entries(path.read_text(encoding="utf-8")):
        if entry.startswith("-r "):
            pins.update(_in_pins(path.parent / entry.split(maxsplit=1)[1]))
            continue
        match = _ENTRY.match(entry)
        assert match, f"{path.name}: every line pins one exact version: {entry}"
        pins[normalize(match.group(1))] = match.group(3)
    return pins


@pytest.mark.parametrize("framework", FRAMEWORK_NAMES)
def test_every_locked_package_has_hashes_and_no_index_address(framework: str) -> None:
    for name in ("requirements.txt", "requirements-dev.txt", "requirements-audit.txt"):
        path = TEMPLATES / framework / name
        text = path.read_text(encoding="utf-8")
        assert "#    make lock\n" in text, f"{path.name} is not the output of `make lock`"
        assert not re.search(r"--(extra-)?index-url|--find-links|https?://", text), path.name
        unhashed = [pkg for pkg, pin in _lock(path).items() if not pin.hashes]
        assert not unhashed, f"{framework}/{name}: no hashes for {unhashed}"


@pytest.mark.parametrize("framework", FRAMEWORK_NAMES)
def test_runtime_and_dev_locks_agree_on_every_shared_package(framework: str) -> None:
    runtime = _lock(TEMPLATES / framework / "requirements.txt")
    dev = _lock(TEMPLATES / framework / "requirements-dev.txt")
    missing = sorted(set(runtime) - set(dev))
    assert not missing, f"{framework}: the dev lock lacks runtime packages {missing}"
    differ = {name: (pin.version, dev[name].version) for name, pin in runtime.items()
              if dev[name] != pin}  # fmt: skip
    assert not differ, f"{framework}: runtime and dev locks differ (version or hashes): {differ}"


@pytest.mark.parametrize(
    ("framework", "name"),
    [
        (fw, name)
        for fw in FRAMEWORK_NAMES
        for name in ("requirements", "requirements-dev", "requirements-audit")
    ],
)
def test_every_in_pin_is_locked_at_its_version(framework: str, name: str) -> None:
    wanted = _in_pins(TEMPLATES / framework / f"{name}.in")
    locked = _lock(TEMPLATES / framework / f"{name}.txt")
    wrong = {pkg: (version, locked[pkg].version if pkg in locked else None)
             for pkg, version in wanted.items()
             if pkg not in locked or locked[pkg].version != version}  # fmt: skip
    assert not wrong, f"{framework}/{name}: .in pin vs lock: {wrong} (run `make lock`)"


def test_templates_lock_every_shared_package_alike() -> None:
    """One version of each package across the three projects and their dev and audit locks."""
    seen: dict[str, tuple[str, Pin]] = {}
    differ = []
    for framework in FRAMEWORK_NAMES:
        for lock in ("requirements-dev.txt", "requirements-audit.txt"):
            where = f"{framework}/{lock}"
            for name, pin in _lock(TEMPLATES / framework / lock).items():
                first = seen.setdefault(name, (where, pin))
                if first[1] != pin:
                    differ.append(f"{name}: {first[0]} {first[1].version}, {where} {pin.version}")
    assert not differ, "the templates' locks differ:\n" + "\n".join(differ)
