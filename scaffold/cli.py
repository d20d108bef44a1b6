"""The `scaffold` command line: parse, prompt, print, and map errors to exit codes.

All the work happens in :mod:`scaffold.engine`; this module only talks to the person at the
terminal. Copier is never imported here, so `--help`, `--version`, `list` and completion stay
fast.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from scaffold import __version__
from scaffold.errors import MissingAnswerError, UserError
from scaffold.frameworks import FRAMEWORKS, Database, FrameworkName

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="scaffold",
    help="Generate starter backend projects (Flask, Django or FastAPI) that are green on the "
    "first run.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def _fail(error: UserError) -> NoReturn:
    typer.echo(f"Error: {error.message}", err=True)
    if error.hint:
        typer.echo(f"Hint: {error.hint}", err=True)
    raise typer.Exit(EXIT_USER_ERROR)


def _raise_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _handled(interrupted: str = "Interrupted: nothing was written.") -> Iterator[None]:
    """Turn user errors and interrupts into a message and an exit code.

    SIGTERM is treated like Ctrl-C so that the engine's clean-up runs for both.
    """
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    except UserError as error:
        _fail(error)
    except KeyboardInterrupt:
        typer.echo(interrupted, err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scaffold {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Generate starter backend projects that put a backend developer's duties into practice."""


@app.command("list")
def list_frameworks(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """List the frameworks, what each is, and the duties every project covers."""
    if as_json:
        payload = [
            {
                "name": fw.name,
                "label": fw.label,
                "description": fw.description,
                "duties": list(fw.duties),
            }
            for fw in FRAMEWORKS
        ]
        typer.echo(json.dumps(payload, indent=2))
        return
    for fw in FRAMEWORKS:
        typer.echo(f"{fw.name:<16} {fw.label:<8} {fw.description}")
    typer.echo("\nEvery project covers:")
    for duty in FRAMEWORKS[0].duties:
        typer.echo(f"  - {duty}")


def parse_data(pairs: list[str]) -> dict[str, str]:
    """Parse repeated ``--data KEY=VALUE`` options.

    Raises:
        typer.BadParameter: For an item without ``=`` or with an empty key.
    """
    data: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            message = f"expected KEY=VALUE, got {pair!r}"
            raise typer.BadParameter(message, param_hint="--data")
        data[key.strip()] = value
    return data


def _is_interactive(no_input: bool) -> bool:
    return not no_input and sys.stdin.isatty() and sys.stdout.isatty()


def _next_steps(destination: Path) -> str:
    try:
        shown = destination.relative_to(Path.cwd())
    except ValueError:
        shown = destination
    return f"cd {shlex.quote(str(shown))} && make install && make test"


def _resolve_inputs(
    destination: Path | None,
    framework: FrameworkName | None,
    name: str | None,
    *,
    interactive: bool,
) -> tuple[Path, str, str]:
    """Fill in framework, name and destination from flags, prompts or each other.

    Raises:
        MissingAnswerError: When an answer is missing and there is no terminal to ask on.
    """
    if framework is None:
        if not interactive:
            choices = "|".join(fw.name for fw in FRAMEWORKS)
            raise MissingAnswerError(
                "No framework chosen, and there is no terminal to ask on.",
                hint=f"Pass --framework {choices}.",
            )
        from scaffold.prompts import pick_framework  # noqa: PLC0415 - loads prompt_toolkit

        chosen = pick_framework()
    else:
        chosen = framework.value
    if name is None and destination is not None:
        name = Path(os.path.abspath(destination)).name  # noqa: PTH100 - keep symlinks visible
    if name is None:
        if not interactive:
            raise MissingAnswerError(
                "No project name given, and there is no terminal to ask on.",
                hint="Pass --name NAME (or a destination folder).",
            )
        from scaffold.prompts import ask_project_name  # noqa: PLC0415

        name = ask_project_name()
    if destination is None:
        from scaffold.names import resolve_names  # noqa: PLC0415

        destination = Path(resolve_names(name)[1])
    return destination, chosen, name


@app.command("new")
def new(
    destination: Annotated[
        Path | None,
        typer.Argument(help="Folder to create (default: the package name).", show_default=False),
    ] = None,
    framework: Annotated[
        FrameworkName | None,
        typer.Option("--framework", "-f", help="Framework to use.", show_default=False),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", "-n", help="Project name (default: the folder name)."),
    ] = None,
    database: Annotated[
        Database | None,
        typer.Option(help="Default database of the project [default: sqlite]."),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data", "-d", help="Answer any template question: KEY=VALUE.", metavar="KEY=VALUE"
        ),
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt; use defaults for the rest.")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show the files that would be written; write nothing."),
    ] = False,
    no_git: Annotated[
        bool, typer.Option("--no-git", help="Skip git init and the first commit.")
    ] = False,
) -> None:
    """Create a new project."""
    answers = parse_data(data or [])
    interactive = _is_interactive(no_input)
    with _handled():
        target, chosen, project_name = _resolve_inputs(
            destination, framework, name, interactive=interactive
        )
        if database is not None:
            answers["database"] = database.value
        elif not interactive:
            answers.setdefault("database", Database.SQLITE.value)
        from scaffold.engine import GenerateRequest, generate  # noqa: PLC0415

        result = generate(
            GenerateRequest(
                destination=target,
                framework=chosen,
                project_name=project_name,
                data=answers,
                interactive=interactive,
                dry_run=dry_run,
                git=not no_git,
            )
        )
    for warning in result.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    if dry_run:
        for path in result.files:
            typer.echo(f"  {path}")
        typer.echo(
            f"Dry run: {len(result.files)} files of a {result.framework} project "
            f"({result.database}) would be written to {result.destination}; nothing was written."
        )
        return
    commit = "first commit made" if result.committed else "no git repository"
    typer.echo(
        f"Created a {result.framework} project in {result.destination}\n"
        f"  database: {result.database}, package: {result.package_name}, "
        f"{len(result.files)} files, {commit}.\n"
        f"Next: {_next_steps(result.destination)}"
    )


