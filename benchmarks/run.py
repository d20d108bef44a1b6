"""Entry point: `python -m benchmarks [--quick] [--only SECTION] [--framework FW]`.

Writes `benchmarks/out/results-<time>.json` (every sample) and `benchmarks/out/report-<time>.md`
(the tables RESULTS.md is made from; also copied to `report.md`) and prints the report.
Nothing outside temporary folders and `benchmarks/out/` is written; the template store lives
in a temporary SCAFFOLD_HOME.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import math
import time
from types import ModuleType

from benchmarks.common import FRAMEWORKS, OUT, Config, bench_env, machine, md_table, scratch

# Section name -> module; the order is the order of a full run.
SECTIONS = {
    "startup": "benchmarks.startup",
    "generation": "benchmarks.generation",
    "profile": "benchmarks.profile_copier",
    "green": "benchmarks.green",
    "serve": "benchmarks.serve",
    "layers": "benchmarks.layers",
    "scaling": "benchmarks.scaling",
}
# Sections a --quick run leaves out unless asked for by name, and why.
SLOW = {"green": "a fresh `make install` and `make test` per framework take minutes here."}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer rounds and frameworks, 2 s load tests, no time-to-green",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=list(SECTIONS),
        metavar="SECTION",
        help=f"run only this section (repeatable): {', '.join(SECTIONS)}",
    )
    parser.add_argument(
        "--framework",
        action="append",
        choices=FRAMEWORKS,
        help="only this framework in the per-framework sections (repeatable)",
    )
    return parser.parse_args(argv)


def _jsonable(value: object) -> object:
    """NaN (a case that could not run) becomes null in the JSON file."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    chosen = args.only or list(SECTIONS)
    OUT.mkdir(parents=True, exist_ok=True)
    facts = machine()
    results: dict[str, object] = {"machine": facts, "quick": args.quick}
    report = [
        f"# Benchmark report ({'quick' if args.quick else 'full'} run)",
        md_table(["fact", "value"], list(facts.items())),
    ]
    with scratch("run") as work:
        config = Config(
            quick=args.quick,
            work=work,
            rounds=2 if args.quick else 3,
            load_seconds=2 if args.quick else 5,
            env=bench_env(work / "home"),
            frameworks=tuple(args.framework or FRAMEWORKS),
        )
        for name in chosen:
            if name in SLOW and args.quick and not args.only:
                note = (
                    f"Skipped by --quick: {SLOW[name]} Run `python -m benchmarks --only {name}`."
                )
                report.append(f"## {name}\n\n{note}")
                continue
            module: ModuleType = importlib.import_module(SECTIONS[name])
            print(f"== {name}")
            start = time.perf_counter()
            try:
                section = module.run(config)
            except Exception as error:  # noqa: BLE001 - one broken section must not hide the rest
                section = {"error": repr(error), "markdown": f"Not measured: {error}"}
            section["seconds"] = round(time.perf_counter() - start, 1)
            results[name] = section
            report.append(f"## {name} ({section['seconds']} s)\n\n{section['markdown']}")
            print(section["markdown"])
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (OUT / f"results-{stamp}.json").write_text(json.dumps(_jsonable(results), indent=1))
    text = "\n\n".join(report) + "\n"
    # report.md is the latest run; the stamped copy keeps it when a partial run follows.
    (OUT / f"report-{stamp}.md").write_text(text)
    (OUT / "report.md").write_text(text)
    print(f"\nWrote {OUT / f'report-{stamp}.md'} and {OUT / f'results-{stamp}.json'}")
