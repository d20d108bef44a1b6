"""Framework-independent building blocks: settings, database, security, logging."""
