"""copier.yml's questions read well on an 80-column terminal."""

import pytest
import yaml

from tests.conftest import TEMPLATES

QUESTIONS = {
    key: value
    for key, value in yaml.safe_load((TEMPLATES / "copier.yml").read_text("utf-8")).items()
    if not key.startswith("_")
}


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_help_fits_one_line_of_80_columns(name: str) -> None:
    # Copier prints "🎤 " (the mark is two columns wide), then the help, then two spaces; a
    # terminal's 80th column is written apart, so 79 columns is the most that stays whole.
    shown = 3 + len(QUESTIONS[name]["help"]) + 2
    assert shown <= 79, f"{name}: {shown} columns"
    assert "\n" not in QUESTIONS[name]["help"]


@pytest.mark.parametrize("name", sorted(q for q in QUESTIONS if "choices" in QUESTIONS[q]))
def test_choices_fit_80_columns(name: str) -> None:
    for title in QUESTIONS[name]["choices"]:
        assert 3 + len(title) <= 79, title
