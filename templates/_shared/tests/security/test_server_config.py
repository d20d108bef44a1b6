"""The server configuration files the project ships (CONTRACT.md, gunicorn).

Each gunicorn config is loaded the way `gunicorn -c FILE` loads it, in a fresh interpreter
at the project root (a config file may read `.env`, which must not leak into this process).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONFIGS = sorted(PROJECT_ROOT.glob("gunicorn*.conf.py"))

# Loads one config file through gunicorn's own loader and prints the settings it ends with.
LOAD_LIKE_GUNICORN = """
import json, sys
from gunicorn.app.base import Application

class Probe(Application):
    def init(self, parser, opts, args):
        return None

    def load_config(self):
        self.load_config_from_file(sys.argv[1])

    def load(self):
        return None

cfg = Probe().cfg
print(json.dumps({"control_socket_disable": cfg.control_socket_disable}))
"""


def gunicorn_settings(config):
    """Load ``config`` as gunicorn would and return the settings this suite checks.

    Args:
        config: Path of a gunicorn configuration file.

    Returns:
        ``{setting: value}``.
    """
    result = subprocess.run(  # noqa: S603 -- our own interpreter running a fixed script
        [sys.executable, "-c", LOAD_LIKE_GUNICORN, str(config)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not GUNICORN_CONFIGS, reason="this project has no gunicorn config")
@pytest.mark.parametrize("config", GUNICORN_CONFIGS, ids=lambda path: path.name)
def test_gunicorn_opens_no_control_socket(config):
    # The control socket (gunicorn 25+) is a Unix socket in the home folder by default: two
    # instances share its path, and anyone who can write to it controls the server.
    assert gunicorn_settings(config)["control_socket_disable"] is True
