"""Interactive questions asked before Copier takes over (framework picker, project name).

questionary (Copier's own prompt library) is imported here only, and this module only when a
terminal is attached, so non-interactive runs never load prompt_toolkit.

The questions look like Copier's: its mark (🎤, Copier's default, which every Copier 9
release shows), the question on its own line and the answer below it. Ctrl-C is not
caught here: it reaches the command line's handler, which says nothing was written and exits
with 130, as it does during Copier's questions.
"""

from __future__ import annotations

import textwrap

import questionary

from scaffold.errors import InvalidNameError, MissingAnswerError
from scaffold.frameworks import FRAMEWORKS
from scaffold.names import resolve_names

QMARK = "\N{MICROPHONE}"  # what Copier shows before its own questions
# Validation messages are wrapped at word boundaries to fit an 80-column terminal.
WIDTH = 78


def question(text: str) -> str:
    """Lay ``text`` out as Copier lays out a question's help: on its own line, answer below."""
    return f"{text}\n  "


def pick_framework() -> str:
    """Ask which framework to use; each one's description shows under the highlighted one.

    The choices are the frameworks' display names, so the echoed answer is one word (the
    description would be cut mid-word at 80 columns).

    Raises:
        MissingAnswerError: When the picker closes without an answer.
    """
    choices = [
        questionary.Choice(title=fw.label, value=fw.name, description=fw.description)
        for fw in FRAMEWORKS
    ]
    answer = questionary.select(
        question("Which web framework should the project use?"), choices=choices, qmark=QMARK
    ).unsafe_ask()
    if answer is None:
        raise MissingAnswerError("No framework chosen.", hint="Pass --framework NAME.")
    return str(answer)


def validate_name(text: str) -> bool | str:
    """Validate a typed project name: True, or why the answer cannot be used and what to type."""
    try:
        resolve_names(text)
    except InvalidNameError as error:
        return textwrap.fill(f"{error.message} {error.answer_hint}", WIDTH)
    return True


def ask_project_name() -> str:
    """Ask for the project name, re-asking until it gives a valid package name.

    Raises:
        MissingAnswerError: When the prompt closes without an answer.
    """
    answer = questionary.text(
        question("Human-readable project name (used in the README and the API title)"),
        validate=validate_name,
        qmark=QMARK,
    ).unsafe_ask()
    if answer is None:
        raise MissingAnswerError("No project name given.", hint="Pass --name NAME.")
    return str(answer).strip()
