"""`python manage.py run_huey`: the job worker of `make worker`, with the project's checks first.

Huey's own command (`huey.contrib.djhuey`) runs the consumer. Django finds this one first,
since `core` comes before Huey in INSTALLED_APPS: it refuses a production start without a
mail server, then says where the mail goes and when the backups run, and hands over.
https://docs.djangoproject.com/en/5.2/howto/custom-management-commands/#overriding-commands
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from huey.contrib.djhuey.management.commands import run_huey


class Command(run_huey.Command):  # type: ignore[misc]  # Huey ships no types
    """Huey's consumer, started only with settings it can work with."""

    help = "Run the job worker: mail, and the scheduled backups (CONTRACT.md, section 12)."

    def handle(self, *args: Any, **options: Any) -> None:
        """Check the mail settings, say where jobs and mail go, then run Huey's consumer.

        Raises:
            CommandError: Production without EMAIL_URL (one line, exit status 1).
        """
        if settings.EMAIL_SERVER_REQUIRED and settings.EMAIL_SERVER is None:
            message = (
                "Refusing to start: EMAIL_URL is empty, and in production messages must reach "
                "a mail server (e.g. EMAIL_URL=smtp+tls://user:password@mail.example.com:587)"
            )
            raise CommandError(message)
        if "url" in settings.HUEY:
            # Not the URL itself: it may hold a password.
            queue = "Redis (REDIS_URL)"
        else:
            queue = f"the SQLite file {Path(settings.HUEY['filename']).resolve()}"
        self.stdout.write(f"Queue {settings.JOBS_QUEUE!r}: {queue}")
        if settings.EMAIL_SERVER is None:
            folder = settings.EMAIL_FILE_PATH
            self.stdout.write(f"Mail: no EMAIL_URL, so each message is written to {folder}/")
        else:
            self.stdout.write(f"Mail: sent through {settings.EMAIL_SERVER!r}")
        if settings.BACKUP_SCHEDULE.strip().lower() == "off":
            self.stdout.write("Backups: not scheduled (BACKUP_SCHEDULE=off)")
        else:
            schedule, keep = settings.BACKUP_SCHEDULE, settings.BACKUP_KEEP
            self.stdout.write(f"Backups: at {schedule!r} (cron, UTC), keeping the newest {keep}")
        super().handle(*args, **options)
