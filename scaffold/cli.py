"""The `scaffold` command line: parse, prompt, print, and map errors to exit codes.

All the work happens in :mod:`scaffold.engine`; this module only talks to the person at the
terminal. Copier is never imported here, so `--help`, `--version`, `list` and completion stay
fast.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scaffold import __version__
from scaffold.cli_maintain import exercises, update
from scaffold.console import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, EXIT_USER_ERROR, handled
from scaffold.errors import MissingAnswerError, UserError
from scaffold.frameworks import FRAMEWORKS, Database, find_database, find_framework
from scaffold.setup_phases import (
    INSTALL,
    TEST,
    Phase,
    PhaseInterruptedError,
    run_phases,
    summary,
)
from scaffold.typer_startup import skip_coercion_of_missing_values

if TYPE_CHECKING:
    from scaffold.engine import GenerateResult

skip_coercion_of_missing_values()
app = typer.Typer(
    name="scaffold",
    help="Generate starter backend projects (Flask, Django or FastAPI) that are green on the "
    "first run.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


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


FRAMEWORK_CHOICES = ", ".join(fw.name for fw in FRAMEWORKS[:-1]) + f" or {FRAMEWORKS[-1].name}"
DATABASE_CHOICES = " or ".join(db.value for db in Database)


def _framework_names() -> list[str]:
    """Shell completion for --framework."""
    return [fw.name for fw in FRAMEWORKS]


def parse_framework(value: str | None) -> str | None:
    """--framework callback: a framework's name or display name, in any case.

    Raises:
        typer.BadParameter: When no framework has that name.
    """
    if value is None:
        return None
    found = find_framework(value)
    if found is None:
        message = f"{value!r} is not a framework; choose {FRAMEWORK_CHOICES}."
        raise typer.BadParameter(message)
    return found.name


def parse_database(value: str | None) -> str | None:
    """--database callback: sqlite or postgresql, in any case.

    Raises:
        typer.BadParameter: For any other database.
    """
    if value is None:
        return None
    found = find_database(value)
    if found is None:
        raise typer.BadParameter(f"{value!r} is not supported; choose {DATABASE_CHOICES}.")
    return found.value


def _flag_or_data(
    answers: dict[str, object], key: str, flag: str, given: str | None
) -> str | None:
    """Take ``key`` out of the ``--data`` answers when a flag covers the same question.

    Raises:
        UserError: When the flag and ``--data`` give different answers.
    """
    if key not in answers:
        return given
    value = str(answers.pop(key))
    if key == "framework":
        found = find_framework(value)
        if found is None:
            raise UserError(
                f"--data framework={value}: no such framework.",
                hint=f"Choose {FRAMEWORK_CHOICES}.",
            )
        value = found.name
    elif key == "database":
        database = find_database(value)
        if database is None:
            raise UserError(
                f"--data database={value}: not supported.", hint=f"Choose {DATABASE_CHOICES}."
            )
        value = database.value
    if given is not None and given != value:
        raise UserError(
            f"{flag} {given} and --data {key}={value} disagree.", hint="Pass only one of them."
        )
    return value


def _next_steps(destination: Path, commands: str = "make install && make test") -> str:
    """The commands to run next, with the project folder as the user would type it."""
    try:
        here = Path.cwd()
    except OSError:  # the working folder was removed meanwhile: show the absolute path
        here = None
    if here is not None and destination == here:
        return commands
    shown = str(destination)
    if here is not None:
        relative = os.path.relpath(destination, here)
        shown = min(relative, shown, key=len)
    return f"cd {shlex.quote(shown)} && {commands}"


def _resolve_inputs(
    destination: Path | None,
    framework: str | None,
    name: str | None,
    *,
    interactive: bool,
) -> tuple[Path, str, str]:
    """Fill in framework, name and destination from flags, prompts or each other.

    Raises:
        MissingAnswerError: When an answer is missing and there is no terminal to ask on.
    """
    if destination is not None:
        # Checked before any question is asked; `.` and `../x` become real folder names.
        from scaffold.paths import check_destination  # noqa: PLC0415

        destination = check_destination(destination)
        if name is None:
            name = destination.name
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
        chosen = framework
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


def _announce_package(project_name: str, data: dict[str, object]) -> None:
    """Say, before anything is written, when the package name differs from the name given.

    Raises:
        InvalidNameError: When the name cannot give a package name (the engine would refuse
            it too; refusing here spares the remaining questions).
    """
    if "package_name" in data:
        return
    from scaffold.names import resolve_names  # noqa: PLC0415

    name, package = resolve_names(str(data.get("project_name", project_name)))
    if package != name:
        typer.echo(f"Package name: {package} (derived from {name!r}).")


@app.command("new")
def new(
    destination: Annotated[
        Path | None,
        typer.Argument(help="Folder to create (default: the package name).", show_default=False),
    ] = None,
    framework: Annotated[
        str | None,
        typer.Option(
            "--framework",
            "-f",
            help=f"Framework: {FRAMEWORK_CHOICES} (or Flask, Django, FastAPI; any case).",
            show_default=False,
            callback=parse_framework,
            autocompletion=_framework_names,
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", "-n", help="Project name (default: the folder name)."),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            help=f"Default database of the project: {DATABASE_CHOICES} [default: sqlite].",
            callback=parse_database,
        ),
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
    no_exercises: Annotated[
        bool,
        typer.Option("--no-exercises", help="Leave out EXERCISES.md and the exercise tests."),
    ] = False,
    no_git: Annotated[
        bool, typer.Option("--no-git", help="Skip git init and the first commit.")
    ] = False,
    install: Annotated[
        bool,
        typer.Option(
            "--install", help="Then run the project's `make install` and `make migrate`."
        ),
    ] = False,
    test: Annotated[
        bool,
        typer.Option(
            "--test", help="Then install, migrate and run `make test` (implies --install)."
        ),
    ] = False,
) -> None:
    """Create a new project."""
    targets = _setup_targets(dry_run=dry_run, install=install, test=test)
    answers: dict[str, object] = dict(parse_data(data or []))
    if no_exercises:
        answers["with_exercises"] = False
    interactive = _is_interactive(no_input)
    with handled():
        # A flag and --data answering the same question must agree; either one is honoured.
        framework = _flag_or_data(answers, "framework", "--framework", framework)
        name = _flag_or_data(answers, "project_name", "--name", name)
        database = _flag_or_data(answers, "database", "--database", database)
        from scaffold.engine import GenerateRequest, check_data, generate  # noqa: PLC0415

        answers = check_data(answers)  # before any question is asked
        target, chosen, project_name = _resolve_inputs(
            destination, framework, name, interactive=interactive
        )
        _announce_package(project_name, answers)
        if database is not None:
            answers["database"] = database
        elif not interactive:
            answers["database"] = Database.SQLITE.value
        started = time.perf_counter()
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
        rendered = time.perf_counter() - started
    for warning in result.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    if dry_run:
        _report_dry_run(result)
        return
    commit = "first commit made" if result.committed else "no git repository"
    typer.echo(
        f"Created a {result.framework} project in {result.destination}\n"
        f"  database: {result.database}, package: {result.package_name}, "
        f"{len(result.files)} files, {commit}."
    )
    if not targets:
        typer.echo(f"Next: {_next_steps(result.destination)}")
        return
    _set_up(result.destination, targets, rendered)


def _setup_targets(*, dry_run: bool, install: bool, test: bool) -> tuple[str, ...]:
    """The make targets `new` runs after rendering: none, INSTALL or TEST."""
    if not (install or test):
        return ()
    if dry_run:
        typer.echo(
            "Error: --dry-run writes nothing, so there is nothing to install or test.", err=True
        )
        raise typer.Exit(EXIT_USAGE)
    return TEST if test else INSTALL


def _report_dry_run(result: GenerateResult) -> None:
    for path in result.files:
        typer.echo(f"  {path}")
    typer.echo(
        f"Dry run: {len(result.files)} files of a {result.framework} project "
        f"({result.database}) would be written to {result.destination}; nothing was written."
    )


def _set_up(project: Path, targets: tuple[str, ...], rendered: float) -> None:
    """`new --install/--test`: run the project's make targets, then print every phase's time."""
    with handled():
        try:
            phases = run_phases(project, targets, typer.echo)
        except PhaseInterruptedError as stopped:
            typer.echo(
                f"Interrupted during `make {stopped.phase}`: the project is complete in "
                f"{project}; run `make {stopped.phase}` there to finish.",
                err=True,
            )
            raise typer.Exit(EXIT_INTERRUPTED) from None
    typer.echo(summary([Phase("render", rendered), *phases]))
    after = "make run" if "test" in targets else "make test"
    typer.echo(f"Next: {_next_steps(project, after)}")


app.command("update")(update)
app.command("exercises")(exercises)


__all__ = ["EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "EXIT_USER_ERROR", "app", "main"]


def main() -> None:
    """Console-script entry point."""
    app()
