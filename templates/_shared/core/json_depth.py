"""The nesting limit of JSON request bodies (CONTRACT.md, request bodies).

Python's ``json`` module parses nested arrays and objects recursively, so a small body of a
few thousand ``[`` characters exhausts the interpreter's stack (``RecursionError``) before any
validation runs. Every body is parsed through :func:`loads` instead, which refuses a document
nested deeper than :data:`MAX_JSON_DEPTH` levels with :class:`JsonTooDeepError`, a
``ValueError`` like any other invalid JSON, so the caller answers 400 for both.
"""

from __future__ import annotations

import json
from typing import Any

# The outermost object or array is level 1; no document of this API needs more than a few.
MAX_JSON_DEPTH = 32

__all__ = ["MAX_JSON_DEPTH", "JsonTooDeepError", "json_depth", "loads"]


class JsonTooDeepError(ValueError):
    """A JSON document nests arrays and objects deeper than the limit."""

    def __init__(self, limit: int = MAX_JSON_DEPTH) -> None:
        """Name the limit in the message, never the document."""
        super().__init__(f"JSON nested deeper than {limit} levels")
        self.limit = limit


def json_depth(value: Any) -> int:
    """Measure how deeply a parsed JSON value nests arrays and objects.

    The walk keeps its own stack instead of recursing, so any value Python could build is
    measured without touching the interpreter's recursion limit.

    Args:
        value: What ``json.loads`` returned.

    Returns:
        0 for a scalar, 1 for a flat array or object, one more per level inside.
    """
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in children)
    return deepest


def loads(document: str | bytes, *, limit: int = MAX_JSON_DEPTH, **kwargs: Any) -> Any:
    """Parse a JSON document that nests at most ``limit`` levels.

    Args:
        document: The request body (bytes are decoded as ``json.loads`` does).
        limit: The deepest nesting accepted.
        **kwargs: Passed on to ``json.loads`` (``object_hook``, ...).

    Returns:
        The parsed value.

    Raises:
        JsonTooDeepError: The document nests deeper than ``limit``.
        json.JSONDecodeError: The document is not JSON (also a ``ValueError``).
    """
    try:
        value = json.loads(document, **kwargs)
    except RecursionError as error:
        # Far deeper than the limit: the parser ran out of stack before it finished.
        raise JsonTooDeepError(limit) from error
    if json_depth(value) > limit:
        raise JsonTooDeepError(limit)
    return value
