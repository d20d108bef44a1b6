"""The JSON parser of the API: DRF's, with the nesting limit of CONTRACT.md.

Python's `json` parses nested arrays and objects recursively, so a small body of a few
thousand `[` would exhaust the stack (a 500 with a long traceback in the log). Bodies go through
the shared `json_depth.loads` instead, which refuses more than 32 levels: a 400 like any other
body that is not acceptable JSON, and one short log line.
https://www.django-rest-framework.org/api-guide/parsers/#custom-parsers
"""

from __future__ import annotations

import codecs
import logging
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

from .json_depth import JsonTooDeepError, loads

if TYPE_CHECKING:
    from collections.abc import Mapping

logger = logging.getLogger(__name__)


class JSONParser(parsers.JSONParser):
    """Parse a JSON body that nests at most 32 levels of arrays and objects."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,  # noqa: ARG002 -- DRF's signature; JSON only here
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        """Parse the body.

        Raises:
            ParseError: The body is not JSON, holds NaN or Infinity, or nests too deeply (400).
        """
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            return loads(text, parse_constant=strict_constant)
        except JsonTooDeepError as error:
            logger.warning("request_body_too_deep", extra={"limit": error.limit})
            message = (
                f"The body is nested too deeply: at most {error.limit} levels of arrays and "
                "objects are accepted."
            )
            raise ParseError(message) from None
        except ValueError as error:
            message = f"JSON parse error - {error}"
            raise ParseError(message) from None
