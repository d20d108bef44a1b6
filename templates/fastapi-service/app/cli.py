"""Project commands. Usage:

    python -m app.cli check                          # settings and app build, as a start would
    python -m app.cli migrate                        # apply every migration to DATABASE_URL
    python -m app.cli create-admin --email admin@example.com

The admin's password comes from the ADMIN_PASSWORD environment variable or a hidden prompt;
there is no default account and no default password. A refused setting ends any command with
one line on stderr naming the setting and the rule, never its value, and exit status 1.
"""

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from app.core.config import SettingsError, get_settings
from app.core.db import create_db_engine, create_session_factory, session_scope
from app.core.emails import normalise_email
from app.core.passwords import password_problem
from app.core.security import PasswordService
from app.crud.users import create_user, get_user_by_email

EXIT_OK = 0
EXIT_ERROR = 1
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _read_password() -> str:
    """ADMIN_PASSWORD if set (for scripts), else ask twice without echoing."""
    if password := os.environ.get("ADMIN_PASSWORD"):
        return password
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password (again): ") != password:
        msg = "the two passwords differ"
        raise ValueError(msg)
    return password


def create_admin(email: str) -> int:
    """Create an admin account; return the process exit code."""
    email = normalise_email(email)
    password = _read_password()
    if problem := password_problem(password, email=email):
        msg = f"password {problem}"
        raise ValueError(msg)
    settings = get_settings()
    engine = create_db_engine(settings.database_url)
    try:
        with session_scope(create_session_factory(engine)) as session:
            if get_user_by_email(session, email=email) is not None:
                msg = f"a user with email {email} already exists"
                raise ValueError(msg)
            password_hash = PasswordService.from_settings(settings).hash(password)
            create_user(session, email=email, password_hash=password_hash, role="admin")
            session.commit()
    finally:
        engine.dispose()
    print(f"Created admin {email}.")  # noqa: T201 - command output
    return EXIT_OK


def check() -> int:
    """Build the app from the settings exactly as a server start does, then stop.

    Deploy scripts run it before switching traffic: a refused setting (a placeholder
    SECRET_KEY in production, say) fails here rather than in the server's workers.
    """
    # Imported here: the app pulls in every route, which the other commands do not need.
    from app.main import create_app  # noqa: PLC0415

    app = create_app(get_settings())
    app.state.engine.dispose()
    print("The settings are accepted and the app builds.")  # noqa: T201 - command output
    return EXIT_OK


def migrate() -> int:
    """Apply every migration to DATABASE_URL, as `make migrate` does."""
    get_settings()  # refuse bad settings with the one-line message, before Alembic starts
    # Alembic (and the SQL dialects it loads) only here: it was half of the import time of
    # every other command, `check` included.
    from alembic import command  # noqa: PLC0415
    from alembic.config import Config  # noqa: PLC0415

    command.upgrade(Config(str(PROJECT_ROOT / "alembic.ini")), "head")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(prog="python -m app.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="build the app from the settings, then exit")
    commands.add_parser("migrate", help="apply every migration to DATABASE_URL")
    admin = commands.add_parser("create-admin", help="create an admin account")
    admin.add_argument("--email", required=True, help="the admin's email address")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return check()
        if args.command == "migrate":
            return migrate()
        return create_admin(args.email)
    except (SettingsError, ValueError) as error:
        print(f"Error: {error}", file=sys.stderr)  # noqa: T201 - command output
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
