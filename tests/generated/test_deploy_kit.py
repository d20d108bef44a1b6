"""Slow tier: the production kit's offline checks, `make lint-deploy`, in generated projects.

- Each all-on project's Dockerfile and deploy/k8s pass hadolint, kubernetes-validate (strict)
  and checkov, with no network at all.
- The same target fails, naming what is wrong, when one manifest is broken: a writable root
  filesystem (checkov's CKV_K8S_22) or a field Kubernetes does not know (kubernetes-validate).
- A lean project (with_deploy off) still ships a Dockerfile, and hadolint passes it.
- `make lock` compiles requirements-deploy.txt back to itself (needs the package index).

Each project's `make lint-deploy` makes its own .venv-deploy from requirements-deploy.txt with
uv; on this machine that took 19 s with an empty uv cache and 11 s with a warm one, checks
included, and 5.5 s once the environment exists. The broken-manifest and lean tests share one
such environment, made once in a project rendered without installing it (`make lint-deploy`
needs uv, not the project's .venv).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FRAMEWORK_NAMES, UV
from tests.generated.conftest import LEAN_DATA, assert_ok, make, new_project

pytestmark = pytest.mark.slow

PROJECTS = [pytest.param(fw, marks=pytest.mark.xdist_group(fw), id=fw) for fw in FRAMEWORK_NAMES]
# The tests that share kit_project's deploy environment: one worker makes it.
KIT_GROUP = pytest.mark.xdist_group("deploy-kit")
# uv from scaffold's own environment, for `make` in projects that have not put one in .venv.
UV_ON_PATH = {"PATH": f"{UV.parent}{os.pathsep}{os.environ['PATH']}"}


def _can_unshare_network() -> bool:
    """Whether this user may run a command in a network namespace of its own (root may)."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, check=False)
    return probe.returncode == 0


OFFLINE = _can_unshare_network()


def _offline(command: list[str]) -> list[str]:
    """``command`` with no network but loopback, where the machine allows it.

    CI runs as root, so there a check that reaches out for anything fails instead of passing.
    """
    return ["unshare", "--net", *command] if OFFLINE else command


def _lint_deploy(project: Path, *variables: str) -> subprocess.CompletedProcess[str]:
    """`make lint-deploy` with no network: the deploy environment must already exist."""
    return subprocess.run(
        _offline(["make", "lint-deploy", *variables]),
        cwd=project, env={**os.environ, **UV_ON_PATH, "UV_OFFLINE": "1"},
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def _deploy_environment(project: Path) -> Path:
    """The project's .venv-deploy, made by `make lint-deploy` (with the network) if missing."""
    bin_dir = project / ".venv-deploy" / "bin"
    if not (bin_dir / "checkov").exists():
        assert_ok(make(project, "lint-deploy", env=UV_ON_PATH, timeout=900), "make lint-deploy")
    return bin_dir


@pytest.fixture(scope="module")
def kit_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An all-on flask-api project, not installed, whose .venv-deploy the checks below share."""
    project = new_project(tmp_path_factory.mktemp("deploy-kit"), "flask-api")
    _deploy_environment(project)
    return project


@pytest.mark.parametrize("installed_project", PROJECTS, indirect=True)
def test_lint_deploy_passes_offline(installed_project: Path) -> None:
    _deploy_environment(installed_project)
    completed = _lint_deploy(installed_project)
    assert_ok(completed, "make lint-deploy (offline)")
    output = completed.stdout + completed.stderr
    # Both of checkov's frameworks ran and found nothing; what they skipped is exactly the
    # waivers annotated in the manifests, each with its reason.
    assert "dockerfile scan results:" in output, output
    assert "kubernetes scan results:" in output, output
    assert output.count("Failed checks: 0") == 2, output
    manifests = (installed_project / "deploy" / "k8s").glob("*.yaml")
    waivers = sum(path.read_text("utf-8").count("checkov.io/skip") for path in manifests)
    assert f"Skipped checks: {waivers}\n" in output, output
    # The tools' environment is no part of the project: ruff (make lint) leaves it alone.
    linted = subprocess.run(
        [str(installed_project / ".venv" / "bin" / "ruff"), "check", "--show-files", "."],
        cwd=installed_project, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert_ok(linted, "ruff check --show-files")
    assert ".venv-deploy" not in linted.stdout


def _broken_copy(project: Path, destination: Path, old: str, new: str) -> list[str]:
    """deploy/k8s copied to ``destination`` with ``old`` replaced once in deployment.yaml."""
    shutil.copytree(project / "deploy" / "k8s", destination)
    deployment = destination / "deployment.yaml"
    text = deployment.read_text(encoding="utf-8")
    assert old in text, f"deployment.yaml has no {old!r}"
    deployment.write_text(text.replace(old, new, 1), encoding="utf-8")
    manifests = sorted(destination.glob("*.yaml"))
    return [str(path) for path in manifests if path.name != "kustomization.yaml"]


@KIT_GROUP
def test_lint_deploy_fails_on_a_writable_root_filesystem(
    kit_project: Path, tmp_path: Path
) -> None:
    manifests = _broken_copy(
        kit_project, tmp_path / "k8s",
        "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false",
    )  # fmt: skip
    completed = _lint_deploy(kit_project, f"K8S_MANIFESTS={' '.join(manifests)}")
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    # The schema allows false; checkov's check is what refuses it, and names itself.
    assert 'CKV_K8S_22: "Use read-only filesystem for containers where possible"' in output
    assert "Failed checks: 1," in output, output


@KIT_GROUP
def test_lint_deploy_fails_on_a_field_kubernetes_does_not_know(
    kit_project: Path, tmp_path: Path
) -> None:
    manifests = _broken_copy(
        kit_project, tmp_path / "k8s", "  replicas: 2\n", "  replicas: 2\n  replicaz: 3\n"
    )
    completed = _lint_deploy(kit_project, f"K8S_MANIFESTS={' '.join(manifests)}")
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    assert "did not validate" in output, output
    assert "'replicaz' was unexpected" in output, output
    # make stops at the first failing check: checkov never ran.
    assert "scan results" not in output, output


@KIT_GROUP
@pytest.mark.parametrize("framework", FRAMEWORK_NAMES)
def test_lean_dockerfile_passes_hadolint(
    kit_project: Path, framework: str, tmp_path: Path
) -> None:
    """with_deploy off drops the kit but not the Dockerfile, which must lint as clean."""
    lean = new_project(tmp_path, framework, *LEAN_DATA)
    assert not (lean / "deploy").exists()
    hadolint = kit_project / ".venv-deploy" / "bin" / "hadolint"
    linted = subprocess.run(
        _offline([str(hadolint), "Dockerfile"]),
        cwd=lean, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert_ok(linted, f"hadolint on the lean {framework} Dockerfile")


def test_make_lock_compiles_the_deploy_lock_back_to_itself(tmp_path: Path) -> None:
    """One lock for every project: the same file is rendered in all three frameworks."""
    project = new_project(tmp_path, "flask-api")
    shipped = (project / "requirements-deploy.txt").read_bytes()
    assert_ok(make(project, "lock", env=UV_ON_PATH, timeout=300), "make lock")
    assert (project / "requirements-deploy.txt").read_bytes() == shipped, (
        "templates/_shared/deploy/requirements-deploy.txt is not what `make lock` makes of "
        "requirements-deploy.in: copy a project's freshly locked one over it"
    )
