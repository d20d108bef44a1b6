"""App configuration for users."""

from django.apps import AppConfig


class UsersConfig(AppConfig):
    """Registers the users app under the label `users` (AUTH_USER_MODEL = "users.User")."""

    # The dotted path of this package, so the file needs no project name.
    name = __name__.rpartition(".")[0]
    label = "users"
    verbose_name = "Users"
