"""Path converters: ids in URLs are ASCII digits only (CONTRACT.md, numbers in URLs).

Werkzeug's ``int`` converter matches ``\\d+``, which in a Python pattern is any Unicode decimal
digit, and ``int()`` reads those too: ``/tasks/٣`` (Arabic-Indic three) would name task 3.
The replacement takes ``0``-``9`` only and keeps the name, so routes still say ``<int:...>``.
https://werkzeug.palletsprojects.com/en/stable/routing/#custom-converters
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter


class AsciiIntegerConverter(IntegerConverter):
    """Werkzeug's ``int`` converter, matching ASCII digits only."""

    regex = r"[0-9]+"
