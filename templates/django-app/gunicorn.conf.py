"""Gunicorn settings for `make run` and the container.

https://docs.gunicorn.org/en/stable/settings.html
"""

import os

wsgi_app = "config.wsgi:application"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"

# Sync workers suit a database-bound app; about one or two per core.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A request taking longer than this is killed (and logged) rather than hanging a worker.
timeout = 30
# On SIGTERM, workers finish the requests they hold for up to this long before exiting.
graceful_timeout = 20
keepalive = 5

# Guard the parser against oversized request lines and headers.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Trust X-Forwarded-* only from the reverse proxy on this host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Access and error logs on stdout/stderr, where the container runtime collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
