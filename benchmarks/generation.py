"""Section 2: `scaffold new` against raw Copier (store tag and plain folder) and the floor.

Every case renders the same template version with the same answers into a fresh folder; the
cases run round-robin per framework so drift on this shared machine hits them alike.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import floor
from benchmarks.common import (
    ANSWERS,
    BENCH,
    COPIER,
    PYTHON,
    SCAFFOLD,
    Config,
    fmt_s,
    interleave,
    md_table,
    median,
    recorded_source,
    timed_run,
    tree_stats,
)

TARGET_RATIO = 1.10
# --quick times one framework (the others render the same way, only more or fewer files).
QUICK_FRAMEWORK = "fastapi-service"


def scaffold_argv(framework: str, dest: Path, *, git: bool) -> list[str]:
    """`scaffold new` exactly as a user would type it, without prompts."""
    argv = [SCAFFOLD, "new", "--no-input", "-f", framework, "--name", "demo", str(dest)]
    return argv if git else [*argv, "--no-git"]


def copier_argv(framework: str, src: str, dest: Path, tag: str | None) -> list[str]:
    """Raw `copier copy` with the answers `scaffold new --no-input --name demo` gives."""
    data = [arg for answer in (f"framework={framework}", *ANSWERS) for arg in ("-d", answer)]
    ref = ["--vcs-ref", tag] if tag else []
    return [COPIER, "copy", "--quiet", "--defaults", *data, *ref, src, str(dest)]


def export_tag(store: str, tag: str, dest: Path) -> Path:
    """The tagged template version as a plain folder (no .git): Copier's fastest source."""
    archive = subprocess.run(
        ["git", "-C", store, "archive", "--format=tar", tag], capture_output=True, check=True
    ).stdout
    dest.mkdir(parents=True)
    tar_path = dest.parent / f"{dest.name}.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(dest, filter="data")
    tar_path.unlink()
    return dest


class Source:
    """The template version every case of one run renders, fixed after the first `scaffold new`."""

    def __init__(self, config: Config) -> None:
        reference = config.work / "reference-flask-api"
        if not reference.exists():
            timed_run(scaffold_argv("flask-api", reference, git=False), config.env, config.work)
        source, self.tag = recorded_source(reference)
        # Projects record the source as a name; the versions live in the run's private store.
        store = Path(config.env["SCAFFOLD_HOME"]).resolve() / "templates"
        self.store = str(store) if source == "scaffold" else source
        self.plain = config.work / "plain-templates"
        if not self.plain.exists():
            export_tag(self.store, self.tag, self.plain)


def _case(argv_for: Callable[[Path], list[str]], config: Config, name: str) -> Callable[[], float]:
    """A callable that times one command writing into a fresh folder, then removes it."""
    counter = iter(range(10**6))

    def run() -> float:
        dest = config.work / f"{name}-{next(counter)}"
        try:
            return timed_run(argv_for(dest), config.env, config.work)
        finally:
            shutil.rmtree(dest, ignore_errors=True)

    return run


def _floor_case(snapshot: Path, config: Config, writes: list[float]) -> Callable[[], float]:
    counter = iter(range(10**6))

    def run() -> float:
        dest = config.work / f"floor-{next(counter)}"
        start = time.perf_counter()
        done = subprocess.run(
            [PYTHON, str(BENCH / "floor.py"), str(snapshot), str(dest)],
            capture_output=True,
            text=True,
            check=True,
        )
        elapsed = time.perf_counter() - start
        writes.append(json.loads(done.stdout)["write_s"])
        shutil.rmtree(dest, ignore_errors=True)
        return elapsed

    return run


