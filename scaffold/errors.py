"""The one error hierarchy of scaffold.

Only :mod:`scaffold.cli` catches these and turns them into a message and an exit code; every
other module raises them. Anything that is not a :class:`ScaffoldError` is a bug and is shown
as a traceback.
"""

from __future__ import annotations


class ScaffoldError(Exception):
    """Base class of every error scaffold raises on purpose."""


class UserError(ScaffoldError):
    """Something the user can fix: bad input, a refused destination, a broken environment.

    Args:
        message: One line saying what is wrong.
        hint: Optional one line saying what to do about it.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InvalidNameError(UserError):
    """The project or package name cannot be used.

    Args:
        message: One line saying what is wrong.
        hint: What to pass on the command line instead (names a flag).
        answer_hint: The same advice for someone answering a question at the prompt, who
            has no flags to pass: what to type instead.
    """

    def __init__(self, message: str, hint: str | None = None, *, answer_hint: str) -> None:
        super().__init__(message, hint)
        self.answer_hint = answer_hint


class DestinationError(UserError):
    """The destination folder is refused (exists, is a symlink, has `..` parts, ...)."""


class MissingAnswerError(UserError):
    """A required answer is missing and there is no terminal to ask it on."""


class TemplateError(UserError):
    """Copier or Jinja failed while rendering; the message is Copier's own, on one line."""


class UpdateError(UserError):
    """`scaffold update` refused to run or could not finish; the project was left unchanged."""
