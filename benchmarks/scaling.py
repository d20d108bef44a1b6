"""Section 5: generation time against template size, and served req/s from 1 to 2 workers.

The synthetic templates are our own fastapi-service files (from the store tag) repeated into
more folders, with the same copier.yml and `_shared/` includes, so each file costs what one of
ours costs. scaffold always renders its packaged templates, so this part times Copier itself,
which is what `scaffold new` pays per file.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
from collections.abc import Callable
from functools import partial
from pathlib import Path

from benchmarks.common import Config, fmt_s, interleave, md_table, median, timed_run, tree_stats
from benchmarks.generation import Source, copier_argv

SIZES = (50, 100, 200, 400)
QUICK_SIZES = (50, 400)  # two points still give the per-file slope
ANSWERS_STUB = "{{_copier_conf.answers_file}}.jinja"


def build_template(plain: Path, size: int, root: Path) -> Path:
    """A template root whose fastapi-service folder holds ``size`` files copied from ours."""
    shutil.copytree(plain, root, ignore=shutil.ignore_patterns("flask-api", "django-app"))
    service = root / "fastapi-service"
    originals = sorted(
        path.relative_to(service)
        for path in service.rglob("*")
        if path.is_file() and path.name != ANSWERS_STUB
    )
    # Keep the first `size - 1` originals (the answers file is the last one), add copies.
    for path in originals[size - 1 :]:
        (service / path).unlink()
    for index in range(len(originals), size - 1):
        source = originals[index % len(originals)]
        target = service / f"copy{index // len(originals)}" / source
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(service / source, target)
    return root


def as_git_tag(root: Path, env: dict[str, str]) -> str:
    """Commit and tag the synthetic root, so it can also be rendered from git like our store."""
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["commit", "-qm", "synthetic"],
        ["tag", "1.0.0"],
    ):
        subprocess.run(["git", "-C", str(root), *args], env=env, check=True, capture_output=True)
    return "1.0.0"


def _case(argv_for: Callable[[Path], list[str]], config: Config, dest_root: Path) -> float:
    dest = dest_root / "out"
    try:
        return timed_run(argv_for(dest), config.env, config.work)
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def generation_scaling(config: Config) -> dict[str, object]:
    """Interleaved copier copy medians per template size, and the fitted cost per file."""
    source = Source(config)
    cases = {}
    files_of = {}
    sizes = QUICK_SIZES if config.quick else SIZES
    for size in sizes:
        root = build_template(Path(source.plain), size, config.work / f"synthetic-{size}")
        tag = as_git_tag(root, config.env)
        probe = config.work / f"probe-{size}"
        timed_run(copier_argv("fastapi-service", str(root), probe, None), config.env, config.work)
        files_of[size] = tree_stats(probe)[0]
        shutil.rmtree(probe)
        for label, ref in (("plain folder", None), ("git tag", tag)):
            argv_for = partial(copier_argv, "fastapi-service", str(root), tag=ref)
            cases[(size, label)] = partial(
                _case, lambda dest, a=argv_for: a(dest=dest), config, config.work
            )
    print("scaling: generation vs template size")
    samples = interleave(
        {f"{s}|{label}": case for (s, label), case in cases.items()}, 1 if config.quick else 2
    )
    fits = {}
    for label in ("plain folder", "git tag"):
        xs = [files_of[size] for size in sizes]
        ys = [median(samples[f"{size}|{label}"]) for size in sizes]
        fits[label] = statistics.linear_regression(xs, ys)
    rows = [
        [files_of[size]]
        + [fmt_s(median(samples[f"{size}|{label}"])) for label in ("plain folder", "git tag")]
        for size in sizes
    ]
    table = md_table(["files rendered", "copier copy, plain folder", "copier copy, git tag"], rows)
    fit_text = "; ".join(
        f"{label}: {fit.slope * 1000:.1f} ms per file + {fit.intercept:.2f} s fixed"
        for label, fit in fits.items()
    )
    return {
        "files": files_of,
        "samples": samples,
        "markdown": f"{table}\n\nLeast-squares fit: {fit_text}.\nCommand: `copier copy --quiet "
        "--defaults -d framework=fastapi-service -d project_name=demo -d package_name=demo -d "
        "database=sqlite [--vcs-ref 1.0.0] SYNTHETIC DEST`.",
    }


def run(config: Config) -> dict[str, object]:
    """Template-size scaling now; worker scaling comes from the serve section's helpers."""
    result = generation_scaling(config)
    try:
        from benchmarks.serve import worker_scaling  # noqa: PLC0415

        workers = worker_scaling(config)
    except Exception as error:  # noqa: BLE001 - report, do not hide the generation figures
        workers = {"markdown": f"Worker scaling not measured: {error}"}
    result["workers"] = workers
    result["markdown"] += "\n\n" + str(workers["markdown"])
    return result
