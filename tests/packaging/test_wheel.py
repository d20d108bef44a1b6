"""Build the wheel, install it in a fresh venv, and generate every framework from it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import FRAMEWORK_NAMES, REPO_ROOT, git

pytestmark = pytest.mark.slow
CACHES = shutil.ignore_patterns("__pycache__", "*.pyc", ".*_cache")


def build_and_install(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a wheel of ``source``, install it in a fresh venv, return that venv's `scaffold`."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(source)],
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


def clean_env(home: Path) -> dict[str, str]:
    """An environment like a user's: system PATH, its own HOME and template store."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "SCAFFOLD_HOME": str(home)}


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory) -> Path:
    """`scaffold` installed from a wheel of this checkout."""
    return build_and_install(REPO_ROOT, tmp_path_factory)


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
    assert answers["_src_path"] == "scaffold"  # location-free: no path of this machine
    assert git(project, "status", "--porcelain") == ""
    assert "Initial commit from scaffold" in git(project, "log", "-1", "--format=%s")


def test_project_from_one_wheel_updates_cleanly_with_a_later_wheel(
    installed_wheel: Path, tmp_path, tmp_path_factory
) -> None:
    later_source = tmp_path / "later"
    for part in ("scaffold", "templates"):
        shutil.copytree(REPO_ROOT / part, later_source / part, ignore=CACHES)
    for part in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO_ROOT / part, later_source / part)
    gitignore = later_source / "templates" / "_shared" / "gitignore"
    gitignore.write_text(
        gitignore.read_text("utf-8") + "\n# Added by a later scaffold\n*.log\n", "utf-8"
    )
    later_wheel = build_and_install(later_source, tmp_path_factory)

    home = tmp_path / "home"
    env = clean_env(home)
    made = subprocess.run(
        [str(installed_wheel), "new", "--no-input", "-f", "fastapi-service", "demo"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    project = tmp_path / "demo"
    updated = subprocess.run(
        [str(later_wheel), "update", str(project)],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert updated.returncode == 0, updated.stderr
    assert "Conflicts" not in updated.stdout
    changed = sorted(line[3:] for line in git(project, "status", "--porcelain").splitlines())
    assert changed == [".copier-answers.yml", ".gitignore"]
    assert (project / ".gitignore").read_text("utf-8").endswith("*.log\n")
