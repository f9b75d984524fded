"""Waitlist order and offers, pure: VIP > HIGH > STANDARD, then first come first served."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from plenary_contracts.enums import WaitlistPriority, WaitlistStatus

OFFER_HOURS = 48
TIER = {WaitlistPriority.VIP: 0, WaitlistPriority.HIGH: 1, WaitlistPriority.STANDARD: 2}

# Someone waiting, or holding a confirmed offer, may not join again; anyone else who left rejoins.
STILL_ON_LIST = frozenset({WaitlistStatus.ACTIVE, WaitlistStatus.PROMOTED})


@dataclass(frozen=True)
class Entry:
    id: str
    participant_type: str
    priority: WaitlistPriority
    status: WaitlistStatus
    created_at: datetime
    has_live_offer: bool = False  # a promotion neither confirmed, declined nor expired


@dataclass(frozen=True)
class Offer:
    promoted_at: datetime
    deadline: datetime
    confirmed_at: datetime | None = None
    declined_at: datetime | None = None
    expired_at: datetime | None = None

    @property
    def live(self) -> bool:
        return self.confirmed_at is None and self.declined_at is None and self.expired_at is None


class Refusal(StrEnum):
    """Why an offer cannot be confirmed (or declined)."""

    NO_OFFER = "there is no offer to answer"
    CONFIRMED = "the offer was already confirmed"
    DECLINED = "the offer was already declined"
    EXPIRED = "the offer expired"
    LATE = "the offer's deadline has passed"


def applicant_key(email: str | None, first_name: str, last_name: str) -> str:
    """Who waits, to find them again: the e-mail, else the full name, compared without case or padding."""
    if email and email.strip():
        return email.strip().lower()
    return " ".join(f"{first_name} {last_name}".split()).lower()


def order_key(entry: Entry) -> tuple[int, datetime, str]:
    return (TIER[entry.priority], entry.created_at, entry.id)


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
    """The first ``slots`` ACTIVE entries in order, skipping any that already hold a live offer
    (nobody is offered two places)."""
    if slots <= 0:
        return []
    waiting = [e for e in ordered(entries) if e.status is WaitlistStatus.ACTIVE and not e.has_live_offer]
    return waiting[:slots]


def offer_deadline(promoted_at: datetime) -> datetime:
    return promoted_at + timedelta(hours=OFFER_HOURS)


def reminder_due_at(offer: Offer) -> datetime:
    """Half of the offer's time: the one reminder goes out then."""
    return offer.promoted_at + (offer.deadline - offer.promoted_at) / 2


def may_confirm(deadline: datetime | None, now: datetime) -> bool:
    """An offer may be confirmed until its deadline, not after: a late confirmation is refused."""
    return deadline is not None and now <= deadline


def answer_refusal(status: WaitlistStatus, offer: Offer | None, now: datetime) -> Refusal | None:
    """Why the waiting person cannot answer (confirm or decline) their latest offer now; None when they can.

    LATE means the offer is still live but past its deadline: it is to be expired, not answered.
    """
    if offer is None:
        return Refusal.NO_OFFER
    if offer.confirmed_at is not None:
        return Refusal.CONFIRMED
    if offer.declined_at is not None:
        return Refusal.DECLINED
    if offer.expired_at is not None:
        return Refusal.EXPIRED
    if status is not WaitlistStatus.ACTIVE:
        return Refusal.NO_OFFER
    if not may_confirm(offer.deadline, now):
        return Refusal.LATE
    return None


def success_rate(promoted: int, total: int) -> int:
    return round(promoted / total * 100) if total else 0


def average_wait_hours(pairs: Iterable[tuple[datetime, datetime]]) -> float | None:
    """Mean of (confirmedAt - promotedAt) in hours, over confirmed promotions."""
    hours = [(confirmed - promoted).total_seconds() / 3600 for promoted, confirmed in pairs]
    return round(sum(hours) / len(hours), 2) if hours else None
