"""Render every supported answer set with pytest-copie and check the output."""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml

from scaffold.engine import GenerateRequest, generate
from tests.conftest import FRAMEWORK_NAMES, TEMPLATES, git

# Each answer set is rendered once per test session (and, under xdist, its tests are kept on
# one worker by the group mark), then every check reads that one rendering.
# Every capability question off: the lean project a learner may start from (DESIGN.md).
LEAN = {
    "with_jobs": False,
    "with_exercises": False,
    "with_files": False,
    "with_deploy": False,
    "with_admin": False,
}
ANSWER_SETS = [
    pytest.param(
        {"framework": fw, "database": db, **extra},
        id=f"{fw}-{name}",
        marks=pytest.mark.xdist_group(name=f"render-{fw}-{name}"),
    )
    for fw in FRAMEWORK_NAMES
    for name, db, extra in (("sqlite", "sqlite", {}),
                            ("postgresql-id", "postgresql", {"language": "id"}),
                            ("lean", "sqlite", LEAN))
]  # fmt: skip
# What only the jobs capability brings: none of it may be left in a project without it.
JOBS_ONLY = re.compile(
    r"huey|aiosmtpd|EMAIL_URL|email_verified|password-reset|verify-email|mail_sink|JOBS_PATH"
    r"|BACKUP_SCHEDULE|make worker",
    re.IGNORECASE,
)
# Jinja left behind by a broken include or a missing `.jinja` suffix. HTML templates of the
# generated project may use their own template tags, so only our syntax is looked for.
LEFTOVER = re.compile(
    r"\{\{\s*(framework|project_name|package_name|description|database|_copier)"
    r"|\{%-?\s*(include|if|endif|for|endfor|raw|endraw|set)\b"
)
# What only the files capability brings (attachments, storage, off-site backups).
# `attachment` alone is not one of them: the export is sent as `Content-Disposition: attachment`.
FILES_ONLY = re.compile(
    r"/attachments|\bAttachment\b|boto3|puremagic|ThreadedMotoServer|moto\[|S3_BUCKET|FILES_DIR"
    r"|BACKUP_REMOTE_URL|backup-offsite|files\.tar"
)
NEVER_SHIPPED = ("__pycache__", ".pyc", "copier.yml", ".jinja", ".git/")


@pytest.fixture(scope="session")
def _renderings() -> dict[str, tuple[Any, dict[str, str]]]:
    """Renderings made so far in this session, by answer set."""
    return {}


@pytest.fixture(params=ANSWER_SETS)
def rendered(request, copie_session, _renderings):
    """The project rendered (once per session) with this answer set. Tests only read it."""
    answers = {"project_name": "Demo Project", **request.param}
    key = repr(sorted(answers.items()))
    if key not in _renderings:
        result = copie_session.copy(extra_answers=answers, template_dir=TEMPLATES)
        assert result.exception is None, result.exception
        assert result.exit_code == 0
        _renderings[key] = (result, answers)
    return _renderings[key]


def test_render_leaves_no_jinja_and_no_template_files(rendered) -> None:
    result, _ = rendered
    project: Path = result.project_dir
    for path in project.rglob("*"):
        relative = path.relative_to(project).as_posix()
        assert "{{" not in relative, relative
        assert "{%" not in relative, relative
        assert not any(marker in relative for marker in NEVER_SHIPPED), relative
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not LEFTOVER.search(text), f"unrendered Jinja in {relative}"


def test_exercises_are_included_by_default(rendered) -> None:
    project, answers = rendered[0].project_dir, rendered[1]
    wanted = answers.get("with_exercises", True)
    assert (project / "EXERCISES.md").is_file() is wanted
    assert (project / "exercises" / "check.py").is_file() is wanted
    assert (project / "tests" / "exercises").is_dir() is wanted
    assert (project / ".github" / "workflows" / "classroom.yml").is_file() is wanted


