"""App configuration for the shared plumbing."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Registers `core` (no models; it holds middleware, errors and health views)."""

    # The dotted path of this package, so the file needs no project name.
    name = __name__.rpartition(".")[0]
    label = "core"
