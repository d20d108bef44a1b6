"""App configuration for tasks."""

from django.apps import AppConfig


class TasksConfig(AppConfig):
    """Registers the tasks app under the label `tasks`."""

    # The dotted path of this package, so the file needs no project name.
    name = __name__.rpartition(".")[0]
    label = "tasks"
    verbose_name = "Tasks"
