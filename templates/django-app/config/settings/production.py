"""Settings for production (ENVIRONMENT=production): HTTPS only, secrets from the environment.

`python manage.py check --deploy --fail-level WARNING` passes with these settings; the test
suite runs it. https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403 -- the settings pattern: start from base, change what differs
from .base import env

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret"})
MIN_SECRET_LENGTH = 50

# Refuse to start with a missing, placeholder or short key: everything signed with it (JWTs,
# sessions, CSRF tokens) could be forged. https://docs.djangoproject.com/en/5.2/ref/settings/#secret-key
SECRET_KEY = env.str("SECRET_KEY", default="")
if SECRET_KEY.strip().lower() in PLACEHOLDER_SECRETS or len(SECRET_KEY) < MIN_SECRET_LENGTH:
    message = (
        f"SECRET_KEY must be a random value of at least {MIN_SECRET_LENGTH} characters; "
        "make one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
    raise ImproperlyConfigured(message)

# Never from the environment here: a debug page in production leaks settings and code.
# https://docs.djangoproject.com/en/5.2/ref/settings/#debug
DEBUG = False

# The host names this site answers to, comma-separated (no default in production).
# https://docs.djangoproject.com/en/5.2/ref/settings/#allowed-hosts
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# The proxy (see deploy/nginx example) terminates TLS and says so in X-Forwarded-Proto.
# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Plain-HTTP requests are redirected to HTTPS, except the health probes of the container.
# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-ssl-redirect
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^health/"]

# Browsers remember for a year to use HTTPS only, subdomains included.
# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-hsts-seconds
SECURE_HSTS_SECONDS = 31536000
# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-hsts-include-subdomains
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is a commitment to the browsers' list that is hard to undo, so it is the
# operator's decision, not a default: security.W021 (preload not set) is silenced for that.
# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-hsts-preload
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Cookies only over HTTPS, under __Host- names that a subdomain cannot set or overwrite.
# https://docs.djangoproject.com/en/5.2/ref/settings/#session-cookie-secure
SESSION_COOKIE_SECURE = True
# https://docs.djangoproject.com/en/5.2/ref/settings/#session-cookie-name
SESSION_COOKIE_NAME = "__Host-sessionid"
# https://docs.djangoproject.com/en/5.2/ref/settings/#csrf-cookie-secure
CSRF_COOKIE_SECURE = True
# https://docs.djangoproject.com/en/5.2/ref/settings/#csrf-cookie-name
CSRF_COOKIE_NAME = "__Host-csrftoken"

# Origins (scheme://host) allowed to POST forms to the admin, comma-separated.
# https://docs.djangoproject.com/en/5.2/ref/settings/#csrf-trusted-origins
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Hashed file names (cacheable forever) for collected static files, served by WhiteNoise.
# https://whitenoise.readthedocs.io/en/stable/django.html#add-compression-and-caching-support
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
