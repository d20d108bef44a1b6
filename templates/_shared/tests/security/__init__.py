"""Shared, framework-independent security tests (SECURITY-CONTROLS.md)."""
