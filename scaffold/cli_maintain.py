"""Commands that work on an existing project: `update` and `exercises`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scaffold.console import EXIT_USER_ERROR, handled

if TYPE_CHECKING:  # importing scaffold.update at run time is deferred to the command
    from scaffold.update import UpdateResult


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
    with handled("Interrupted: the project is back at the commit it started from."):
        from scaffold.update import UpdateRequest  # noqa: PLC0415
        from scaffold.update import update as run_update  # noqa: PLC0415

        result = run_update(UpdateRequest(project=path, dry_run=dry_run, recopy=recopy))
    if result.up_to_date:
        typer.echo(f"Already up to date (template version {result.to_version}).")
        return
    _report(result)
    if check and not dry_run:
        _check(result.project, install=result.locks_changed)


def _report(result: UpdateResult) -> None:
    """Print what an update changed and, separately, what is left to resolve."""
    verb = "Would update" if result.dry_run else ("Re-rendered" if result.recopied else "Updated")
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
    elif not result.dry_run:
        typer.echo("Review with `git diff`, then commit.")
    if result.locks_changed:
        typer.echo("The dependency locks changed: `make install` brings .venv to them.")


def _check(project: Path, *, install: bool = False) -> None:
    """Run the project's own `make test` and exit with its verdict.

    Args:
        project: The project folder.
        install: Run `make install` first (the update changed a dependency lock).

    Raises:
        typer.Exit: With :data:`EXIT_USER_ERROR` when the tests fail.
    """
    from scaffold.update import run_project_tests  # noqa: PLC0415

    passed, output = run_project_tests(project, install=install)
    typer.echo(output, err=not passed)
    typer.echo("make test passed." if passed else "make test FAILED.")
    if not passed:
        raise typer.Exit(EXIT_USER_ERROR)


def exercises(
    path: Annotated[
        Path, typer.Argument(help="The project (default: the current folder).")
    ] = Path(),
    hint: Annotated[
        int | None, typer.Option(help="Reveal the next hint of exercise N.", min=1)
    ] = None,
    only: Annotated[int | None, typer.Option(help="Check exercise N only.", min=1)] = None,
    watch: Annotated[
        bool, typer.Option("--watch", help="Check the current exercise again at every save.")
    ] = False,
    no_suite: Annotated[
        bool,
        typer.Option("--no-suite", help="Skip the project's own suite after the exercises pass."),
    ] = False,
) -> None:
    """Show a learner's progress through the project's EXERCISES.md."""
    from scaffold.exercises import run_checker  # noqa: PLC0415

    with handled("Interrupted."):
        code = run_checker(path, hint=hint, only=only, watch=watch, no_suite=no_suite)
    raise typer.Exit(code)
