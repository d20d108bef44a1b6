"""The one rule for email addresses (CONTRACT.md): checked by `email-validator`, lower-cased.

The address is trimmed, checked for syntax only (no DNS look-up: deliverability is proven by
sending mail), and refused when it needs quoting, holds an IP address instead of a domain,
has non-ASCII characters before the @-sign, or names a special-use domain such as
`localhost` or `*.test`. The whole address is then lower-cased, so `Ann@Example.com` and
` ann@example.com` are one mailbox and one account.
https://github.com/JoshData/python-email-validator

This module knows no framework: each project's request validation calls `normalise_email`.
"""

from email_validator import EmailNotValidError, validate_email

#: The message of the ValueError below; short, and it never repeats the input.
INVALID_EMAIL = "must be a valid email address"


def normalise_email(value: str) -> str:
    """Return the address in the form it is stored and compared in.

    Args:
        value: the address as the client sent it.

    Returns:
        The trimmed, lower-cased address.

    Raises:
        ValueError: when `value` is not an address this API accepts.
    """
    try:
        result = validate_email(
            value.strip(),
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
        )
    except EmailNotValidError:
        raise ValueError(INVALID_EMAIL) from None
    return result.normalized.lower()
