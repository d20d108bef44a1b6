#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

https://docs.djangoproject.com/en/5.2/ref/django-admin/
"""

import sys

from django.core.management import execute_from_command_line

from config.env import configure_settings_module, load_settings


def main() -> None:
    """Pick the settings module from ENVIRONMENT, then run the requested command."""
    configure_settings_module()
    load_settings()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
