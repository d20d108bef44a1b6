"""``python -m <package>.check``: build the app from the settings, as a server start would.

Exit status 0 when the app starts; otherwise 1, with one line on stderr naming the setting
and the rule it breaks (never a setting's value, never a traceback). Deploy scripts and
container health checks can run it before switching traffic to a new release.
"""

from __future__ import annotations

import sys

from . import create_app
from .config import ConfigError


def main() -> int:
    """Build the app once and report whether its settings were accepted.

    Returns:
        The process exit status.
    """
    try:
        create_app(commands=False)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)  # noqa: T201 - a command-line message
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
