"""What every command shares: exit codes, and turning errors into messages.

Only the command line catches :class:`~scaffold.errors.UserError`; it does it here.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from typing import NoReturn

import typer

from scaffold.errors import UserError

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def fail(error: UserError) -> NoReturn:
    """Print ``error`` (and its hint) to stderr and exit with :data:`EXIT_USER_ERROR`."""
    typer.echo(f"Error: {error.message}", err=True)
    if error.hint:
        typer.echo(f"Hint: {error.hint}", err=True)
    raise typer.Exit(EXIT_USER_ERROR)


def raise_interrupt(_signum: int, _frame: object) -> None:
    """Signal handler that turns SIGTERM into the KeyboardInterrupt Ctrl-C raises."""
    raise KeyboardInterrupt


@contextlib.contextmanager
def handled(interrupted: str = "Interrupted: nothing was written.") -> Iterator[None]:
    """Turn user errors and interrupts into a message and an exit code.

    SIGTERM is treated like Ctrl-C so that the engine's clean-up runs for both.
    """
    previous = signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        yield
    except UserError as error:
        fail(error)
    except (KeyboardInterrupt, EOFError):  # EOFError: Ctrl-D at a question
        typer.echo(interrupted, err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
