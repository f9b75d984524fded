"""Outbound HTTP with an SSRF guard: public addresses only (checked after DNS, on every connection), https
unless allowed, no redirects, a deadline per attempt, pooled keep-alive connections per host."""

from .addresses import AddressPolicy, literal_address, refusal
from .client import BlockedDestination, OutboundClient, OutboundError, OutboundResponse, OutboundTimeout

__all__ = [
    "AddressPolicy",
    "BlockedDestination",
    "OutboundClient",
    "OutboundError",
    "OutboundResponse",
    "OutboundTimeout",
    "literal_address",
    "refusal",
]
