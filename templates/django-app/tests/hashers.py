"""A password hasher for the test settings only: still argon2id, with the smallest costs.

Production parameters (19 MiB, 2 passes) would make password hashing most of the suite's run
time; the tests that check those parameters switch back with `override_settings`.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id with 64 KiB of memory and one pass: fast, and never for real passwords."""

    memory_cost = 64
    time_cost = 1
    parallelism = 1
