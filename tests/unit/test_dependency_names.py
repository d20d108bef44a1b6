"""Refused package names follow the templates' requirements, and copier.yml applies them too."""

import re

import pytest
import yaml
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

from scaffold.dependency_names import DEPENDENCY_IMPORTS
from scaffold.errors import InvalidNameError
from scaffold.names import check_package_name, derive_package_name, resolve_names
from tests.conftest import FRAMEWORK_NAMES, TEMPLATES
from tests.unit.refresh_dependency_names import (
    JINJA_TARGET,
    pinned,
    render_jinja,
    requirement_files,
)

REFRESH = "run `.venv/bin/python -m tests.unit.refresh_dependency_names` and commit the result"


def test_every_required_distribution_is_in_the_table() -> None:
    files = requirement_files()
    # requirements.txt, requirements-dev.txt and requirements-audit.txt of each framework
    assert len(files) == 3 * len(FRAMEWORK_NAMES)
    required = set(pinned(files))
    missing = sorted(required - set(DEPENDENCY_IMPORTS))
    stale = sorted(set(DEPENDENCY_IMPORTS) - required)
    assert not missing, f"required but not in the name table: {missing}; {REFRESH}"
    assert not stale, f"in the name table but required by no template: {stale}; {REFRESH}"


def test_the_copier_rule_is_generated_from_the_current_names_module() -> None:
    assert JINJA_TARGET.read_text(encoding="utf-8") == render_jinja(), REFRESH


@pytest.mark.parametrize(
    "name",
    ["dotenv", "click", "whitenoise", "apispec", "itsdangerous", "python_dotenv", "yaml",
     "flask", "django", "fastapi", "starlette", "pydantic", "psycopg", "jwt", "pytest"],
)  # fmt: skip
def test_dependencies_and_their_import_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidNameError, match="shadow a package"):
        check_package_name(name)


@pytest.mark.parametrize("framework", FRAMEWORK_NAMES)
def test_the_projects_own_top_level_folders_and_modules_are_refused(framework: str) -> None:
    for entry in (TEMPLATES / framework).iterdir():
        name = entry.name.removesuffix(".jinja").removesuffix(".py")
        if name.isidentifier() and name == name.lower() and len(name) > 1:
            with pytest.raises(InvalidNameError):
                check_package_name(name)


def _copier_env() -> SandboxedEnvironment:
    """The Jinja environment Copier renders copier.yml with: template root, Ansible filters."""
    return SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATES),
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
    )


def _copier_package_name(project_name: str) -> tuple[str, str]:
    """(default, validator message) that plain Copier gives for ``project_name``."""
    questions = yaml.safe_load((TEMPLATES / "copier.yml").read_text(encoding="utf-8"))
    question = questions["package_name"]
    env = _copier_env()
    default = env.from_string(question["default"]).render(project_name=project_name).strip()
    message = env.from_string(question["validator"]).render(package_name=default).strip()
    return default, message


@pytest.mark.parametrize(
    "project_name",
    ["My App", "my-app", "  Shop 2 Go!! ", "dotenv", "json", "class", "tests", "con", "Flask",
     "x", "9lives", "whitenoise", "match", "a" * 60, "task_board"],
)  # fmt: skip
def test_plain_copier_derives_and_checks_the_package_name_as_scaffold_does(
    project_name: str,
) -> None:
    default, message = _copier_package_name(project_name)
    assert default == derive_package_name(project_name)
    try:
        resolve_names(project_name)
        expected = ""
    except InvalidNameError as error:
        expected = error.message
    assert message == expected


def test_plain_copier_asks_for_the_package_name_when_accents_would_need_folding() -> None:
    default, message = _copier_package_name("Café Tasks")
    assert derive_package_name("Café Tasks") == "cafe_tasks"  # what scaffold would use
    assert default == ""  # no different guess from Copier
    assert re.search(r"Type a package name", message)
