"""The project's Django apps: `core` (shared plumbing), `users` and `tasks`."""
