"""Users: accounts, roles, login, tokens."""
