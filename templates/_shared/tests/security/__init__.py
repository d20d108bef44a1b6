"""Shared, framework-independent security tests (SECURITY.md)."""
