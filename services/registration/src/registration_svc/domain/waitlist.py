"""Waitlist order and offers (P4-11), pure: VIP > HIGH > STANDARD, then first come first served."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from plenary_contracts.enums import WaitlistPriority, WaitlistStatus

OFFER_HOURS = 48
_TIER = {WaitlistPriority.VIP: 0, WaitlistPriority.HIGH: 1, WaitlistPriority.STANDARD: 2}


@dataclass(frozen=True)
class Entry:
    id: str
    participant_type: str
    priority: WaitlistPriority
    status: WaitlistStatus
    created_at: datetime
    has_live_offer: bool = False  # a promotion neither confirmed, declined nor expired


def order_key(entry: Entry) -> tuple[int, datetime, str]:
    return (_TIER[entry.priority], entry.created_at, entry.id)


def ordered(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=order_key)


def position(entry: Entry, entries: Iterable[Entry]) -> int | None:
    """1 + the ACTIVE entries of the same type ahead of this one; None when it is not ACTIVE."""
    if entry.status is not WaitlistStatus.ACTIVE:
        return None
    mine = order_key(entry)
    ahead = sum(
        1
        for other in entries
        if other.id != entry.id
        and other.status is WaitlistStatus.ACTIVE
        and other.participant_type == entry.participant_type
        and order_key(other) < mine
    )
    return ahead + 1


def to_promote(entries: Sequence[Entry], slots: int) -> list[Entry]:
    """The first ``slots`` ACTIVE entries in order, skipping any that already hold a live offer (⚠ fix)."""
    if slots <= 0:
        return []
    waiting = [e for e in ordered(entries) if e.status is WaitlistStatus.ACTIVE and not e.has_live_offer]
    return waiting[:slots]


def offer_deadline(promoted_at: datetime) -> datetime:
    return promoted_at + timedelta(hours=OFFER_HOURS)


def may_confirm(deadline: datetime | None, now: datetime) -> bool:
    """A late confirmation is refused (⚠ fix: the original accepted it)."""
    return deadline is not None and now <= deadline


def success_rate(promoted: int, total: int) -> int:
    return round(promoted / total * 100) if total else 0


def average_wait_hours(pairs: Iterable[tuple[datetime, datetime]]) -> float | None:
    """Mean of (confirmedAt - promotedAt) in hours, over confirmed promotions."""
    hours = [(confirmed - promoted).total_seconds() / 3600 for promoted, confirmed in pairs]
    return round(sum(hours) / len(hours), 2) if hours else None