def test_the_exercises_speak_the_chosen_language(rendered) -> None:
    result, answers = rendered
    if not answers.get("with_exercises", True):
        return
    project: Path = result.project_dir
    language = answers.get("language", "en")
    strings = yaml.safe_load((TEMPLATES / "_shared" / "i18n" / f"{language}.yml").read_text())
    catalog = json.loads((project / "exercises" / "catalog.json").read_text("utf-8"))
    assert catalog["language"] == language
    assert catalog["messages"] == strings["checker"]
    for exercise in catalog["exercises"]:
        texts = strings["exercises"][exercise["slug"]]
        assert (exercise["title"], exercise["hints"]) == (texts["title"], texts["hints"])
        assert [why for _, why in exercise["where"]] == texts["where"][answers["framework"]]
    guide = (project / "EXERCISES.md").read_text("utf-8")
    assert guide.startswith(f"# {strings['exercises_md']['title']}\n")
    for text in (strings["exercises_md"]["intro"], strings["exercises_md"]["teachers"]):
        assert text in guide
    for exercise in catalog["exercises"]:
        for paragraph in strings["exercises"][exercise["slug"]]["goal"]:
            assert paragraph in guide
        assert not any(hint in guide for hint in exercise["hints"]), "hints stay out of the guide"


# README sections that the README templates print only when a question is answered yes.
OPTIONAL_SECTIONS = {
    "jobs": "with_jobs",
    "admin": "with_admin",
    "shared.jobs_and_mail": "with_jobs",
    "shared.files_and_storage": "with_files",
    "shared.production": "with_deploy",
}


def _readme_sections(language: str, answers: dict[str, Any]) -> dict[str, str]:
    """The README's sections in ``language`` as a project with ``answers`` reads them.

    The catalogue is rendered with the answers first, as the template does (it holds the
    conditions and the package name), then parsed: the framework's sections by their key and
    the shared pieces as ``shared.<name>``.
    """
    # Markdown, not HTML: nothing to escape.
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)  # noqa: S701
    source = (TEMPLATES / "_shared" / "i18n" / f"{language}.yml").read_text("utf-8")
    strings = yaml.safe_load(environment.from_string(source).render(answers))["readme"]
    shared = {f"shared.{key}": text for key, text in strings["shared"].items()}
    return {**strings[answers["framework"]], **shared}


def _paragraphs(text: str) -> set[str]:
    return {part.strip() for part in text.split("\n\n") if part.strip()}


def test_the_readme_speaks_the_chosen_language(rendered) -> None:
    # Every section of the README (the framework's own and the shared pieces) is its catalogue
    # string in the chosen language, word for word; no paragraph of another language is there.
    project: Path = rendered[0].project_dir
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    language = recorded["language"]
    readme = (project / "README.md").read_text("utf-8")
    chosen = _readme_sections(language, recorded)
    assert chosen
    for key, text in chosen.items():
        if recorded.get(OPTIONAL_SECTIONS.get(key, ""), True):
            assert text.strip() in readme, f"README.md lacks {language}.yml readme.{key}"
    ours: set[str] = set().union(*map(_paragraphs, chosen.values()))
    for other in ("en", "id"):
        if other == language:
            continue
        for key, text in _readme_sections(other, recorded).items():
            foreign = _paragraphs(text) - ours
            leaked = foreign & _paragraphs(readme)
            assert not leaked, f"{other}.yml readme.{key} in README.md: {sorted(leaked)}"


def test_every_where_pointer_names_a_file_of_the_project_or_a_new_module(rendered) -> None:
    # A learner opens the files the pointers name: each must exist in the fresh project,
    # unless the catalogue lists it as one the learner creates ("new"), and then it must not.
    result, answers = rendered
    if not answers.get("with_exercises", True):
        return
    project: Path = result.project_dir
    catalog = json.loads((project / "exercises" / "catalog.json").read_text("utf-8"))
    wrong = [
        (exercise["number"], path, "new" if path in exercise["new"] else "existing")
        for exercise in catalog["exercises"]
        for path, _why in exercise["where"]
        if (project / path).exists() == (path in exercise["new"])
    ]
    assert not wrong, f"pointers whose file is not what the catalogue says: {wrong}"


