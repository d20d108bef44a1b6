"""Argon2id with the parameters OWASP recommends as a minimum, a bounded number at a time.

Django's own Argon2 hasher uses 8 lanes; OWASP's floor is m=19456 KiB (19 MiB), t=2, p=1.
When these numbers change, Django rehashes each password at its next successful login
(`must_update`). https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id, 19 MiB of memory, 2 passes, 1 lane; `MAX_CONCURRENT_HASHES` at once.

    Every hash and verification runs on the hasher's own pool of `MAX_CONCURRENT_HASHES`
    threads (one by default), however many requests the process serves at once. A hash in
    progress holds 19 MiB, and the C allocator keeps the freed block for the next hash of the
    same thread; with hashing confined to the pool a process never holds more than that many
    blocks, where each request thread that ever hashed would otherwise keep one (four gthread
    threads took a 90 MiB worker to 160 MiB under concurrent logins).
    """

    # Keeps Django's "argon2" algorithm name, so stored hashes stay readable either way.
    memory_cost = 19456
    time_cost = 2
    parallelism = 1

    def __init__(self) -> None:
        """Make the pool; it starts its threads at the first hash, in the process serving."""
        self.threads = ThreadPoolExecutor(
            max_workers=settings.MAX_CONCURRENT_HASHES, thread_name_prefix="argon2"
        )

    def encode(self, password: str, salt: str) -> str:
        """Hash a password on the pool."""
        return self.threads.submit(super().encode, password, salt).result()

    def verify(self, password: str, encoded: str) -> bool:
        """Check a password against its hash on the pool."""
        return self.threads.submit(super().verify, password, encoded).result()
