"""An invite's life: PENDING until accepted, cancelled or expired. Accepting checks in a fixed order (the
first that applies wins): already ACCEPTED is answered again, CANCELLED is refused, a PENDING invite past its
expiry is expired then refused, a full quota is refused, else the invite takes a place."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from plenary_contracts.enums import DelegationInviteStatus as Status

from .quotas import Usage


class Answer(Enum):
    ACCEPT = "accept"
    ALREADY_ACCEPTED = "already accepted"
    CANCELLED = "this invite was cancelled"
    EXPIRED = "this invite has expired"
    FULL = "the organisation's quota is full"


REFUSALS = (Answer.CANCELLED, Answer.EXPIRED, Answer.FULL)


@dataclass(frozen=True)
class InviteState:
    status: Status
    expires_at: datetime


def expiry(now: datetime, days: int) -> datetime:
    return now + timedelta(days=days)


def is_overdue(invite: InviteState, now: datetime) -> bool:
    """A PENDING invite past its expiry: the sweeper (or the next look at it) makes it EXPIRED."""
    return invite.status is Status.PENDING and invite.expires_at <= now


def answer_to_accept(invite: InviteState, usage: Usage, now: datetime) -> Answer:
    if invite.status is Status.ACCEPTED:
        return Answer.ALREADY_ACCEPTED
    if invite.status is Status.CANCELLED:
        return Answer.CANCELLED
    if invite.status is Status.EXPIRED or is_overdue(invite, now):
        return Answer.EXPIRED
    if usage.free <= 0:
        return Answer.FULL
    return Answer.ACCEPT


def send_refusal(usage: Usage) -> str | None:
    """Pending invites hold no place, but none is sent while the quota is full."""
    return "the quota is exhausted" if usage.free <= 0 else None


def resend_refusal(status: Status) -> str | None:
    return None if status is Status.PENDING else f"only a PENDING invite can be re-sent; this one is {status}"


def cancel_refusal(status: Status) -> str | None:
    return "this invite is already cancelled" if status is Status.CANCELLED else None


def holds_place(status: Status, place_released_at: datetime | None) -> bool:
    """An ACCEPTED invite holds one of the quota's places until its delegate leaves or it is cancelled."""
    return status is Status.ACCEPTED and place_released_at is None


def registration_refusal(status: Status, place_released_at: datetime | None) -> str | None:
    """Only an accepted invite still holding its place registers a delegate (once: see ``already_registered``)."""
    if status is not Status.ACCEPTED:
        return f"accept the invite first; it is {status}"
    if place_released_at is not None:
        return "this invite's place was given back: it registers nobody any more"
    return None


def wait_refusal(invite: InviteState, now: datetime) -> str | None:
    """Only a live PENDING invite can wait for a place (an accepted one has its place)."""
    if invite.status is Status.PENDING and not is_overdue(invite, now):
        return None
    if is_overdue(invite, now):
        return Answer.EXPIRED.value
    return f"only a PENDING invite can wait for a place; this one is {invite.status}"
