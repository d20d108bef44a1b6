"""The command line through Typer's CliRunner: exit codes and the words users see."""

import json
import os
import subprocess
import sys

import pytest
import yaml
from typer.testing import CliRunner

from scaffold import __version__
from scaffold.cli import EXIT_USAGE, EXIT_USER_ERROR, _next_steps, app, parse_framework
from scaffold.frameworks import FRAMEWORKS
from tests.conftest import git

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"scaffold {__version__}"


def test_list_shows_every_framework_with_its_description() -> None:
    result = invoke("list")
    assert result.exit_code == 0
    for framework in FRAMEWORKS:
        assert framework.name in result.stdout
        assert framework.description in result.stdout
    assert "backup" in result.stdout


def test_list_json_is_machine_readable() -> None:
    payload = json.loads(invoke("list", "--json").stdout)
    assert [item["name"] for item in payload] == [fw.name for fw in FRAMEWORKS]
    assert all(item["duties"] and item["description"] for item in payload)


def test_new_creates_a_committed_project(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("new", "--no-input", "-f", "fastapi-service", "--name", "demo", "demo")
    assert result.exit_code == 0, result.output
    project = tmp_path / "demo"
    assert "fastapi-service" in result.stdout
    assert "cd demo && make install && make test" in result.stdout
    assert git(project, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert git(project, "status", "--porcelain") == ""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["framework"] == "fastapi-service"
    assert answers["database"] == "sqlite"
    assert answers["_src_path"] == "scaffold"  # a name: no path, no user name
    assert answers["_commit"].startswith(__version__)


def test_destination_name_database_and_data_answers(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(
        "new", "--no-input", "-f", "django-app", "--name", "My Tasks", "--no-git",
        "--database", "postgresql", "--data", "description=Teaching project",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    project = tmp_path / "my_tasks"  # the destination defaults to the package name
    assert not (project / ".git").exists()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["database"] == "postgresql"
    assert answers["description"] == "Teaching project"
    assert answers["package_name"] == "my_tasks"


@pytest.mark.skipif(os.geteuid() == 0, reason="root is not bound by folder permissions")
def test_unwritable_parent_is_a_user_error(tmp_path) -> None:
    parent = tmp_path / "locked"
    parent.mkdir(mode=0o500)
    result = invoke("new", str(parent / "demo"), "--no-input", "-f", "flask-api")
    assert result.exit_code == EXIT_USER_ERROR
    assert "Cannot write in" in result.stderr


@pytest.mark.parametrize("framework", [fw.name for fw in FRAMEWORKS])
def test_exercises_can_be_left_out(tmp_path, framework: str) -> None:
    # Their presence by default is checked on every rendering in tests/templates.
    without = tmp_path / "omitted"
    result = invoke(
        "new", str(without), "--no-input", "-f", framework, "--no-git", "--no-exercises"
    )
    assert result.exit_code == 0, result.output
    assert not (without / "EXERCISES.md").exists()
    assert not (without / "exercises").exists()
    assert not (without / "tests" / "exercises").exists()
    answers = yaml.safe_load((without / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["with_exercises"] is False


def test_non_empty_destination_is_refused_and_left_untouched(tmp_path) -> None:
    target = tmp_path / "demo"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    result = invoke("new", str(target), "--no-input", "-f", "flask-api")
    assert result.exit_code == EXIT_USER_ERROR
    assert "not empty" in result.stderr
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_symlink_destinations_are_refused(tmp_path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    result = invoke("new", str(tmp_path / "link"), "--no-input", "-f", "flask-api")
    assert result.exit_code == EXIT_USER_ERROR
    assert "symbolic link" in result.stderr
    assert list((tmp_path / "real").iterdir()) == []


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--name", "demo"], "--framework flask-api|django-app|fastapi-service"),
        (["-f", "flask-api"], "--name"),
    ],
    ids=["framework", "name"],
)
def test_without_a_terminal_missing_answers_name_the_flag(tmp_path, monkeypatch, args, flag):
    monkeypatch.chdir(tmp_path)
    result = invoke("new", *args)
    assert result.exit_code == EXIT_USER_ERROR
    assert flag in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["json", "class", "tests", "django", "con"])
def test_bad_names_are_refused_with_a_suggestion(tmp_path, name: str) -> None:
    result = invoke("new", str(tmp_path / "proj"), "--no-input", "-f", "flask-api", "--name", name)
    assert result.exit_code == EXIT_USER_ERROR
    assert f"{name!r} cannot be used" in result.stderr
    assert "Hint: Try --name " in result.stderr
    assert not (tmp_path / "proj").exists()


def test_unknown_data_key_is_refused(tmp_path) -> None:
    result = invoke(
        "new", str(tmp_path / "proj"), "--no-input", "-f", "flask-api", "-d", "colour=red"
    )
    assert result.exit_code == EXIT_USER_ERROR
    assert "colour" in result.stderr
    assert "project_name" in result.stderr


def test_malformed_data_is_a_usage_error(tmp_path) -> None:
    result = runner.invoke(
        app, ["new", str(tmp_path / "proj"), "-f", "flask-api", "-d", "novalue"]
    )
    assert result.exit_code == EXIT_USAGE
    assert "KEY=VALUE" in result.output


def test_invalid_choice_through_data_is_a_one_line_error(tmp_path) -> None:
    result = invoke(
        "new", str(tmp_path / "proj"), "--no-input", "-f", "flask-api", "-d", "database=mysql"
    )
    assert result.exit_code == EXIT_USER_ERROR
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.output
    assert not (tmp_path / "proj").exists()
    assert list(tmp_path.iterdir()) == []


def test_a_language_without_a_catalogue_is_refused_with_the_choices(tmp_path) -> None:
    result = invoke(
        "new", str(tmp_path / "proj"), "--no-input", "-f", "flask-api", "-d", "language=fr"
    )
    assert result.exit_code == EXIT_USER_ERROR
    assert "language=fr" in result.stderr
    assert "en, id" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_choice_is_read_in_any_case_and_recorded_as_the_choice(tmp_path) -> None:
    # As --database reads PostgreSQL: the answers file records the choice itself.
    result = invoke(
        "new", str(tmp_path / "proj"), "--no-input", "-f", "flask-api", "--no-git",
        "-d", "language=ID", "-d", "with_exercises=false",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    answers = yaml.safe_load((tmp_path / "proj" / ".copier-answers.yml").read_text("utf-8"))
    assert answers["language"] == "id"


def test_dry_run_lists_files_and_writes_nothing(tmp_path) -> None:
    result = invoke(
        "new", str(tmp_path / "proj"), "--no-input", "-f", "fastapi-service", "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert ".copier-answers.yml" in result.stdout
    assert "nothing was written" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_help_does_not_import_copier() -> None:
    code = (
        "import sys\n"
        "from scaffold.cli import app\n"
        "from typer.testing import CliRunner\n"
        "for args in (['--help'], ['--version'], ['list'], ['new', '--help']):\n"
        "    assert CliRunner().invoke(app, args).exit_code == 0\n"
        "assert 'copier' not in sys.modules, 'copier was imported'\n"
        "assert 'questionary' not in sys.modules, 'questionary was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_shell_completion_installs(tmp_path) -> None:
    env = {"HOME": str(tmp_path), "SHELL": "/bin/bash", "PATH": "/usr/bin:/bin"}
    result = runner.invoke(app, ["--install-completion", "bash"], env=env)
    assert result.exit_code == 0, result.output
    assert "scaffold" in (tmp_path / ".bashrc").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Flask", "flask-api"), ("flask", "flask-api"), ("DJANGO", "django-app"),
     ("FastAPI", "fastapi-service"), ("fastapi-service", "fastapi-service")],
)  # fmt: skip
def test_framework_accepts_the_pickers_words_in_any_case(typed: str, expected: str) -> None:
    assert parse_framework(typed) == expected


def test_data_framework_is_honoured_in_the_pickers_words_too(tmp_path) -> None:
    result = invoke(
        "new", str(tmp_path / "proj"), "--no-input", "-d", "framework=Django", "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert "of a django-app project" in result.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-f", "flask", "-d", "framework=django-app"], "--framework flask-api and --data"),
        (["-f", "flask", "--name", "a_b", "-d", "project_name=c_d"], "--name a_b and --data"),
        (["-f", "flask", "--database", "sqlite", "-d", "database=postgresql"], "disagree"),
    ],
    ids=["framework", "name", "database"],
)
def test_a_flag_and_data_that_disagree_are_refused(tmp_path, args, words: str) -> None:
    result = invoke("new", str(tmp_path / "proj"), "--no-input", *args)
    assert result.exit_code == EXIT_USER_ERROR
    assert words in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_refused_explicit_package_name_hints_at_a_new_one_not_the_given_one(tmp_path) -> None:
    result = invoke(
        "new", str(tmp_path / "proj"), "--no-input", "-f", "flask-api",
        "-d", "package_name=flask", "--name", "flask_app",
    )  # fmt: skip
    assert result.exit_code == EXIT_USER_ERROR
    assert "Hint: Try --data package_name=flask_app." in result.stderr
    assert "--name flask_app" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["-f", "Flaskk"],
        ["-f", "flask", "--database", "mysql"],
        ["-f", "flask", "-d", "database=mysql"],
        ["-f", "flask", "-d", "framework=rails"],
        ["-f", "flask", "-d", "with_exercises=maybe"],
        ["-f", "flask", "-d", "project_name="],
    ],
)
def test_no_message_carries_pydantic_wording(tmp_path, args: list[str]) -> None:
    result = runner.invoke(app, ["new", str(tmp_path / "proj"), "--no-input", *args])
    assert result.exit_code in {EXIT_USAGE, EXIT_USER_ERROR}, result.output
    assert "Value error" not in result.output
    assert "validation error" not in result.output.lower()
    assert "Traceback" not in result.output


def test_next_steps_name_the_folder_as_the_user_would_type_it(tmp_path, monkeypatch) -> None:
    (tmp_path / "clone").mkdir()
    monkeypatch.chdir(tmp_path / "clone")
    assert _next_steps(tmp_path / "myproject") == "cd ../myproject && make install && make test"
    assert _next_steps(tmp_path / "clone") == "make install && make test"
    assert _next_steps(tmp_path / "clone" / "a b") == "cd 'a b' && make install && make test"
