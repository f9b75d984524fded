"""Which addresses outbound HTTP may reach: public ones, plus the networks a deployment allows.

An address is refused when it is not globally routable: unspecified, loopback, private, shared (carrier NAT),
link-local (the cloud metadata service at 169.254.169.254 among them), multicast, reserved, documentation or
benchmark ranges, IPv6 site-local and unique-local. An IPv6 address that carries an IPv4 address (mapped
``::ffff:a.b.c.d``, IPv4-compatible ``::a.b.c.d``, 6to4, Teredo, NAT64) is judged by the IPv4 address too, so
``::ffff:127.0.0.1`` is loopback. A host written as a number in another form (``2130706433``, ``0x7f.1``,
``0177.0.0.1``) is read the way the C library reads it, which is how it would be connected to.
"""

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA = ipaddress.IPv4Address("169.254.169.254")
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def literal_address(host: str) -> Address | None:
    """The address a host names by itself (no DNS), in any form the C library accepts; None for a name."""
    text = host.strip("[]")
    text = text.split("%", 1)[0]  # an IPv6 zone (fe80::1%eth0) names an interface, not another address
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if not text or not all(c in "0123456789abcdefxABCDEFX." for c in text):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))  # 2130706433, 0x7f.1, 0177.0.0.1, 127.1
    except OSError:
        return None


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries, if it carries one."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    for network in _NAT64:
        if address in network:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _IPV4_COMPATIBLE and int(address) > 1:
        return ipaddress.IPv4Address(int(address))
    return None


def refusal(address: Address) -> str | None:
    """Why outbound HTTP must not reach ``address``; None when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            reason = refusal(inner)
            if reason is not None:
                return f"{reason} (carried in {address})"
        if address.is_site_local:
            return "site-local"
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_multicast:
        return "multicast"
    if address == METADATA:
        return "the cloud metadata service"
    if address.is_link_local:
        return "link-local"
    if address.is_private:
        return "private"
    if address.is_reserved:
        return "reserved"
    if not address.is_global:
        return "not globally routable"
    return None


@dataclass(frozen=True)
class AddressPolicy:
    """Public addresses, plus ``allowed`` networks (tests and a local run deliver to 127.0.0.1)."""

    allowed: tuple[Network, ...] = ()

    @classmethod
    def allowing(cls, networks: Iterable[str]) -> "AddressPolicy":
        return cls(tuple(ipaddress.ip_network(n, strict=False) for n in networks))

    def refusal(self, address: Address) -> str | None:
        candidates: list[Address] = [address]
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            candidates.append(address.ipv4_mapped)
        for candidate in candidates:
            if any(candidate.version == n.version and candidate in n for n in self.allowed):
                return None
        return refusal(address)
