"""`scaffold update` on real projects, real git and real Copier merges."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from scaffold.cli import EXIT_USER_ERROR, app
from scaffold.errors import UpdateError
from scaffold.update import UpdateRequest, update
from tests.conftest import git
from tests.update.conftest import Versions, commit_all

runner = CliRunner()


def answers_of(project: Path) -> dict[str, object]:
    return yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))


def test_update_merges_template_changes_and_keeps_user_edits(project, versions: Versions):
    editorconfig = project / ".editorconfig"
    # An edit at the very place v2 changes (the end of the file) ...
    editorconfig.write_text(
        editorconfig.read_text(encoding="utf-8") + "\n[*.sql]\nindent_size = 8\n",
        encoding="utf-8",
    )
    # ... and one in a file v2 leaves alone.
    attributes = project / ".gitattributes"
    attributes.write_text(attributes.read_text(encoding="utf-8") + "*.csv text\n", "utf-8")
    commit_all(project, "My edits")
    head = git(project, "rev-parse", "HEAD")

    result = update(UpdateRequest(project=project), source=versions.v2)

    assert (result.from_version, result.to_version) == ("1.0.0", "2.0.0")
    assert result.conflicts == (".editorconfig",)
    assert set(result.changed) == {".copier-answers.yml", ".editorconfig", "CHANGELOG.md"}
    assert (project / "CHANGELOG.md").read_text(encoding="utf-8").endswith("- v2\n")
    assert "*.csv text" in attributes.read_text(encoding="utf-8")
    merged = editorconfig.read_text(encoding="utf-8")
    assert "<<<<<<< before updating" in merged
    assert "indent_size = 8" in merged
    assert "indent_size = 2" in merged
    assert answers_of(project)["_commit"] == "2.0.0"
    # The saved answer is kept even though v2 changed that question's default.
    assert answers_of(project)["description"] != "A task service (template v2)."
    status = git(project, "status", "--porcelain").splitlines()
    assert sorted(line[3:] for line in status) == [
        ".copier-answers.yml",
        ".editorconfig",
        "CHANGELOG.md",
    ]
    assert git(project, "rev-parse", "HEAD") == head  # nothing committed behind the user's back


def test_cli_reports_changed_files_and_conflicts_separately(project, versions, monkeypatch):
    editorconfig = project / ".editorconfig"
    editorconfig.write_text(editorconfig.read_text("utf-8") + "\n[*.sql]\nx = 1\n", "utf-8")
    commit_all(project, "Edit")
    monkeypatch.setenv("SCAFFOLD_HOME", str(versions.store.parent))
    monkeypatch.setattr("scaffold.update.template_source", lambda: versions.v2)
    result = runner.invoke(app, ["update", str(project)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "from template version 1.0.0 to 2.0.0" in result.stdout
    assert "Conflicts in 1 file(s):\n  .editorconfig" in result.stdout
    assert "<<<<<<< before updating" in result.stdout


def test_dirty_tree_is_refused_and_untouched(project, versions) -> None:
    (project / "notes.txt").write_text("work in progress", encoding="utf-8")
    with pytest.raises(UpdateError, match="uncommitted changes"):
        update(UpdateRequest(project=project), source=versions.v2)
    assert git(project, "status", "--porcelain").strip() == "?? notes.txt"
    assert answers_of(project)["_commit"] == "1.0.0"


def test_folder_that_is_not_a_project_is_refused(tmp_path, versions) -> None:
    with pytest.raises(UpdateError, match="not a scaffold project"):
        update(UpdateRequest(project=tmp_path), source=versions.v2)


def test_already_up_to_date(project, versions) -> None:
    result = update(UpdateRequest(project=project), source=versions.v1)
    assert result.up_to_date
    assert git(project, "status", "--porcelain") == ""


def test_dry_run_reports_and_writes_nothing(project, versions) -> None:
    before = git(project, "rev-parse", "HEAD")
    result = update(UpdateRequest(project=project, dry_run=True), source=versions.v2)
    assert "CHANGELOG.md" in result.changed
    assert not (project / "CHANGELOG.md").exists()
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "rev-parse", "HEAD") == before


def test_missing_old_version_says_so_and_recopy_works(project, versions, tmp_path) -> None:
    answers_file = project / ".copier-answers.yml"
    answers_file.write_text(
        answers_file.read_text("utf-8").replace(str(versions.store), "/elsewhere/templates"),
        "utf-8",
    )
    commit_all(project, "Generated on another machine")
    with pytest.raises(UpdateError, match="not in the template store here") as caught:
        update(UpdateRequest(project=project), source=versions.v2)
    assert "--recopy" in (caught.value.hint or "")

    result = update(UpdateRequest(project=project, recopy=True), source=versions.v2)
    assert result.recopied
    assert (project / "CHANGELOG.md").is_file()
    assert answers_of(project)["_commit"] == "2.0.0"
    assert answers_of(project)["_src_path"] == str(versions.store)
    assert "CHANGELOG.md" in git(project, "status", "--porcelain")  # left for review


def test_update_interrupted_by_a_real_signal_leaves_the_starting_commit(tmp_path) -> None:
    # The subprocess updates to the installed templates; the project is made from an older,
    # different version in the same store, so there is real work to interrupt.
    from scaffold.engine import GenerateRequest, generate
    from scaffold.store import ensure_version
    from tests.update.conftest import TEMPLATES, make_v2

    home = tmp_path / "home"
    old_dir = tmp_path / "old"
    make_v2(TEMPLATES, old_dir)
    old = ensure_version(old_dir, "0.0.1", home / "templates")
    project = generate(
        GenerateRequest(destination=tmp_path / "demo", framework="flask-api", project_name="demo"),
        source=old,
    ).destination
    start = git(project, "rev-parse", "HEAD")
    env = {**os.environ, "SCAFFOLD_HOME": str(home)}
    for delay in (0.6, 0.9, 1.2, 1.6, 2.0, 2.6, 3.2, 4.0, 5.0, 6.5):
        process = subprocess.Popen(
            [sys.executable, "-m", "scaffold", "update", str(project)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        if process.returncode == 0:
            pytest.fail("the update finished before any interrupt could land")
        if "back at the commit it started from" in stderr:
            assert process.returncode == 130
            break
        # The signal landed before the update began (interpreter start-up, imports): the
        # project cannot have changed; try a later moment.
        assert process.returncode != 0, stderr
    else:
        pytest.fail("no interrupt landed while the update was running")
    assert git(project, "rev-parse", "HEAD") == start
    assert git(project, "status", "--porcelain") == ""
    assert answers_of(project)["_commit"] == "0.0.1"


@pytest.mark.parametrize(
    ("recipe", "code", "verdict"),
    [("\t@echo suite ok", 0, "make test passed."), ("\t@exit 3", EXIT_USER_ERROR, "FAILED")],
    ids=["green", "red"],
)
def test_check_runs_the_projects_own_make_test_and_reports_it(
    project, versions, monkeypatch, recipe: str, code: int, verdict: str
) -> None:
    # The project's test suite is the user's: here a Makefile whose `test` passes or fails.
    (project / "Makefile").write_text(f"test:\n{recipe}\n", encoding="utf-8")
    commit_all(project, "A suite of my own")
    monkeypatch.setattr("scaffold.update.template_source", lambda: versions.v2)
    result = runner.invoke(app, ["update", str(project), "--check"], catch_exceptions=False)
    assert result.exit_code == code, result.output
    assert verdict in result.stdout
    assert answers_of(project)["_commit"] == "2.0.0"
