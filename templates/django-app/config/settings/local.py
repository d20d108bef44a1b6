"""Settings for a developer's machine (ENVIRONMENT=development)."""

import logging
import secrets

from .base import *  # noqa: F403 -- the settings pattern: start from base, change what differs
from .base import SECRET_KEY

if not SECRET_KEY:
    # A throwaway key keeps `make dev` working without a .env; tokens die with the process.
    SECRET_KEY = secrets.token_urlsafe(50)
    logging.getLogger(__name__).warning("SECRET_KEY is not set; using a temporary one")

# Serve the Swagger UI files straight from the installed apps, without collectstatic.
# https://whitenoise.readthedocs.io/en/stable/django.html#WHITENOISE_USE_FINDERS
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
