"""scaffold/copier_workers.py: still needed, and the projects it renders are Copier's own."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import copier
import pytest
from copier._main import Worker

from scaffold.engine import GenerateRequest, build_answers, render
from scaffold.store import TemplateRef, packaged_templates


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root``: its bytes and permission bits."""
    return {
        str(path.relative_to(root)): (path.read_bytes(), stat.S_IMODE(path.stat().st_mode))
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_copier_still_runs_its_git_index_sync_once_per_file(tmp_path: Path) -> None:
    # When this fails, Copier renamed the method or stopped calling it per file: the override
    # in copier_workers.py is dead or wrong; read Copier's new code and adapt or delete it.
    template = tmp_path / "template"
    (template / "sub").mkdir(parents=True)
    for name in ("a.txt", "sub/b.txt.jinja", "run.sh"):
        (template / name).write_text("{{ greeting }}\n" if name.endswith(".jinja") else "x\n")
    (template / "copier.yml").write_text("greeting:\n  type: str\n  default: hello\n")
    (template / "run.sh").chmod(0o755)
    calls: list[tuple[str, int]] = []

    class CountingWorker(Worker):
        def _sync_git_index_executable_bit(self, dst_relpath: Any, src_mode: int) -> None:
            calls.append((str(dst_relpath), src_mode))
            super()._sync_git_index_executable_bit(dst_relpath, src_mode)

    with CountingWorker(
        src_path=str(template), dst_path=tmp_path / "out", defaults=True, quiet=True
    ) as worker:
        worker.run_copy()

    assert sorted(path for path, _ in calls) == ["a.txt", "run.sh", "sub/b.txt"]
    assert (tmp_path / "out" / "sub" / "b.txt").read_text() == "hello\n"


@pytest.mark.parametrize("framework", ["fastapi-service"])
def test_a_new_project_is_byte_identical_to_plain_copier(tmp_path: Path, framework: str) -> None:
    # One framework is enough: the override does not look at what it renders.
    answers = build_answers(
        GenerateRequest(destination=tmp_path / "demo", framework=framework, project_name="Demo")
    )
    ref = TemplateRef(packaged_templates(), None)

    render(ref, tmp_path / "ours" / "demo", answers, interactive=False)
    copier.run_copy(
        str(ref.repo),
        tmp_path / "copier" / "demo",
        data=dict(answers),
        settings=copier.Settings(),
        defaults=True,
        quiet=True,
    )

    ours, theirs = _tree(tmp_path / "ours" / "demo"), _tree(tmp_path / "copier" / "demo")
    assert ".copier-answers.yml" in ours
    assert sorted(ours) == sorted(theirs)
    assert [name for name in ours if ours[name] != theirs[name]] == []
