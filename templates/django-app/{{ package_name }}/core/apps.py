"""App configuration for the shared plumbing."""

from django.apps import AppConfig
from django.db.backends.signals import connection_created

from .sqlite import make_new_database_private


class CoreConfig(AppConfig):
    """Registers `core` (no models; it holds middleware, errors and health views)."""

    # The dotted path of this package, so the file needs no project name.
    name = __name__.rpartition(".")[0]
    label = "core"

    def ready(self) -> None:
        """Make every SQLite file the project creates owner-only (CONTRACT.md, data)."""
        connection_created.connect(make_new_database_private, dispatch_uid="private-sqlite")
