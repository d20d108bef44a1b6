"""Keep pydantic out of commands that never coerce a value (`list`, `--help`, `--version`).

Typer 0.29 coerces every parameter through a pydantic `TypeAdapter`, built on first use. It
builds that adapter even for an option the user did not give (`--help`, the completion
options), whose value is `None` and which typer's own coercion then returns unchanged. Building
it imports pydantic: about half of `scaffold list`'s start-up time.

:func:`skip_coercion_of_missing_values` makes a missing value (`None`, for a single-valued
parameter) go through typer's own `process_value` with a pass-through coercion, so the
required-check and the callback still run exactly as typer wrote them, and the adapter is built
only when there is a value to coerce. Everything about it lives here;
`tests/unit/test_typer_startup.py` fails when a typer release makes it unnecessary (typer
stops importing pydantic for missing values on its own) or wrong (the private names it uses
change).
"""

from __future__ import annotations

from typing import Any

from typer import core


class _PassThrough:
    """Stands in for typer's runtime coercion of one parameter while its value is `None`."""

    @staticmethod
    def coerce(value: Any, param: Any, ctx: Any) -> Any:  # noqa: ARG004 - typer's signature
        """Return `value` as it is, as typer's own coercion does for `None`."""
        return value


_PASS_THROUGH = _PassThrough()
_typer_process_value = core._TyperParameter.process_value  # noqa: SLF001 - see the docstring


def _process_value(self: core._TyperParameter, ctx: Any, value: Any) -> Any:
    """Typer's `process_value`, with a pass-through coercion while the value is missing."""
    missing = value is None and not (self.multiple or self.nargs == -1)
    if not missing or self._runtime_param is not None:
        return _typer_process_value(self, ctx, value)
    self._runtime_param = _PASS_THROUGH  # type: ignore[assignment]
    try:
        return _typer_process_value(self, ctx, value)
    finally:
        # Back to "not built yet": a later real value still gets typer's own coercion.
        self._runtime_param = None


def skip_coercion_of_missing_values() -> None:
    """Install the pass-through for missing values on typer's parameter class (idempotent)."""
    core._TyperParameter.process_value = _process_value  # type: ignore[method-assign]  # noqa: SLF001
