"""The job queue run by its real consumer (`make worker`), on each kind of storage."""