def test_the_classroom_workflow_grades_each_exercise_and_the_suite(rendered) -> None:
    project, answers = rendered[0].project_dir, rendered[1]
    if not answers.get("with_exercises", True):
        assert not (project / ".github/workflows/classroom.yml").exists()
        return
    catalog = json.loads((project / "exercises" / "catalog.json").read_text("utf-8"))
    workflow = yaml.safe_load((project / ".github/workflows/classroom.yml").read_text("utf-8"))
    steps = workflow["jobs"]["grade"]["steps"]
    graded = {
        step["id"]: step for step in steps if "autograding-command-grader" in step.get("uses", "")
    }

    for exercise in catalog["exercises"]:
        step = graded.pop(f"exercise-{exercise['number']}")
        assert step["with"]["command"] == (
            f".venv/bin/python -m exercises.check --only {exercise['number']} --no-suite"
        )
        assert step["with"]["max-score"] == exercise["points"]
    assert graded.pop("suite")["with"]["command"] == "make test"
    assert graded == {}
    reporter = steps[-1]
    runners = reporter["with"]["runners"].split(",")
    assert runners == [f"exercise-{e['number']}" for e in catalog["exercises"]] + ["suite"]
    for runner in runners:
        value = reporter["env"][f"{runner.upper()}_RESULTS"]
        assert value == f"${{{{ steps.{runner}.outputs.result }}}}"


def _files_mentioning(project: Path, pattern: re.Pattern[str]) -> set[str]:
    """The project's files whose path or text matches ``pattern``, relative to it."""
    return {
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.is_file()
        and ".git/" not in path.as_posix()
        and pattern.search(
            path.relative_to(project).as_posix() + "\n" + path.read_text("utf-8", errors="replace")
        )
    }


def test_jobs_are_included_by_default_and_leave_no_trace_when_off(rendered) -> None:
    result, answers = rendered
    project: Path = result.project_dir
    traces = _files_mentioning(project, JOBS_ONLY)
    if answers.get("with_jobs", True):
        assert {"tests/jobs/test_worker.py", "tests/contract/test_password_reset.py"} <= traces
        assert "make worker" in (project / "README.md").read_text("utf-8")
    else:
        assert traces == set()


def test_files_are_included_by_default_and_leave_no_trace_when_off(rendered) -> None:
    result, answers = rendered
    project: Path = result.project_dir
    traces = _files_mentioning(project, FILES_ONLY)
    if answers.get("with_files", True):
        wanted = {"tests/files/s3.py", ".env.example", "CONTRACT.md", "ops/backup/archive.py"}
        assert wanted <= traces
        assert (project / "tests" / "contract" / "test_attachments.py").is_file()
        assert "backup-offsite" in (project / "Makefile").read_text("utf-8")
    else:
        assert traces == set()


# What only the production kit's checks bring: the manifests, their lock and make lint-deploy.
DEPLOY_KIT_ONLY = re.compile(
    r"deploy/k8s|lint-deploy|requirements-deploy|\.venv-deploy|hadolint|kubernetes-validate"
    r"|checkov"
)
K8S_MANIFESTS = {
    "kustomization.yaml", "namespace.yaml", "configmap.yaml", "deployment.yaml", "service.yaml",
    "ingress.yaml", "hpa.yaml", "pdb.yaml", "networkpolicy.yaml", "networkpolicy-no-ingress.yaml",
    "migrate-job.yaml",
}  # fmt: skip


def test_deploy_kit_is_included_by_default_and_leaves_no_trace_when_off(rendered) -> None:
    result, answers = rendered
    project: Path = result.project_dir
    traces = _files_mentioning(project, DEPLOY_KIT_ONLY)
    if answers.get("with_deploy", True):
        manifests = {path.name for path in (project / "deploy" / "k8s").iterdir()}
        by_capability = {"with_files": "ingress-attachments.yaml", "with_jobs": "worker.yaml"}
        wanted = {name for key, name in by_capability.items() if answers.get(key, True)}
        assert manifests == K8S_MANIFESTS | wanted
        assert {"requirements-deploy.in", "requirements-deploy.txt"} <= traces
        assert re.search(r"^lint-deploy:", (project / "Makefile").read_text("utf-8"), re.M)
        assert "make lint-deploy" in (project / ".github/workflows/ci.yml").read_text("utf-8")
    else:
        assert not (project / "deploy").exists()
        assert not list(project.glob("requirements-deploy*"))
        assert traces == set()


# What only the metrics bring (CONTRACT.md, section 15): their package, route and settings.
METRICS_ONLY = re.compile(r"prometheus|METRICS_TOKEN|/metrics\b|http_requests_total")


def test_metrics_come_with_the_deploy_kit_and_leave_no_trace_without_it(rendered) -> None:
    result, answers = rendered
    project: Path = result.project_dir
    traces = _files_mentioning(project, METRICS_ONLY)
    if answers.get("with_deploy", True):
        wanted = {
            "requirements.txt",
            ".env.example",
            "CONTRACT.md",
            "tests/contract/test_metrics.py",
        }
        assert wanted <= traces
    else:
        assert traces == set()


