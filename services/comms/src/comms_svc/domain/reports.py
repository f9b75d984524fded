"""Providers' reports on messages they accepted: the signature that proves one came from them, and how a
report moves a delivery and its broadcast's counters.

A report is signed with HMAC-SHA256 under the callback secret over ``<deliveryId>.<status>.<timestamp>``.
SENT becomes DELIVERED or BOUNCED; a DELIVERED message can still bounce (some servers report late). Any other
report changes nothing: a repeated one, one for a message not sent yet, one for a failed message.
"""

import hashlib
import hmac
from dataclasses import dataclass

from plenary_contracts.enums import MessageStatus

S = MessageStatus
_MOVES = {(S.SENT, S.DELIVERED), (S.SENT, S.BOUNCED), (S.DELIVERED, S.BOUNCED)}


def signature(secret: str, delivery_id: str, status: str, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{delivery_id}.{status}.{timestamp}".encode(), hashlib.sha256).hexdigest()


def genuine(secret: str, delivery_id: str, status: str, timestamp: int, given: str) -> bool:
    return hmac.compare_digest(given, signature(secret, delivery_id, status, timestamp))


@dataclass(frozen=True)
class CounterChange:
    delivered: int = 0
    bounced: int = 0


def move(current: MessageStatus, reported: MessageStatus) -> CounterChange | None:
    """The broadcast's counters' change when the report applies; None when it changes nothing."""
    if (current, reported) not in _MOVES:
        return None
    if reported is S.DELIVERED:
        return CounterChange(delivered=1)
    return CounterChange(delivered=-1 if current is S.DELIVERED else 0, bounced=1)
