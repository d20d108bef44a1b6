"""Helpers the backup tests share: reading and editing manifests, naming tables."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


def manifest_path(backup: Path) -> Path:
    """Return the manifest file beside a backup."""
    return backup.with_name(backup.name + ".json")


def read_manifest(backup: Path) -> dict[str, Any]:
    """Load a backup's manifest as the test sees it on disk."""
    manifest: dict[str, Any] = json.loads(manifest_path(backup).read_text(encoding="utf-8"))
    return manifest


def rewrite_manifest(backup: Path, change: Callable[[dict[str, Any]], object]) -> None:
    """Edit a backup's manifest in place, as someone tampering with it would."""
    manifest = read_manifest(backup)
    change(manifest)
    manifest_path(backup).write_text(json.dumps(manifest), encoding="utf-8")


def row_counts(snapshot: dict[str, Any]) -> dict[str, int]:
    """Row count per table, by bare name (PostgreSQL keys are schema-qualified)."""
    return {name.rpartition(".")[2]: table["rows"] for name, table in snapshot["tables"].items()}


def table_named(snapshot: dict[str, Any], bare_name: str) -> dict[str, Any]:
    """The entry of one table, by bare name."""
    return next(
        table for name, table in snapshot["tables"].items() if name.rpartition(".")[2] == bare_name
    )
