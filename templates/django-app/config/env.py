"""Choose the settings module from the ENVIRONMENT variable.

The `.env` file is read here, by the entry points (manage.py, wsgi.py), and not by the settings
themselves: tests pick `config.settings.test` explicitly and stay independent of a developer's
`.env`. Values already present in the environment win over the file.
"""

import os
from pathlib import Path

import environ
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

SETTINGS_BY_ENVIRONMENT = {
    "development": "config.settings.local",
    "production": "config.settings.production",
    "test": "config.settings.test",
}


def configure_settings_module() -> None:
    """Read `.env` and set DJANGO_SETTINGS_MODULE from ENVIRONMENT.

    An ENVIRONMENT given in the process environment always decides. Otherwise a
    DJANGO_SETTINGS_MODULE the caller set wins (`make lint` picks the production settings that
    way), and last the ENVIRONMENT of `.env`, `development` when there is none.

    Raises:
        SystemExit: ENVIRONMENT names no known environment.
    """
    chosen_by_caller = "ENVIRONMENT" in os.environ
    environ.Env.read_env(BASE_DIR / ".env")
    environment = os.environ.get("ENVIRONMENT", "development")
    if environment not in SETTINGS_BY_ENVIRONMENT:
        choices = ", ".join(SETTINGS_BY_ENVIRONMENT)
        message = f"ENVIRONMENT={environment!r} is not one of: {choices}"
        raise SystemExit(message)
    if chosen_by_caller:
        os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_BY_ENVIRONMENT[environment]
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_BY_ENVIRONMENT[environment])


def load_settings() -> None:
    """Read the settings now, so a refused one stops the start with a one-line message.

    The settings modules refuse a weak SECRET_KEY or a missing ALLOWED_HOSTS in production
    with `ImproperlyConfigured`; its message names the setting and the rule, never a value, and
    a traceback would add nothing but noise.

    Raises:
        SystemExit: A setting was refused (exit status 1, the message on stderr).
    """
    try:
        _ = settings.INSTALLED_APPS
    except ImproperlyConfigured as error:
        message = f"Refusing to start: {error}"
        raise SystemExit(message) from None
