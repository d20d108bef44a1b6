"""Two template versions in one store, and a project generated from the first."""

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


@dataclass
class Versions:
    """The store, the two tagged versions, and the folders they were made from."""

    store: Path
    v1: TemplateRef
    v2: TemplateRef
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


@pytest.fixture
def versions(tmp_path: Path) -> Versions:
    v1_dir = tmp_path / "tpl-v1"
    shutil.copytree(TEMPLATES, v1_dir, ignore=CACHES)
    v2_dir = tmp_path / "tpl-v2"
    make_v2(v1_dir, v2_dir)
    store = tmp_path / "home" / "templates"
    v1 = ensure_version(v1_dir, "1.0.0", store)
    v2 = ensure_version(v2_dir, "2.0.0", store)
    return Versions(store=store, v1=v1, v2=v2, v2_dir=v2_dir)


@pytest.fixture
def project(tmp_path: Path, versions: Versions) -> Path:
    """A committed project generated from v1."""
    result = generate(
        GenerateRequest(destination=tmp_path / "demo", framework=FRAMEWORK, project_name="demo"),
        source=versions.v1,
    )
    assert git(result.destination, "status", "--porcelain") == ""
    return result.destination


def commit_all(project: Path, message: str) -> None:
    """Commit every change in ``project``."""
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--no-verify", "-m", message)
