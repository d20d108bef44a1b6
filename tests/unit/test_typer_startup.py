"""scaffold/typer_startup.py: still needed, still right, and what it buys.

Each case runs a fresh interpreter, because what is measured is what gets imported.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.conftest import REPO_ROOT

# A tiny typer app: `run` has an option with a callback and one with a value to coerce, `need`
# a required option. It prints what the command received, then whether pydantic got imported.
APP = textwrap.dedent(
    """
    import sys
    from typing import Annotated, Optional
    import typer
    if sys.argv[1] == "patched":
        from scaffold.typer_startup import skip_coercion_of_missing_values
        skip_coercion_of_missing_values()
    seen = []
    def note(value):
        seen.append(value)
        return value
    app = typer.Typer()
    @app.command()
    def run(
        tag: Annotated[Optional[str], typer.Option(callback=note)] = None,
        count: Annotated[Optional[int], typer.Option()] = None,
    ) -> None:
        print(repr((tag, count, seen)))
    @app.command()
    def need(name: Annotated[str, typer.Option()]) -> None:
        print(repr(name))
    try:
        app(sys.argv[2:], standalone_mode=False)
    except typer.Exit:
        pass
    except Exception as error:
        print(type(error).__name__)
    print("pydantic" in sys.modules)
    """
)


def _run(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", APP, *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.splitlines()


def test_typer_still_imports_pydantic_for_a_value_nobody_gave() -> None:
    # When this fails, a typer release stopped building an adapter for a missing value:
    # delete scaffold/typer_startup.py and this test.
    assert _run("plain", "run") == ["(None, None, [None])", "True"]


def test_missing_values_skip_pydantic_and_keep_typer_behaviour() -> None:
    assert _run("patched", "run") == ["(None, None, [None])", "False"]


def test_given_values_are_still_coerced_by_typer() -> None:
    assert _run("patched", "run", "--tag", "x", "--count", "3") == ["('x', 3, ['x'])", "True"]
    assert _run("patched", "run", "--count", "three")[0] == "BadParameter"


def test_a_missing_required_option_is_still_refused() -> None:
    assert _run("patched", "need")[0] == "MissingParameter"
    assert _run("patched", "need", "--name", "a")[0] == "'a'"


@pytest.mark.parametrize("args", [["list"], ["--help"], ["--version"], ["new", "--help"]])
def test_commands_that_coerce_nothing_never_import_pydantic(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scaffold", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    assert "pydantic" not in imported
