"""Password rules: 12-128 characters, not a common password, not the email address.

`data/common-passwords.txt` holds about 20,000 of the most used passwords (one a line, lower
case), the same list in every scaffold framework: Django's (BSD-3-Clause, itself derived from
Royce Williams' public list of breached passwords) plus long ones such as `password1234`,
shipped with the project so the check works offline. It is compared lower-cased.
https://pages.nist.gov/800-63-4/sp800-63b.html#passwordver
"""

from functools import cache
from importlib.resources import files

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128


@cache
def common_passwords() -> frozenset[str]:
    """Load the shipped list once, on first use."""
    text = files("app").joinpath("data/common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def password_problem(password: str, *, email: str) -> str | None:
    """Explain why `password` is not acceptable, or return None when it is.

    Length is counted in characters (code points), so spaces, accents and emoji all count and
    nothing is truncated.

    Args:
        password: the candidate password, exactly as typed.
        email: the account's email; the password must not equal it.

    Returns:
        A message for the client, or None.
    """
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        return f"must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long"
    if password.lower() in common_passwords():
        return "is too common; choose a password that others are unlikely to use"
    if password.strip().lower() == email.strip().lower():
        return "must not be the same as the email address"
    return None
