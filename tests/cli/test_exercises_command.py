"""`scaffold exercises` refusals; the real checker run is in the slow tier."""

from typer.testing import CliRunner

from scaffold.cli import EXIT_USER_ERROR, app

runner = CliRunner()


def test_folder_that_is_not_a_project_is_refused(tmp_path) -> None:
    result = runner.invoke(app, ["exercises", str(tmp_path)])
    assert result.exit_code == EXIT_USER_ERROR
    assert "is not a scaffold project" in result.stderr


def test_project_without_exercises_says_so(tmp_path) -> None:
    (tmp_path / ".copier-answers.yml").write_text("framework: flask-api\n", encoding="utf-8")
    result = runner.invoke(app, ["exercises", str(tmp_path)])
    assert result.exit_code == EXIT_USER_ERROR
    assert "has no exercises" in result.stderr


def test_project_not_installed_yet_points_at_make_install(tmp_path) -> None:
    (tmp_path / ".copier-answers.yml").write_text("framework: flask-api\n", encoding="utf-8")
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "check.py").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["exercises", str(tmp_path)])
    assert result.exit_code == EXIT_USER_ERROR
    assert "make install" in result.stderr


def test_hint_must_name_an_exercise(tmp_path) -> None:
    result = runner.invoke(app, ["exercises", str(tmp_path), "--hint", "0"])
    assert result.exit_code == 2
