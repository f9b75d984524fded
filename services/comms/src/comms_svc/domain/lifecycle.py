"""A broadcast's lifecycle: DRAFT → SCHEDULED → SENDING → SENT, and CANCELLED from SCHEDULED or SENDING.

Each step answers None when allowed, else the refusal (its code and message) the application turns into a 400.
"""

from dataclasses import dataclass
from enum import StrEnum

from plenary_contracts.enums import BroadcastStatus

EMERGENCY_PRIORITY = 1  # 1 = highest


class RefusalCode(StrEnum):
    INVALID_STATUS = "INVALID_STATUS"
    NO_EVENT = "NO_EVENT"


@dataclass(frozen=True)
class Refusal:
    code: RefusalCode
    message: str


def _invalid(status: BroadcastStatus, action: str) -> Refusal:
    return Refusal(RefusalCode.INVALID_STATUS, f"a {status.value} broadcast cannot be {action}")


def edit(status: BroadcastStatus) -> Refusal | None:
    return None if status is BroadcastStatus.DRAFT else _invalid(status, "changed")


def schedule(status: BroadcastStatus) -> Refusal | None:
    return None if status is BroadcastStatus.DRAFT else _invalid(status, "scheduled")


def send(status: BroadcastStatus, event_id: str | None) -> Refusal | None:
    if status not in (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED):
        return _invalid(status, "sent")
    if event_id is None:
        return Refusal(RefusalCode.NO_EVENT, "a broadcast is sent to an event's participants: it names no event")
    return None


def cancel(status: BroadcastStatus) -> Refusal | None:
    return None if status in (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING) else _invalid(status, "cancelled")


def priority_of(is_emergency: bool, priority: int) -> int:
    """An emergency goes first, whatever priority it was given."""
    return EMERGENCY_PRIORITY if is_emergency else priority


def finished(queued_or_sending: int) -> bool:
    """A sending broadcast is SENT once none of its deliveries is QUEUED or SENDING."""
    return queued_or_sending == 0
