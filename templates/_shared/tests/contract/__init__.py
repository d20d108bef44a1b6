"""Shared black-box contract suite: one module per resource of CONTRACT.md."""
