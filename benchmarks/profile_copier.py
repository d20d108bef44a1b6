"""Section 2b: where `copier copy` spends its time, and what prototyped speed-ups would save.

Runs in a child interpreter (`python -m benchmarks.profile_copier ARGS`) so that importing
Copier is measured cold and patches never leak into the harness. The prototypes patch Copier
only inside that child, for measurement; scaffold's code is not changed.
"""

from __future__ import annotations

import contextlib
import cProfile
import json
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

# Lines of a cProfile table worth reporting: (label, file suffix, function name).
CATEGORIES = (
    ("whole run_copy", "copier/_main.py", "run_copy"),
    ("clone the store at the tag (git)", "copier/_vcs.py", "clone"),
    ("read the template's git index modes", "copier/_template.py", "git_index_modes"),
    (
        "per-file `git config` (_sync_git_index_executable_bit)",
        "copier/_main.py",
        "_sync_git_index_executable_bit",
    ),
    ("Jinja compile (all templates and path parts)", "jinja2/environment.py", "compile"),
    ("  of which path parts (from_string)", "jinja2/environment.py", "from_string"),
    ("Jinja render", "jinja2/environment.py", "render"),
    ("render context built (_render_context)", "copier/_main.py", "_render_context"),
    ("subprocesses: start (Popen.__init__)", "subprocess.py", "__init__"),
    ("subprocesses: wait for output (Popen.communicate)", "subprocess.py", "communicate"),
)


def _answers(framework: str) -> dict[str, str]:
    return {
        "framework": framework,
        "project_name": "demo",
        "package_name": "demo",
        "database": "sqlite",
    }


def copy_once(src: str, tag: str | None, framework: str, keep: Path | None = None) -> float:
    """One `run_copy` into a fresh folder, as scaffold's engine calls it; returns seconds.

    The folder is removed afterwards unless ``keep`` names where to render instead.
    """
    import copier  # noqa: PLC0415 - imported after the cold-import measurement

    with tempfile.TemporaryDirectory(prefix="scaffold-bench-prof-") as scratch:
        start = time.perf_counter()
        copier.run_copy(
            src,
            keep or Path(scratch) / "demo",
            data=_answers(framework),
            vcs_ref=tag,
            settings=copier.Settings(),
            defaults=True,
            quiet=True,
            unsafe=False,
        )
        return time.perf_counter() - start


def profile_table(src: str, tag: str | None, framework: str) -> list[dict[str, object]]:
    """Cumulative time and call counts of the CATEGORIES in one profiled run."""
    profiler = cProfile.Profile()
    profiler.enable()
    copy_once(src, tag, framework)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = []
    for label, suffix, function in CATEGORIES:
        calls = cumulative = 0.0
        for (filename, _line, name), (_cc, ncalls, _tt, ct, _callers) in stats.items():
            if name == function and filename.endswith(suffix):
                calls += ncalls
                # Same-named wrappers nest (run_copy calls run_copy): keep the outermost.
                cumulative = max(cumulative, ct)
        rows.append({"what": label, "calls": int(calls), "seconds": round(cumulative, 4)})
    return rows


@contextlib.contextmanager
def no_per_file_git() -> Iterator[None]:
    """Prototype: skip Copier's per-file `git config` probe.

    scaffold renders into a fresh staging folder that is never inside a git repository, so
    the probe can only ever answer "nothing to do" there.
    """
    import copier._main as main  # noqa: PLC0415

    original = main.is_git_available
    main.is_git_available = lambda: False
    try:
        yield
    finally:
        main.is_git_available = original


@contextlib.contextmanager
def cached_path_templates() -> Iterator[None]:
    """Prototype: compile each distinct path part once per run instead of once per use.

    Copier compiles `tests`, `app`, ... again for every file below them. Safe for templates
    without `{% yield %}` in names (ours have none).
    """
    import copier._main as main  # noqa: PLC0415

    original = main.Worker._render_string  # noqa: SLF001 - a prototype of a change in Copier

    def render_string(self: object, string: str, extra_context: dict | None = None) -> str:
        cache = self.__dict__.setdefault("_bench_template_cache", {})
        template = cache.get(string)
        if template is None:
            template = cache[string] = self.jinja_env.from_string(string)  # type: ignore[attr-defined]
        return template.render(**self._render_context(), **(extra_context or {}))  # type: ignore[attr-defined]

    main.Worker._render_string = render_string  # noqa: SLF001
    try:
        yield
    finally:
        main.Worker._render_string = original  # noqa: SLF001


def same_output(store: str, tag: str, plain: str, framework: str) -> list[str]:
    """Files that differ between the baseline and all prototypes at once (answers file aside).

    A speed-up only counts if it renders the same project.
    """
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-same-") as scratch:
        base, fast = Path(scratch) / "base", Path(scratch) / "fast"
        copy_once(store, tag, framework, keep=base)
        with no_per_file_git(), cached_path_templates():
            copy_once(plain, None, framework, keep=fast)

        def files(root: Path) -> dict[str, bytes]:
            return {
                p.relative_to(root).as_posix(): p.read_bytes()
                for p in root.rglob("*")
                if p.is_file()
            }

        left, right = files(base), files(fast)
        names = (set(left) | set(right)) - {".copier-answers.yml"}
        return sorted(name for name in names if left.get(name) != right.get(name))


