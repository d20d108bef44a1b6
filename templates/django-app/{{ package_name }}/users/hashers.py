"""Argon2id with the parameters OWASP recommends as a minimum.

Django's own Argon2 hasher uses 8 lanes; OWASP's floor is m=19456 KiB (19 MiB), t=2, p=1.
When these numbers change, Django rehashes each password at its next successful login
(`must_update`). https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id, 19 MiB of memory, 2 passes, 1 lane."""

    # Keeps Django's "argon2" algorithm name, so stored hashes stay readable either way.
    memory_cost = 19456
    time_cost = 2
    parallelism = 1
