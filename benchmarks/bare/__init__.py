"""Bare apps: each framework serving the two read endpoints without our security layer.

They read the same SQLite file as the generated project they are compared with (path in
BARE_DATABASE, the seeded user's id in BARE_OWNER_ID) and run under the same server with
the same worker count. Run from this folder with the generated project's virtualenv.
"""
