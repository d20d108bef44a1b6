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

import pytest

from tests.conftest import FRAMEWORK_NAMES, requirements_text
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


# A capability question that is off takes packages out of the files: both renderings count.
VARIANTS = {"all-on": True, "lean": False}


def _lock(
    framework: str, file: str, *, with_jobs: bool, with_files: bool | None = None
) -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    files = with_jobs if with_files is None else with_files
    text = requirements_text(
        framework,
        file,
        with_jobs=with_jobs,
        with_files=files,
        with_deploy=files,
        with_admin=files,
        with_exercises=files,
    )
    for entry in _entries(text):
        match = _ENTRY.match(entry)
        assert match, f"{file}: not a pinned entry: {entry[:80]}"
        name = normalize(match.group(1))
        assert name not in pins, f"{file}: {name} appears twice"
        pins[name] = Pin(match.group(3), frozenset(_HASH.findall(entry)))
    return pins


def _in_pins(framework: str, file: str, *, with_jobs: bool) -> dict[str, str]:
    pins: dict[str, str] = {}
    text = requirements_text(
        framework,
        file,
        with_jobs=with_jobs,
        with_files=with_jobs,
        with_deploy=with_jobs,
        with_admin=with_jobs,
        with_exercises=with_jobs,
    )
    for entry in _entries(text):
        if entry.startswith("-r "):
            included = entry.split(maxsplit=1)[1]
            pins.update(_in_pins(framework, included, with_jobs=with_jobs))
            continue
        match = _ENTRY.match(entry)
        assert match, f"{file}: every line pins one exact version: {entry}"
        pins[normalize(match.group(1))] = match.group(3)
    return pins


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("framework", FRAMEWORK_NAMES)
def test_every_locked_package_has_hashes_and_no_index_address(
    framework: str, variant: str
) -> None:
    with_jobs = VARIANTS[variant]
    for name in ("requirements.txt", "requirements-dev.txt", "requirements-audit.txt"):
        text = requirements_text(
            framework,
            name,
            with_jobs=with_jobs,
            with_files=with_jobs,
            with_deploy=with_jobs,
            with_admin=with_jobs,
            with_exercises=with_jobs,
        )
        assert "#    make lock\n" in text, f"{name} is not the output of `make lock`"
        assert not re.search(r"--(extra-)?index-url|--find-links|https?://", text), name
        locked = _lock(framework, name, with_jobs=with_jobs)
        unhashed = [pkg for pkg, pin in locked.items() if not pin.hashes]
        assert not unhashed, f"{framework}/{name}: no hashes for {unhashed}"


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("framework", FRAMEWORK_NAMES)
def test_runtime_and_dev_locks_agree_on_every_shared_package(framework: str, variant: str) -> None:
    with_jobs = VARIANTS[variant]
    runtime = _lock(framework, "requirements.txt", with_jobs=with_jobs)
    dev = _lock(framework, "requirements-dev.txt", with_jobs=with_jobs)
    missing = sorted(set(runtime) - set(dev))
    assert not missing, f"{framework}: the dev lock lacks runtime packages {missing}"
    differ = {name: (pin.version, dev[name].version) for name, pin in runtime.items()
              if dev[name] != pin}  # fmt: skip
    assert not differ, f"{framework}: runtime and dev locks differ (version or hashes): {differ}"


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(
    ("framework", "name"),
    [
        (fw, name)
        for fw in FRAMEWORK_NAMES
        for name in ("requirements", "requirements-dev", "requirements-audit")
    ],
)
def test_every_in_pin_is_locked_at_its_version(framework: str, name: str, variant: str) -> None:
    with_jobs = VARIANTS[variant]
    wanted = _in_pins(framework, f"{name}.in", with_jobs=with_jobs)
    locked = _lock(framework, f"{name}.txt", with_jobs=with_jobs)
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
            for name, pin in _lock(framework, lock, with_jobs=True).items():
                first = seen.setdefault(name, (where, pin))
                if first[1] != pin:
                    differ.append(f"{name}: {first[0]} {first[1].version}, {where} {pin.version}")
    assert not differ, "the templates' locks differ:\n" + "\n".join(differ)
