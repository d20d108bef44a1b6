"""WSGI entry point used by gunicorn (`config.wsgi:application`).

https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

from django.core.wsgi import get_wsgi_application

from config.env import configure_settings_module, load_settings

configure_settings_module()
load_settings()

application = get_wsgi_application()
