"""Section 1: start-up time of the commands that must feel instant, against `copier --version`."""

from __future__ import annotations

from functools import partial

from benchmarks.common import (
    COPIER,
    PYTHON,
    SCAFFOLD,
    Config,
    fmt_s,
    interleave,
    md_table,
    median,
    timed_run,
)

TARGET_S = 0.150
COMMANDS = {
    "scaffold --help": [SCAFFOLD, "--help"],
    "scaffold --version": [SCAFFOLD, "--version"],
    "scaffold list": [SCAFFOLD, "list"],
    "copier --version": [COPIER, "--version"],
    # References: the interpreter alone, and the CLI library scaffold is built on.
    "python -c pass": [PYTHON, "-c", "pass"],
    "python -c 'import typer'": [PYTHON, "-c", "import typer"],
}
# Prototype, measured through the environment only: Typer (0.29) converts a command's options
# with pydantic, and pydantic's plugin loader scans every installed distribution's entry
# points on first use; this switch skips the scan.
PROTOTYPE = "PYDANTIC_DISABLE_PLUGINS=1 scaffold list"
PROTOTYPE_ENV = {"PYDANTIC_DISABLE_PLUGINS": "1"}


def run(config: Config) -> dict[str, object]:
    """Median wall time of each command over >= 10 interleaved runs."""
    rounds = max(10, config.rounds * 4)
    cases = {
        name: partial(timed_run, argv, config.env, config.work) for name, argv in COMMANDS.items()
    }
    env = {**config.env, **PROTOTYPE_ENV}
    cases[PROTOTYPE] = partial(timed_run, [SCAFFOLD, "list"], env, config.work)
    for case in cases.values():  # one untimed pass: fill the OS page cache and .pyc files
        case()
    samples = interleave(cases, rounds)
    copier = median(samples["copier --version"])
    rows = []
    for name, values in samples.items():
        mid = median(values)
        verdict = "" if "scaffold" not in name else ("met" if mid < TARGET_S else "MISSED")
        rows.append(
            [
                f"`{name}`",
                len(values),
                fmt_s(mid),
                fmt_s(min(values)),
                f"{mid / copier:.2f}",
                verdict,
            ]
        )
    table = md_table(
        ["command", "runs", "median", "min", "÷ copier --version", "target < 150 ms"], rows
    )
    return {"samples": samples, "markdown": table}