@app.command("update")
def update(
    path: Annotated[
        Path, typer.Argument(help="The project to update (default: the current folder).")
    ] = Path(),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Run the project's `make test` afterwards.")
    ] = False,
    recopy: Annotated[
        bool,
        typer.Option("--recopy", help="Re-render with the saved answers instead of merging."),
    ] = False,
) -> None:
    """Bring template improvements into a project made by scaffold."""
    from scaffold.update import UpdateRequest, run_project_tests  # noqa: PLC0415
    from scaffold.update import update as run_update  # noqa: PLC0415

    with _handled("Interrupted: the project is back at the commit it started from."):
        result = run_update(UpdateRequest(project=path, dry_run=dry_run, recopy=recopy))
    if result.up_to_date:
        typer.echo(f"Already up to date (template version {result.to_version}).")
        return
    verb = "Would update" if dry_run else ("Re-rendered" if recopy else "Updated")
    typer.echo(
        f"{verb} {result.project} from template version {result.from_version} to "
        f"{result.to_version}: {len(result.changed)} file(s) changed."
    )
    for changed in result.changed:
        typer.echo(f"  {changed}")
    if result.conflicts:
        typer.echo(f"Conflicts in {len(result.conflicts)} file(s):")
        for conflicted in result.conflicts:
            typer.echo(f"  {conflicted}")
        typer.echo(
            "Resolve each by editing the lines between '<<<<<<< before updating' and "
            "'>>>>>>> after updating', then `git add` the file and commit."
        )
    elif not dry_run:
        typer.echo("Review with `git diff`, then commit.")
    if check and not dry_run:
        passed, output = run_project_tests(result.project)
        typer.echo(output, err=not passed)
        typer.echo("make test passed." if passed else "make test FAILED.")
        if not passed:
            raise typer.Exit(EXIT_USER_ERROR)


@app.command("exercises")
def exercises(
    path: Annotated[
        Path, typer.Argument(help="The project (default: the current folder).")
    ] = Path(),
    hint: Annotated[
        int | None, typer.Option(help="Reveal the next hint of exercise N.", min=1)
    ] = None,
    only: Annotated[int | None, typer.Option(help="Check exercise N only.", min=1)] = None,
) -> None:
    """Show a learner's progress through the project's EXERCISES.md."""
    from scaffold.exercises import run_checker  # noqa: PLC0415

    with _handled("Interrupted."):
        code = run_checker(path, hint=hint, only=only)
    raise typer.Exit(code)


def main() -> None:
    """Console-script entry point."""
    app()