def prototypes(
    store: str, tag: str, plain: str, framework: str, rounds: int
) -> dict[str, list[float]]:
    """In-process `run_copy` times with each prototype, interleaved round-robin."""

    def with_patches(src: str, ref: str | None, *patches: Callable[[], object]) -> float:
        with contextlib.ExitStack() as stack:
            for patch in patches:
                stack.enter_context(patch())  # type: ignore[arg-type]
            return copy_once(src, ref, framework)

    cases: dict[str, Callable[[], float]] = {
        "baseline: run_copy from the store tag": lambda: with_patches(store, tag),
        "no per-file git probe": lambda: with_patches(store, tag, no_per_file_git),
        "path parts compiled once": lambda: with_patches(store, tag, cached_path_templates),
        "plain folder source (no clone)": lambda: with_patches(plain, None),
        "plain folder + no per-file git probe (no git subprocess at all)": lambda: with_patches(
            plain, None, no_per_file_git
        ),
        "all three": lambda: with_patches(plain, None, no_per_file_git, cached_path_templates),
    }
    copy_once(store, tag, framework)  # warm: imports, page cache
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for number in range(rounds):
        names = list(cases)
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(cases[name]())
    return samples


def store_check(store: str, rounds: int) -> list[float]:
    """What scaffold adds before rendering: hashing the packaged templates into the store."""
    from scaffold import __version__  # noqa: PLC0415
    from scaffold.store import ensure_version, packaged_templates  # noqa: PLC0415

    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        ensure_version(packaged_templates(), __version__, Path(store))
        samples.append(time.perf_counter() - start)
    return samples


def child(argv: list[str]) -> None:
    """The child process: cold import time, one profile, then the prototypes; JSON on stdout."""
    store, tag, plain, framework, rounds = argv
    start = time.perf_counter()
    import copier  # noqa: F401, PLC0415 - the cold import is what is measured

    import_s = time.perf_counter() - start
    table = profile_table(store, tag, framework)
    plain_table = profile_table(plain, None, framework)
    samples = prototypes(store, tag, plain, framework, int(rounds))
    found = {
        "import_copier_s": import_s,
        "profile": table,
        "profile_plain": plain_table,
        "prototypes": samples,
        "store_check_s": store_check(store, int(rounds)),
        "prototype_output_differs": same_output(store, tag, plain, framework),
    }
    print(json.dumps(found))


def run(config: object) -> dict[str, object]:
    """Harness side: run the child on fastapi-service and format its findings."""
    from benchmarks.common import PYTHON, REPO, fmt_s, md_table, median  # noqa: PLC0415
    from benchmarks.generation import Source  # noqa: PLC0415
    from benchmarks.phases import run_child as run_phases  # noqa: PLC0415
    from benchmarks.phases import table as phase_table  # noqa: PLC0415

    source = Source(config)  # type: ignore[arg-type]
    framework = "fastapi-service"
    rounds = 2 if config.quick else 5  # type: ignore[attr-defined]
    done = subprocess.run(
        [
            PYTHON,
            "-m",
            "benchmarks.profile_copier",
            source.store,
            source.tag,
            str(source.plain),
            framework,
            str(rounds),
        ],
        cwd=REPO,
        env=config.env,
        capture_output=True,
        text=True,
        check=True,  # type: ignore[attr-defined]
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    profile_rows = [
        [row["what"], row["calls"], fmt_s(row["seconds"]), plain["calls"], fmt_s(plain["seconds"])]
        for row, plain in zip(found["profile"], found["profile_plain"], strict=True)
    ]
    profile_rows.append(
        ["cold `import copier` (before the run)", 1, fmt_s(found["import_copier_s"]), "", ""]
    )
    profile_rows.append(
        [
            "scaffold's store check (`ensure_version`, median)",
            len(found["store_check_s"]),
            fmt_s(median(found["store_check_s"])),
            "",
            "",
        ]
    )
    base = median(found["prototypes"]["baseline: run_copy from the store tag"])
    proto_rows = [
        [name, len(values), fmt_s(median(values)), f"{median(values) / base:.2f}"]
        for name, values in found["prototypes"].items()
    ]
    markdown = (
        f"cProfile of one in-process `copier.run_copy` of {framework}, from the store tag "
        "(as `scaffold new` renders) and from the same version as a plain folder "
        f"(`python -m benchmarks.profile_copier STORE TAG PLAIN {framework} N`; cProfile "
        "inflates Python-heavy parts, so read shares, not absolute times):\n\n"
        + md_table(
            ["where", "calls (store tag)", "cumulative", "calls (plain)", "cumulative"],
            profile_rows,
        )
        + "\n\nPrototyped speed-ups, in-process `run_copy` medians, interleaved "
        "(patches applied in the benchmark's child process only):\n\n"
        + md_table(["variant", "runs", "median", "÷ baseline"], proto_rows)
    )
    differs = found["prototype_output_differs"]
    markdown += "\n\nOutput check: all three prototypes together render " + (
        "byte-identical files (answers file aside)."
        if not differs
        else f"DIFFERENT files: {differs}"
    )
    phases = run_phases(framework, rounds, config.env)  # type: ignore[attr-defined]
    markdown += (
        f"\n\n`scaffold new` phase by phase ({framework}, `engine.generate()` in one process, "
        f"median of {rounds}; `python -m benchmarks.phases {framework} {rounds}`):\n\n"
        + md_table(["phase", "median", "share of generate()"], phase_table(phases))
    )
    return {"found": found, "phases": phases, "markdown": markdown}


if __name__ == "__main__":
    child(sys.argv[1:])
