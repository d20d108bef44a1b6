"""Backup tool tests and the restore drill (SECURITY.md, "Backups")."""
