"""The client address behind trusted proxies (CONTRACT.md, section 5), for the login throttle.

A request's address is the peer of its connection. Only when that peer is one of
`TRUSTED_PROXIES` does `X-Forwarded-For` say more: each proxy appends the address it saw, so
reading from the right, the first entry that is not itself a trusted proxy is the client.
Entries further left were written by the client and prove nothing. When every entry is a
trusted proxy, the left-most one is as close to the client as the chain knows.

This module knows no framework: each project reads the peer and the header its own way and
calls `client_address`; its settings code parses `TRUSTED_PROXIES` with
`parse_trusted_proxies`.
"""

import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Longer than any IP address: a forwarded entry is cut to this before it becomes a key.
MAX_ADDRESS_LENGTH = 64
#: The message of the ValueError below; it never repeats the setting's value.
INVALID_TRUSTED_PROXIES = "TRUSTED_PROXIES must list IP addresses or networks, comma-separated"


def parse_trusted_proxies(value: str) -> tuple[Network, ...]:
    """Read `TRUSTED_PROXIES`: comma-separated IP addresses or CIDR networks.

    Args:
        value: the setting; empty trusts no proxy.

    Returns:
        The networks (a single address is a network of one).

    Raises:
        ValueError: an entry is neither an address nor a network.
    """
    try:
        return tuple(
            ipaddress.ip_network(entry.strip(), strict=False)
            for entry in value.split(",")
            if entry.strip()
        )
    except ValueError:
        raise ValueError(INVALID_TRUSTED_PROXIES) from None


def is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    """Whether `address` is one of the trusted proxies (text that is no IP address is not).

    Args:
        address: an address as text.
        trusted: the parsed `TRUSTED_PROXIES`.

    Returns:
        True when the address lies in one of the networks.
    """
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    """The address a request comes from, as far as this app can trust it.

    Args:
        peer: the address of the connection's peer.
        forwarded_for: every `X-Forwarded-For` header of the request, in order.
        trusted: the parsed `TRUSTED_PROXIES`.

    Returns:
        The client's address as text.
    """
    if not is_trusted(peer, trusted):
        return peer
    entries = [entry.strip() for header in forwarded_for for entry in header.split(",")]
    entries = [entry for entry in entries if entry]
    for entry in reversed(entries):
        if not is_trusted(entry, trusted):
            return entry[:MAX_ADDRESS_LENGTH]
    return entries[0][:MAX_ADDRESS_LENGTH] if entries else peer
