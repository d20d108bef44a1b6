"""Interactive questions asked before Copier takes over (framework picker, project name).

questionary (Copier's own prompt library) is imported here only, and this module only when a
terminal is attached, so non-interactive runs never load prompt_toolkit.
"""

from __future__ import annotations

import questionary

from scaffold.errors import InvalidNameError, MissingAnswerError
from scaffold.frameworks import FRAMEWORKS
from scaffold.names import resolve_names


def pick_framework() -> str:
    """Ask which framework to use, showing each one's one-line description.

    Raises:
        MissingAnswerError: When the picker is dismissed (Ctrl-D / Escape).
    """
    choices = [
        questionary.Choice(title=f"{fw.label:<8} {fw.description}", value=fw.name)
        for fw in FRAMEWORKS
    ]
    answer = questionary.select("Which framework?", choices=choices).ask()
    if answer is None:
        raise MissingAnswerError("No framework chosen.", hint="Pass --framework NAME.")
    return str(answer)


def _validate_name(text: str) -> bool | str:
    try:
        resolve_names(text)
    except InvalidNameError as error:
        return f"{error.message} {error.hint or ''}".strip()
    return True


def ask_project_name() -> str:
    """Ask for the project name, re-asking until it gives a valid package name.

    Raises:
        MissingAnswerError: When the prompt is dismissed.
    """
    answer = questionary.text("Project name:", validate=_validate_name).ask()
    if answer is None:
        raise MissingAnswerError("No project name given.", hint="Pass --name NAME.")
    return str(answer).strip()