# What only the admin site brings (CONTRACT.md, section 16): its library, settings and tests.
ADMIN_SITE_ONLY = re.compile(
    r"flask[-_]admin|sqladmin|django\.contrib\.admin\b|ADMIN_(URL|ENABLED|SESSION_)"
    r"|test_admin_site|admin_pages"
)


def test_admin_site_is_included_by_default_and_leaves_no_trace_when_off(rendered) -> None:
    result, answers = rendered
    project: Path = result.project_dir
    traces = _files_mentioning(project, ADMIN_SITE_ONLY)
    if answers.get("with_admin", True):
        wanted = {".env.example", "CONTRACT.md", "tests/conftest.py"}
        assert wanted <= traces
        assert (project / "tests" / "security" / "test_admin_site.py").is_file()
    else:
        assert not list(project.rglob("test_admin_site.py"))
        assert traces == set()


def test_answers_file_records_every_answer(rendered) -> None:
    result, answers = rendered
    recorded = yaml.safe_load((result.project_dir / ".copier-answers.yml").read_text("utf-8"))
    for key, value in answers.items():
        assert recorded[key] == value
    assert recorded["package_name"] == "demo_project"
    assert "SECRET_KEY" not in str(recorded)


def test_shared_files_are_present_and_identical_across_frameworks(rendered) -> None:
    result, _ = rendered
    project = result.project_dir
    for name in (".gitignore", ".gitattributes", ".editorconfig", ".pre-commit-config.yaml"):
        shared = (TEMPLATES / "_shared" / name.lstrip(".")).read_text(encoding="utf-8")
        assert (project / name).read_text(encoding="utf-8") == shared
    ignored = (project / ".gitignore").read_text(encoding="utf-8").split()
    for entry in (".env", ".venv/", "*.sqlite3", "*.db", "backups/"):
        assert entry in ignored
    example = (project / ".env.example").read_text(encoding="utf-8")
    assert "SECRET_KEY=change-me" in example


def test_database_answer_sets_the_default_url(rendered) -> None:
    result, answers = rendered
    example = (result.project_dir / ".env.example").read_text(encoding="utf-8")
    expected = "postgresql://" if answers["database"] == "postgresql" else "sqlite:///"
    assert f"DATABASE_URL={expected}" in example


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff is not installed")
def test_rendered_project_passes_ruff(rendered) -> None:
    result, _ = rendered
    checked = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=result.project_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_env_has_secrets_and_stays_out_of_the_first_commit(tmp_path) -> None:
    # One framework: .env is written by scaffold from .env.example, the same way for all; the
    # shared .gitignore and each framework's SECRET_KEY placeholder are checked above.
    result = generate(
        GenerateRequest(destination=tmp_path / "demo", framework="flask-api", project_name="demo")
    )
    assert result.committed
    committed = git(result.destination, "ls-files").split()
    assert ".env" not in committed
    assert ".env.example" in committed
    assert ".copier-answers.yml" in committed
    env_text = (result.destination / ".env").read_text(encoding="utf-8")
    secret = next(
        line.split("=", 1)[1] for line in env_text.splitlines() if line.startswith("SECRET_KEY=")
    )
    assert len(secret) >= 60
    for path in committed:
        file = result.destination / path
        if file.is_file():
            assert secret not in file.read_text(encoding="utf-8", errors="replace"), path


def test_readme_quick_start_matches_the_database(rendered) -> None:
    result, answers = rendered
    readme = (result.project_dir / "README.md").read_text(encoding="utf-8")
    recorded = yaml.safe_load((result.project_dir / ".copier-answers.yml").read_text("utf-8"))
    sections = _readme_sections(recorded["language"], recorded)
    quick_start = sections["quick_start"].split("\n", 1)[0]
    first_requests = next(
        line for line in sections["shared.first_requests"].splitlines() if line.startswith("### ")
    )
    start = readme.index(quick_start)
    assert readme.index("make migrate", start) < readme.index(first_requests, start)
    assert '"full_name": "Ada Lovelace"' in readme
    role_advice = "createuser --createdb --pwprompt demo_project"
    if answers["database"] == "postgresql":
        assert role_advice in readme
        assert "postgresql://demo_project@127.0.0.1:5432/demo_project" in readme
    else:
        assert role_advice not in readme
