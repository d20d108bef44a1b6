"""Where the database is and where backups go, read from the environment and `./.env`."""

from __future__ import annotations

import os
from dataclasses import dataclass{% if with_files %}, field{% endif %}
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit, urlunsplit


{%- if with_files %}
{%- from '_shared/core_module.jinja' import core with context %}
{%- endif %}

if TYPE_CHECKING:
    from collections.abc import Mapping
{%- if with_files %}

    from {{ core('storage') }} import FileStorage, S3Settings
{%- endif %}

DEFAULT_DATABASE_URL = "sqlite:///./app.db"
DEFAULT_BACKUP_DIR = "./backups"
{%- if with_files %}
DEFAULT_FILES_DIR = "./var/files"
{%- endif %}

# SQLAlchemy-style driver suffixes name the same database; the tool talks to it directly.
SQLITE_PREFIXES = ("sqlite:///", "sqlite+pysqlite:///")
POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")

# Tables whose rows are live credentials in plain form: a backup keeps their structure but
# never their rows, and a restore empties them, so no backup (and no restored database)
# holds a login that was valid when the backup was made (SECURITY.md, "Backups"). Tokens
# stored only as hashes are safe to keep and are not listed.
{% if framework == 'django-app' and with_admin -%}
# Django's session rows hold the keys of signed-in admin sessions: whoever has a row can
# present its key as the session cookie and is signed in.
TABLES_WITHOUT_ROWS: tuple[str, ...] = ("django_session",)
{%- else -%}
TABLES_WITHOUT_ROWS: tuple[str, ...] = ()
{%- endif %}


class BackupError(Exception):
    """A problem the operator can fix: the command line prints it on one line and exits 1."""


class DatabaseUnreachableError(BackupError):
    """The database server refused or could not be reached; the message names the fix."""


class ConfirmationNeededError(BackupError):
    """A restore was asked for without the operator's confirmation (`--yes`)."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What the backup tool needs to know.

    Attributes:
        database_url: The project's `DATABASE_URL`.
        backup_dir: The folder that holds backups and their manifests.
        tables_without_rows: Tables whose rows are never backed up and are emptied by a
            restore (bare names, in any schema); the project's `TABLES_WITHOUT_ROWS`.
    """

    database_url: str
    backup_dir: Path
    tables_without_rows: tuple[str, ...] = TABLES_WITHOUT_ROWS
{%- if with_files %}
    files: FileSettings | None = None


@dataclass(frozen=True, kw_only=True)
class FileSettings:
    """Where the attachments are stored, and where off-site copies of the backups go.

    The project's storage code (the same the app uses, CONTRACT.md section 13) is imported
    only when a command needs it: importing it loads the app's package, which every command
    of the tool would otherwise pay for at start-up.

    Attributes:
        files_dir: `FILES_DIR`, the local storage when `bucket` is empty.
        bucket: `S3_BUCKET`.
        endpoint_url, region, access_key_id, secret_access_key: The `S3_*` connection
            settings, for the bucket and for off-site copies.
        remote_url: `BACKUP_REMOTE_URL` (`s3://bucket/prefix`), or empty.
        encryption_key: `BACKUP_ENCRYPTION_KEY` (a Fernet key), or empty.
    """

    files_dir: Path
    bucket: str = ""
    endpoint_url: str = ""
    region: str = "us-east-1"
    access_key_id: str = ""
    secret_access_key: str = field(default="", repr=False)
    remote_url: str = ""
    encryption_key: str = field(default="", repr=False)

    def s3(self) -> S3Settings:
        """The S3 connection settings, as the project's storage code takes them."""
        from {{ core('storage') }} import S3Settings  # noqa: PLC0415 - see the class

        return S3Settings(
            endpoint_url=self.endpoint_url,
            region=self.region,
            access_key_id=self.access_key_id,
            secret_access_key=self.secret_access_key,
        )

    def storage(self) -> FileStorage:
        """The storage the app keeps attachments in."""
        from {{ core('storage') }} import storage_from_settings  # noqa: PLC0415 - see the class

        return storage_from_settings(self.files_dir, self.bucket, self.s3())
{%- endif %}


@dataclass(frozen=True, kw_only=True)
class SqliteDatabase:
    """A SQLite database file."""

    path: Path


