"""The interactive questions, driven through prompt_toolkit's pipe input."""

from collections.abc import Iterator

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput

from scaffold.frameworks import FRAMEWORKS
from scaffold.prompts import ask_project_name, pick_framework, validate_name

DOWN, ENTER = "\x1b[B", "\r"


@pytest.fixture
def keys() -> Iterator[PipeInput]:
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield pipe


@pytest.mark.parametrize(
    ("typed", "expected"),
    [(ENTER, "flask-api"), (DOWN + ENTER, "django-app"), (DOWN + DOWN + ENTER, "fastapi-service")],
)
def test_picker_returns_the_highlighted_framework(keys, typed: str, expected: str) -> None:
    keys.send_text(typed)
    assert pick_framework() == expected


def test_ctrl_c_at_the_picker_is_an_interrupt(keys) -> None:
    keys.send_text("\x03")
    with pytest.raises(KeyboardInterrupt):
        pick_framework()


def test_ctrl_c_at_the_name_question_is_an_interrupt(keys) -> None:
    keys.send_text("\x03")
    with pytest.raises(KeyboardInterrupt):
        ask_project_name()


def test_name_prompt_rejects_bad_names_until_a_good_one(keys) -> None:
    keys.send_text("json" + ENTER)  # refused: shadows the standard library
    keys.send_text("\x7f" * 4 + "Task Board" + ENTER)  # erase, then a valid name
    assert ask_project_name() == "Task Board"


@pytest.mark.parametrize("typed", ["class", "json", "flask", "", "x" * 101, "9"])
def test_interactive_validation_talks_about_the_answer_not_flags(typed: str) -> None:
    message = validate_name(typed)
    assert isinstance(message, str)
    assert "--" not in message
    assert all(len(line) <= 79 for line in message.splitlines())


def test_refused_name_suggests_what_to_type() -> None:
    message = validate_name("class")
    assert isinstance(message, str)
    assert "Try class_app." in " ".join(message.split())


def test_picker_choices_are_the_frameworks_short_names() -> None:
    # The echoed answer is the choice's title: one word, never the description.
    assert [fw.label for fw in FRAMEWORKS] == ["Flask", "Django", "FastAPI"]
    for fw in FRAMEWORKS:
        # 79: prompt_toolkit writes the 80th column apart, which splits the text.
        assert len("  Description: " + fw.description) <= 79, fw.name
