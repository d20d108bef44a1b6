"""App configuration for attachments."""

from django.apps import AppConfig
from django.core.signals import setting_changed
from django.db.models.signals import post_delete


class AttachmentsConfig(AppConfig):
    """Registers the attachments app under the label `attachments`."""

    # The dotted path of this package, so the file needs no project name.
    name = __name__.rpartition(".")[0]
    label = "attachments"
    verbose_name = "Attachments"

    def ready(self) -> None:
        """Connect the receivers of files.py.

        A deleted attachment's file is removed once the deletion is committed, whether the
        attachment, its task or the task's owner was deleted: Django's cascade sends
        `post_delete` for every row it removes.
        https://docs.djangoproject.com/en/5.2/ref/signals/#post-delete
        """
        from .files import forget_storage, remove_file_on_commit  # noqa: PLC0415
        from .models import Attachment  # noqa: PLC0415

        post_delete.connect(remove_file_on_commit, sender=Attachment, dispatch_uid="file-removal")
        setting_changed.connect(forget_storage, dispatch_uid="file-storage-settings")
