"""CSV export, safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return can run as a formula
when the file is opened (CSV injection); such cells get a leading `'`.
https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    """Neutralise a text cell a spreadsheet would run as a formula.

    Args:
        value: A cell value.

    Returns:
        The value, prefixed with `'` when it is text starting with a trigger character.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def to_csv(rows: Iterable[dict[str, Any]], columns: Iterable[str]) -> str:
    """Write rows as CSV with a header row.

    Args:
        rows: Dicts keyed by column name.
        columns: Column names, in order.

    Returns:
        The CSV text.
    """
    header = list(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape_cell("" if row[name] is None else row[name]) for name in header])
    return buffer.getvalue()
