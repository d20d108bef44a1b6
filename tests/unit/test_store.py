"""The template store is a real git repository; these tests drive real git."""

from pathlib import Path

import pytest

from scaffold.store import ensure_version, has_tag, packaged_templates, store_path
from tests.conftest import TEMPLATES, git


@pytest.fixture
def template_root(tmp_path: Path) -> Path:
    root = tmp_path / "tpl"
    (root / "fw").mkdir(parents=True)
    (root / "copier.yml").write_text("_subdirectory: fw\nname:\n  type: str\n", encoding="utf-8")
    (root / "fw" / "README.md.jinja").write_text("# {{ name }}\n", encoding="utf-8")
    (root / "fw" / "__pycache__").mkdir()
    (root / "fw" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    return root


def test_first_run_tags_the_version_and_later_runs_reuse_it(tmp_path, template_root) -> None:
    store = tmp_path / "store"
    first = ensure_version(template_root, "1.2.0", store)
    again = ensure_version(template_root, "1.2.0", store)
    assert first.tag == again.tag == "1.2.0"
    assert has_tag(store, "1.2.0")
    files = git(store, "ls-tree", "-r", "--name-only", "1.2.0").split()
    assert sorted(files) == ["copier.yml", "fw/README.md.jinja"]  # caches never recorded


def test_changed_templates_under_the_same_version_get_an_ordered_dev_tag(
    tmp_path, template_root
) -> None:
    store = tmp_path / "store"
    ensure_version(template_root, "1.2.0", store)
    (template_root / "fw" / "NEW.md").write_text("new\n", encoding="utf-8")
    assert ensure_version(template_root, "1.2.0", store).tag == "1.2.0+dev.1"
    (template_root / "fw" / "NEW.md").write_text("newer\n", encoding="utf-8")
    assert ensure_version(template_root, "1.2.0", store).tag == "1.2.0+dev.2"
    assert ensure_version(template_root, "1.3.0", store).tag == "1.3.0"
    log = git(store, "log", "--format=%s", "main").splitlines()
    assert log[0] == "scaffold templates 1.3.0"
    assert len(log) == 4


def test_store_location_follows_scaffold_home(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SCAFFOLD_HOME", str(tmp_path))
    assert store_path() == tmp_path.resolve() / "templates"


def test_source_checkout_finds_the_templates() -> None:
    assert packaged_templates() == TEMPLATES
