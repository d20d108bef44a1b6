"""Plumbing every app shares: errors, middleware, logging, health probes."""
