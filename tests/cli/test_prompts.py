"""The interactive questions, driven through prompt_toolkit's pipe input."""

from collections.abc import Iterator

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput

from scaffold.errors import MissingAnswerError
from scaffold.prompts import ask_project_name, pick_framework

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


def test_dismissed_picker_is_a_missing_answer(keys) -> None:
    keys.send_text("\x03")  # Ctrl-C: questionary's ask() returns None
    with pytest.raises(MissingAnswerError, match="No framework chosen"):
        pick_framework()


def test_name_prompt_rejects_bad_names_until_a_good_one(keys) -> None:
    keys.send_text("json" + ENTER)  # refused: shadows the standard library
    keys.send_text("\x7f" * 4 + "Task Board" + ENTER)  # erase, then a valid name
    assert ask_project_name() == "Task Board"