def commands(framework: str, source: Source) -> dict[str, str]:
    """The command line of each case, for the report (DEST stands for a fresh folder)."""
    dest = Path("DEST")
    store = "$SCAFFOLD_HOME/templates"

    def show(argv: list[str]) -> str:
        return " ".join([Path(argv[0]).name, *argv[1:]])

    return {
        "scaffold new": show(scaffold_argv(framework, dest, git=True)),
        "scaffold new --no-git": show(scaffold_argv(framework, dest, git=False)),
        "copier copy (store tag)": show(copier_argv(framework, store, dest, source.tag)),
        "copier copy (plain folder)": show(copier_argv(framework, "PLAIN", dest, None)),
        "floor (write from memory)": "python benchmarks/floor.py SNAPSHOT DEST",
    }


def measure_framework(framework: str, source: Source, config: Config) -> dict[str, object]:
    """Interleaved medians of the five ways to produce one framework's project."""
    reference = config.work / f"reference-{framework}"
    if not reference.exists():
        timed_run(scaffold_argv(framework, reference, git=False), config.env, config.work)
    snapshot = config.work / f"snapshot-{framework}.pickle"
    floor.snapshot(reference, snapshot)
    files, size = tree_stats(reference)
    writes: list[float] = []
    cases = {
        "scaffold new": _case(lambda d: scaffold_argv(framework, d, git=True), config, "sg"),
        "scaffold new --no-git": _case(
            lambda d: scaffold_argv(framework, d, git=False), config, "sn"
        ),
        "copier copy (store tag)": _case(
            lambda d: copier_argv(framework, source.store, d, source.tag), config, "cs"
        ),
        "copier copy (plain folder)": _case(
            lambda d: copier_argv(framework, str(source.plain), d, None), config, "cp"
        ),
        "floor (write from memory)": _floor_case(snapshot, config, writes),
    }
    print(f"generation: {framework} ({files} files)")
    samples = interleave(cases, config.rounds)
    return {
        "files": files,
        "bytes": size,
        "samples": samples,
        "floor_write_only": writes,
        "medians": {name: median(values) for name, values in samples.items()},
    }


def run(config: Config) -> dict[str, object]:
    """Every framework, then one table of medians and ratios."""
    source = Source(config)
    chosen = [fw for fw in config.frameworks if not config.quick or fw == QUICK_FRAMEWORK]
    results = {fw: measure_framework(fw, source, config) for fw in chosen or config.frameworks}
    rows = []
    for fw, result in results.items():
        mid = result["medians"]
        raw = mid["copier copy (store tag)"]
        ratio = mid["scaffold new"] / raw
        ratio_no_git = mid["scaffold new --no-git"] / raw
        rows.append(
            [
                fw,
                result["files"],
                f"{result['bytes'] / 1024:.0f} KiB",
                fmt_s(mid["scaffold new"]),
                fmt_s(mid["scaffold new --no-git"]),
                fmt_s(raw),
                fmt_s(mid["copier copy (plain folder)"]),
                (
                    f"{fmt_s(mid['floor (write from memory)'])} "
                    f"({fmt_s(median(result['floor_write_only']))} writing)"
                ),
                f"{ratio:.2f} {'met' if ratio <= TARGET_RATIO else 'MISSED'}",
                f"{ratio_no_git:.2f} {'met' if ratio_no_git <= TARGET_RATIO else 'MISSED'}",
                f"{raw / mid['copier copy (plain folder)']:.2f}",
                f"{mid['scaffold new'] / mid['floor (write from memory)']:.0f}x",
            ]
        )
    table = md_table(
        [
            "framework",
            "files",
            "bytes",
            "scaffold new",
            "scaffold new --no-git",
            "copier copy, store tag",
            "copier copy, plain folder",
            "floor",
            "scaffold ÷ copier (≤ 1.10)",
            "--no-git ÷ copier (≤ 1.10)",
            "store tag ÷ plain folder",
            "scaffold ÷ floor",
        ],
        rows,
    )
    cmds = commands("flask-api", source)
    legend = "\n".join(f"- {name}: `{line}`" for name, line in cmds.items())
    return {
        "tag": source.tag,
        "results": results,
        "markdown": f"{table}\n\nCommands (flask-api shown; DEST is a fresh folder):\n{legend}",
    }
