"""Fixtures shared by every tier of scaffold's own test suite."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = REPO_ROOT / "templates"
FRAMEWORK_NAMES = ("flask-api", "django-app", "fastapi-service")


@pytest.fixture(autouse=True, scope="session")
def _isolated_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep the template store of every test out of the real user's data folder."""
    home = tmp_path_factory.mktemp("scaffold-home")
    previous = os.environ.get("SCAFFOLD_HOME")
    os.environ["SCAFFOLD_HOME"] = str(home)
    yield home
    if previous is None:
        os.environ.pop("SCAFFOLD_HOME", None)
    else:
        os.environ["SCAFFOLD_HOME"] = previous


# uv from scaffold's test extra: generated projects' `make install` and `make lock` use it.
UV = Path(sys.executable).with_name("uv")


@pytest.fixture(autouse=True, scope="session")
def _uv_on_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Put uv, and nothing else of scaffold's environment, on the PATH of every subprocess.

    A person who installed uv has it on PATH; generated projects' `make install` finds it there.
    A folder holding only a link keeps this environment's `python3` out of their way.
    """
    if not UV.exists():
        yield
        return
    folder = tmp_path_factory.mktemp("uv-bin")
    (folder / "uv").symlink_to(UV)
    previous = os.environ["PATH"]
    os.environ["PATH"] = f"{folder}{os.pathsep}{previous}"
    yield
    os.environ["PATH"] = previous


def run_scaffold(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the real `scaffold` command line in a subprocess (``python -m scaffold``)."""
    return subprocess.run(
        [sys.executable, "-m", "scaffold", *args],
        cwd=cwd,
        env=env if env is not None else dict(os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def git(project: Path, *args: str) -> str:
    """Run git in ``project`` and return its standard output."""
    return subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=True
    ).stdout


def requirements_text(
    framework: str,
    name: str,
    *,
    with_jobs: bool = True,
    with_files: bool = True,
    with_deploy: bool = True,
    with_admin: bool = True,
    with_exercises: bool = True,
) -> str:
    """A template's requirements file as a project with these answers gets it.

    The files are plain, or Jinja templates (``name.jinja``) when a capability question takes
    packages out of them; only the capability questions are used in them.
    """
    folder = TEMPLATES / framework
    plain = folder / name
    if plain.is_file():
        return plain.read_text(encoding="utf-8")
    # Imported here: only the lock checks need Jinja, and the CLI tests import this module.
    import jinja2

    source = (folder / f"{name}.jinja").read_text(encoding="utf-8")
    # Requirements files, not HTML: nothing to escape.
    template = jinja2.Environment(  # noqa: S701
        keep_trailing_newline=True, undefined=jinja2.StrictUndefined
    )
    return template.from_string(source).render(
        with_jobs=with_jobs,
        with_files=with_files,
        with_deploy=with_deploy,
        with_admin=with_admin,
        with_exercises=with_exercises,
    )
