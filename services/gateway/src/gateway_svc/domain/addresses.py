"""Client addresses: who is really calling behind trusted proxies, and whether a key's allow-list admits them."""

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=4096)
def _network(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=4096)  # the same few peers and proxies ask again and again
def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _within(address: Address, networks: Iterable[str]) -> bool:
    for text in networks:
        network = _network(text)
        if network is not None and network.version == address.version and address in network:
            return True
    return False


def client_ip(peer: str | None, forwarded_for: str | None, trusted_proxies: Iterable[str]) -> str | None:
    """The peer's address, or, when the peer is a trusted proxy, the nearest untrusted X-Forwarded-For hop."""
    return _client_ip(peer, forwarded_for, tuple(trusted_proxies))


@lru_cache(maxsize=4096)  # a connection's requests come from the same peer through the same proxies
def _client_ip(peer: str | None, forwarded_for: str | None, trusted: tuple[str, ...]) -> str | None:
    peer_address = _address(peer) if peer else None
    if peer_address is None:
        return peer
    if not forwarded_for or not _within(peer_address, trusted):
        return str(peer_address)
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    nearest = peer_address
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        nearest = address
        if not _within(address, trusted):
            break
    return str(nearest)


def ip_allowed(ip: str | None, allowed: Iterable[str]) -> bool:
    """An allow-list entry is one address (exact match) or a network in CIDR notation."""
    address = _address(ip) if ip else None
    return address is not None and _within(address, allowed)
