"""Gunicorn settings for `make run` and the container.

https://docs.gunicorn.org/en/stable/settings.html
"""

import os

import environ

from config.env import BASE_DIR

# The same .env the app reads, so REDIS_URL below is seen here too.
environ.Env.read_env(BASE_DIR / ".env")

wsgi_app = "config.wsgi:application"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"

# The login throttle counts failures in memory unless REDIS_URL is set, and memory is per
# process: several worker processes would each allow five failures. So without Redis one
# process serves, with threads for concurrency; with Redis, one process per core.
# https://docs.gunicorn.org/en/stable/design.html#how-many-workers
shared_throttle = bool(os.environ.get("REDIS_URL"))
workers = int(os.environ.get("WEB_CONCURRENCY", "2" if shared_throttle else "1"))
threads = int(os.environ.get("GUNICORN_THREADS", "1" if shared_throttle else "4"))

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

# No control socket (gunicorn 25.1+): by default it is a Unix socket in the home folder, whose
# path two instances share and through which anyone able to write to it controls the server.
# https://docs.gunicorn.org/en/stable/settings.html (section "Control")
control_socket_disable = True

# The app writes its own JSON access-log line per request, naming the client the trusted
# proxies saw (gunicorn's would name nginx); errors go to stderr for the container runtime.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
