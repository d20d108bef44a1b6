"""Which rendering failures reach the user as a message, and which stay bugs with a traceback."""

from pathlib import Path

import pytest

from scaffold.engine import render
from scaffold.errors import TemplateError
from scaffold.store import TemplateRef


def _template(root: Path, body: str) -> TemplateRef:
    (root / "fw").mkdir(parents=True)
    (root / "copier.yml").write_text(
        "_subdirectory: fw\n"
        "name:\n  type: str\n"
        "  validator: \"{% if name == 'bad' %}name must not be bad{% endif %}\"\n",
        encoding="utf-8",
    )
    (root / "fw" / "out.txt.jinja").write_text(body, encoding="utf-8")
    return TemplateRef(root, None)


def test_a_refused_answer_is_a_template_error_without_pydantic_wording(tmp_path) -> None:
    ref = _template(tmp_path / "tpl", "{{ name }}\n")
    with pytest.raises(TemplateError, match="name must not be bad") as caught:
        render(ref, tmp_path / "out", {"name": "bad"}, interactive=False)
    assert "Value error" not in caught.value.message


# Copier leaves a directory iterator open when a template raises mid-render.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_type_error_in_a_template_stays_a_bug(tmp_path) -> None:
    ref = _template(tmp_path / "tpl", "{{ 1 + name }}\n")  # int + str: a template bug
    with pytest.raises(TypeError):
        render(ref, tmp_path / "out", {"name": "ok"}, interactive=False)
