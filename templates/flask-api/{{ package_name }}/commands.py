"""Command-line tools, run as ``flask --app <package> <command>``.

https://flask.palletsprojects.com/en/stable/cli/#custom-commands
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from .emails import normalise_email
from .passwords import password_problems
from .services.users import EmailTakenError, create_user

if TYPE_CHECKING:
    from flask import Flask


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
    """Add this project's commands to ``app.cli``."""
    app.cli.add_command(create_admin)