@dataclass(frozen=True, kw_only=True)
class PostgresDatabase:
    """A PostgreSQL database, with the password kept apart from the connection URL.

    Attributes:
        url: A libpq connection URI without the password, safe to show and to put in argv.
        name: The database name.
        password: The password from `DATABASE_URL`, if it had one.
    """

    url: str
    name: str
    password: str | None


def read_dotenv(path: Path) -> dict[str, str]:
    """Read `KEY=VALUE` lines from a `.env` file.

    Blank lines and lines starting with `#` are skipped, an `export ` prefix is allowed and one
    pair of matching quotes around the value is removed. Nothing else is interpreted: no
    variable expansion and no inline comments.

    Args:
        path: The file to read; a missing file gives an empty mapping.

    Returns:
        The keys and values found.
    """
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw_line in path.read_text(encoding="utf-8").splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def load_settings(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """Build settings from `./.env` and the environment; the environment wins.

    Args:
        environ: Environment variables (default: `os.environ`).
        cwd: The project folder holding `.env` (default: the current folder).

    Returns:
        The settings, with a relative `BACKUP_DIR` made absolute against `cwd`.
    """
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    merged = {**read_dotenv(cwd / ".env"), **environ}
    backup_dir = Path(merged.get("BACKUP_DIR") or DEFAULT_BACKUP_DIR)
{%- if with_files %}
    files_dir = Path(merged.get("FILES_DIR") or DEFAULT_FILES_DIR)
    files = FileSettings(
        files_dir=files_dir if files_dir.is_absolute() else cwd / files_dir,
        bucket=merged.get("S3_BUCKET", "").strip(),
        endpoint_url=merged.get("S3_ENDPOINT_URL", "").strip(),
        region=merged.get("S3_REGION", "").strip() or "us-east-1",
        access_key_id=merged.get("S3_ACCESS_KEY_ID", "").strip(),
        secret_access_key=merged.get("S3_SECRET_ACCESS_KEY", "").strip(),
        remote_url=merged.get("BACKUP_REMOTE_URL", "").strip(),
        encryption_key=merged.get("BACKUP_ENCRYPTION_KEY", "").strip(),
    )
{%- endif %}
    return Settings(
        database_url=merged.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        backup_dir=backup_dir if backup_dir.is_absolute() else cwd / backup_dir,
{%- if with_files %}
        files=files,
{%- endif %}
    )


def parse_database_url(url: str) -> SqliteDatabase | PostgresDatabase:
    """Tell which database a `DATABASE_URL` names.

    Args:
        url: `sqlite:///relative/path.db`, `sqlite:////absolute/path.db` or
            `postgresql://user:password@host:port/name` (also `postgresql+psycopg://`).

    Returns:
        The parsed database.

    Raises:
        BackupError: The URL names no database this tool can back up.
    """
    for prefix in SQLITE_PREFIXES:
        if url.startswith(prefix):
            return _parse_sqlite(url.removeprefix(prefix))
    parts = urlsplit(url)
    if parts.scheme in POSTGRES_SCHEMES:
        return _parse_postgres(url)
    scheme = parts.scheme or url
    msg = f"DATABASE_URL must start with sqlite:/// or postgresql://, not {scheme!r}"
    raise BackupError(msg)


def _parse_sqlite(rest: str) -> SqliteDatabase:
    # As in SQLAlchemy, what follows the third slash is the path: relative to the current
    # folder, or absolute when it starts with a fourth slash.
    path_text = rest.partition("?")[0]
    if not path_text or path_text == ":memory:":
        msg = "DATABASE_URL names an in-memory SQLite database, which cannot be backed up"
        raise BackupError(msg)
    return SqliteDatabase(path=Path(path_text).absolute())


def _parse_postgres(url: str) -> PostgresDatabase:
    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if not name:
        msg = "DATABASE_URL names no PostgreSQL database (add /name after the host)"
        raise BackupError(msg)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    # The password travels to pg_dump in PGPASSWORD, so the URL shown and passed in argv
    # (where any local user can read it in the process list) must not carry it.
    netloc = f"{user}{at}{hostport}"
    return PostgresDatabase(
        url=urlunsplit(("postgresql", netloc, parts.path, parts.query, "")),
        name=name,
        password=unquote(parts.password) if parts.password is not None else None,
    )
