"""Two template versions in one store, and a project generated from the first.

These tests exercise scaffold's update machinery (store, merge, conflicts, rollback), not the
templates' content, so the versions are the real template root trimmed to the flask-api
files at its top level (plus `ops/`, `deploy/`, `.github/`): every update renders two versions,
and the full tree made each test several times slower. The full templates are updated from
one wheel to the next in tests/packaging (slow tier).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from scaffold.engine import GenerateRequest, generate
from scaffold.store import TemplateRef, ensure_version
from tests.conftest import TEMPLATES, git

FRAMEWORK = "flask-api"
CACHES = shutil.ignore_patterns("__pycache__", "*.pyc", ".*_cache")
# Left out of the trimmed versions: the application code and its tests.
TRIMMED = (
    "tests",
    "{{ package_name }}",
    "migrations",
    "{% if with_exercises %}exercises{% endif %}",
)


def trimmed_templates(destination: Path) -> Path:
    """Copy the template root to ``destination`` with only the small part of flask-api."""
    shutil.copytree(TEMPLATES, destination, ignore=CACHES)
    for other in destination.iterdir():
        if other.is_dir() and other.name not in {FRAMEWORK, "_shared"}:
            shutil.rmtree(other)
    for name in TRIMMED:
        shutil.rmtree(destination / FRAMEWORK / name)
    return destination


@dataclass
class Versions:
    """The store, the two tagged versions, and the folders they were made from."""

    store: Path
    v1: TemplateRef
    v2: TemplateRef
    v1_dir: Path
    v2_dir: Path


def make_v2(v1_dir: Path, v2_dir: Path) -> None:
    """v2 = v1 plus a changed shared file, a new file and a changed question default."""
    shutil.copytree(v1_dir, v2_dir, ignore=CACHES)
    editorconfig = v2_dir / "_shared" / "editorconfig"
    editorconfig.write_text(
        editorconfig.read_text(encoding="utf-8") + "\n[*.sql]\nindent_size = 2\n",
        encoding="utf-8",
    )
    (v2_dir / FRAMEWORK / "CHANGELOG.md").write_text("# Changelog\n\n- v2\n", encoding="utf-8")
    copier_yml = v2_dir / "copier.yml"
    text = copier_yml.read_text(encoding="utf-8")
    old_default = 'default: "A backend service that manages users and their tasks."'
    assert old_default in text
    copier_yml.write_text(
        text.replace(old_default, 'default: "A task service (template v2)."'), encoding="utf-8"
    )


@pytest.fixture(scope="session")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Versions:
    """Built once per session: tests read the store and never change it."""
    root = tmp_path_factory.mktemp("update-store")
    v1_dir = trimmed_templates(root / "tpl-v1")
    v2_dir = root / "tpl-v2"
    make_v2(v1_dir, v2_dir)
    store = root / "home" / "templates"
    v1 = ensure_version(v1_dir, "1.0.0", store)
    v2 = ensure_version(v2_dir, "2.0.0", store)
    return Versions(store=store, v1=v1, v2=v2, v1_dir=v1_dir, v2_dir=v2_dir)


@pytest.fixture(scope="session")
def pristine_project(tmp_path_factory: pytest.TempPathFactory, versions: Versions) -> Path:
    """A committed project generated from v1, once per session; tests get copies."""
    parent = tmp_path_factory.mktemp("update-pristine")
    result = generate(
        GenerateRequest(destination=parent / "demo", framework=FRAMEWORK, project_name="demo"),
        source=versions.v1,
    )
    assert git(result.destination, "status", "--porcelain") == ""
    return result.destination


@pytest.fixture
def project(tmp_path: Path, pristine_project: Path) -> Path:
    """A fresh copy of the committed v1 project (its git repository included)."""
    copy = tmp_path / "demo"
    shutil.copytree(pristine_project, copy, symlinks=True)
    return copy


def commit_all(project: Path, message: str) -> None:
    """Commit every change in ``project``."""
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--no-verify", "-m", message)
