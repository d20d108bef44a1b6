"""Build the wheel, install it in a fresh venv, and generate every framework from it."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import FRAMEWORK_NAMES, REPO_ROOT, git

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory) -> Path:
    """A venv with scaffold installed from a freshly built wheel; returns its `scaffold`."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO_ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(out.glob("scaffold-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "scaffold/templates/copier.yml" in names
    assert not [name for name in names if "__pycache__" in name or "_cache/" in name]
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    subprocess.run(
        [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
    )
    return env_dir / "bin" / "scaffold"


@pytest.mark.parametrize("framework", FRAMEWORK_NAMES)
def test_installed_wheel_generates_each_framework(installed_wheel: Path, tmp_path, framework):
    home = tmp_path / "home"
    completed = subprocess.run(
        [str(installed_wheel), "new", "--no-input", "-f", framework, "--name", "demo", "demo"],
        cwd=tmp_path,
        env={
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "SCAFFOLD_HOME": str(home),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    project = tmp_path / "demo"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["framework"] == framework
    assert answers["_src_path"] == str(home / "templates")
    assert git(project, "status", "--porcelain") == ""
    assert "Initial commit from scaffold" in git(project, "log", "-1", "--format=%s")
