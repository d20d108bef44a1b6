"""Backups of the project's database: make, list, verify, restore and prune them.

Run it as `python -m ops.backup --help`; tests and other code call these functions directly.
The rules it follows are in SECURITY.md ("Backups").
"""

from .commands import (
    RestoreResult,
    create_backup,
    list_backups,
    prune_backups,
    recover_interrupted,
    restore_backup,
    snapshot_live,
    verify_backup,
)
from .files import BackupEntry
from .settings import (
    BackupError,
    ConfirmationNeededError,
    DatabaseUnreachableError,
    Settings,
    load_settings,
)

__all__ = [
    "BackupEntry",
    "BackupError",
    "ConfirmationNeededError",
    "DatabaseUnreachableError",
    "RestoreResult",
    "Settings",
    "create_backup",
    "list_backups",
    "load_settings",
    "prune_backups",
    "recover_interrupted",
    "restore_backup",
    "snapshot_live",
    "verify_backup",
]
