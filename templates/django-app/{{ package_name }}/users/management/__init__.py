"""Management commands of the users app."""
