"""Settings for the test suite (pytest-django reads DJANGO_SETTINGS_MODULE from pyproject)."""

import os
import secrets
import tempfile
from pathlib import Path

from .base import *  # noqa: F403 -- the settings pattern: start from base, change what differs
from .base import env

# A fresh random key per run: nothing signed in one run is trusted by the next.
SECRET_KEY = secrets.token_urlsafe(50)

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# Argon2id still, but with the smallest costs: production parameters would dominate the run
# time. Tests that check the real parameters switch back with override_settings.
PASSWORD_HASHERS = ["tests.hashers.CheapArgon2idPasswordHasher"]

# A test-only route that raises, for the "generic 500" tests.
ROOT_URLCONF = "config.urls_test"

# Each run gets its own database: a SQLite file in the temporary folder, or a database on
# the PostgreSQL server named by TEST_DATABASE_URL. pytest-django creates it, migrates it
# and drops it; under pytest-xdist every worker adds its own suffix.
_RUN = f"{os.getpid()}"
if os.environ.get("TEST_DATABASE_URL"):
    DATABASES = {"default": env.db_url("TEST_DATABASE_URL")}
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_RUN}"}
else:
    _FOLDER = Path(tempfile.gettempdir())
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(_FOLDER / f"django-app-{_RUN}.sqlite3"),
            # A crash cannot lose data that matters here, so commits skip the disk flush.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA synchronous=OFF",
            },
            "TEST": {"NAME": str(_FOLDER / f"django-app-test-{_RUN}.sqlite3")},
        }
    }

# Static files (the Swagger UI of /docs) come from the installed apps; no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The memory store unless a test points the throttle at Redis on purpose, and the limits of
# CONTRACT.md with no trusted proxy (tests set the peer address through the transport).
RATE_LIMIT_STORAGE_URL = "memory://"
LOGIN_FAILURE_LIMIT = "5/15minutes"
LOGIN_EMAIL_FAILURE_LIMIT = "100/15minutes"
TRUSTED_PROXIES = []

# Whatever the developer's shell says, tests see the defaults of CONTRACT.md.
CORS_ALLOWED_ORIGINS = []
MAX_BODY_BYTES = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES
ACCESS_TOKEN_MINUTES = 15
REFRESH_TOKEN_DAYS = 14
DEBUG = False
