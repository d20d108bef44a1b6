"""Project commands. Usage:

    python -m app.cli create-admin --email admin@example.com

The password comes from the ADMIN_PASSWORD environment variable or a hidden prompt; there is
no default account and no default password.
"""

import argparse
import getpass
import os
import sys
from collections.abc import Sequence

from app.core.config import get_settings
from app.core.db import create_db_engine, create_session_factory, session_scope
from app.core.passwords import password_problem
from app.core.security import PasswordService
from app.crud.users import create_user, get_user_by_email
from app.schemas import normalise_email

EXIT_OK = 0
EXIT_ERROR = 1


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


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(prog="python -m app.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="create an admin account")
    admin.add_argument("--email", required=True, help="the admin's email address")
    args = parser.parse_args(argv)
    try:
        return create_admin(args.email)
    except ValueError as error:
        print(f"Error: {error}", file=sys.stderr)  # noqa: T201 - command output
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
