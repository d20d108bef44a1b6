"""Command-line tools, run as ``flask --app <package> <command>``: ``db`` and ``create-admin``.

``flask db`` (upgrade, migrate, check...) comes from Flask-Migrate, bound here rather than in
:mod:`.extensions` because only the command line needs it (see ``register_commands``).
https://flask.palletsprojects.com/en/stable/cli/#custom-commands
https://flask-migrate.readthedocs.io/en/latest/#api-reference
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext
from flask_migrate import Migrate

from .emails import normalise_email
from .extensions import db
from .passwords import password_problems
from .services.users import EmailTakenError, create_user

if TYPE_CHECKING:
    from flask import Flask

migrate = Migrate()


@click.command("create-admin")
@click.argument("email")
@click.option("--full-name", default="Administrator", show_default=True, help="Display name.")
@with_appcontext
def create_admin(email: str, full_name: str) -> None:
    """Create an admin account for EMAIL.

    The password comes from the ADMIN_PASSWORD environment variable, or from a hidden prompt;
    there is no default account and no default password.
    """
    try:
        email = normalise_email(email)
    except ValueError as error:
        msg = f"{email!r} is not a valid email address."
        raise click.ClickException(msg) from error
    password = os.environ.get("ADMIN_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    problems = password_problems(password, email=email)
    if problems:
        raise click.ClickException(" ".join(problems))
    try:
        user = create_user(email=email, password=password, full_name=full_name, role="admin")
    except EmailTakenError as error:
        msg = f"An account with the email {email.lower()} already exists."
        raise click.ClickException(msg) from error
    click.echo(f"Created admin {user.email} (id {user.id}).")


def init_app(app: Flask) -> None:
    """Add ``flask db`` (Flask-Migrate) and this project's commands to ``app.cli``."""
    migrations = Path(app.root_path).parent / "migrations"
    # Batch mode: SQLite cannot alter most of a table, so Alembic rebuilds it instead.
    migrate.init_app(app, db, directory=str(migrations), render_as_batch=True)
    app.cli.add_command(create_admin)
