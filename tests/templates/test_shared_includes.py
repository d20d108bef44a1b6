"""Every file under templates/_shared/ reaches every framework, unless it says why not.

A framework gets a shared file through a one-line include stub; a missing stub silently drops
the file from that framework's projects. This reads the stubs (and includes inside included
files), without rendering anything.
"""

import re
from pathlib import Path

import pytest

from tests.conftest import FRAMEWORK_NAMES, TEMPLATES

SHARED = TEMPLATES / "_shared"
INCLUDE = re.compile(r"""\{%-?\s*(?:include|import|from)\s+['"](_shared/[^'"]+)['"]""")

# Shared files that deliberately reach only some frameworks: path -> the frameworks, and why.
PARTIAL: dict[str, tuple[set[str], str]] = {
    # The WSGI request-body helper: Flask and Django are WSGI apps; FastAPI is ASGI and
    # reads bodies through Starlette.
    "_shared/wsgi/body.py": ({"flask-api", "django-app"}, "WSGI only"),
    # gunicorn's metrics-folder hooks: fastapi-service runs uvicorn, whose `make run` sets the
    # folder in shell instead.
    "_shared/wsgi/gunicorn_metrics.py": ({"flask-api", "django-app"}, "gunicorn only"),
    # SQLite hardening as SQLAlchemy engine events: Django has its own ORM and connection
    # signal (core/sqlite.py there).
    "_shared/sqlalchemy/sqlite.py": ({"flask-api", "fastapi-service"}, "SQLAlchemy only"),
}


def _includes(path: Path) -> set[str]:
    try:
        return set(INCLUDE.findall(path.read_text(encoding="utf-8")))
    except UnicodeDecodeError:  # binary files include nothing
        return set()


def _reached_from(framework: str) -> set[str]:
    """Shared paths a framework's files include, directly or through included files."""
    pending: set[str] = set()
    for path in (TEMPLATES / framework).rglob("*"):
        if path.is_file():
            pending |= _includes(path)
    reached: set[str] = set()
    while pending:
        target = pending.pop()
        if target.endswith("/") and (TEMPLATES / target).is_dir():
            # A name completed at render time (`'_shared/i18n/' ~ language ~ '.yml'`): any file
            # of that folder may be the one.
            pending |= {
                path.relative_to(TEMPLATES).as_posix()
                for path in (TEMPLATES / target).iterdir()
                if path.is_file()
            }
        elif target not in reached:
            reached.add(target)
            if (TEMPLATES / target).is_file():
                pending |= _includes(TEMPLATES / target)
    return reached


def _shared_files() -> list[str]:
    return sorted(
        path.relative_to(TEMPLATES).as_posix()
        for path in SHARED.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


@pytest.fixture(scope="module")
def reached() -> dict[str, set[str]]:
    return {framework: _reached_from(framework) for framework in FRAMEWORK_NAMES}


def test_every_shared_file_is_included_by_every_framework(reached) -> None:
    missing = {}
    for shared in _shared_files():
        including = {fw for fw in FRAMEWORK_NAMES if shared in reached[fw]}
        expected = PARTIAL.get(shared, (set(FRAMEWORK_NAMES), ""))[0]
        if including != expected:
            missing[shared] = sorted(expected - including) or f"also {sorted(including)}"
    assert not missing, (
        "shared files not included by the frameworks they should reach (add the one-line "
        f"stub, or list the file in PARTIAL with the reason): {missing}"
    )


def test_every_include_names_an_existing_shared_file(reached) -> None:
    dangling = sorted(
        target
        for fw in FRAMEWORK_NAMES
        for target in reached[fw]
        if not (TEMPLATES / target).is_file()
    )
    assert not dangling, f"includes of shared files that do not exist: {dangling}"


def test_the_partial_list_names_real_files() -> None:
    for shared in PARTIAL:
        assert (TEMPLATES / shared).is_file(), f"{shared} is listed in PARTIAL but does not exist"
