"""registration: the waitlist of an event, its offers, confirmations and promotions."""

from datetime import datetime
from typing import Annotated

from pydantic import Field

from ...enums import (
    WaitlistPriority,
    WaitlistStatus,
)
from ...fields import Id
from ...flags import FlagKey
from ...listing import ListQuery, Page
from ...model import Model
from ...permissions import Permission
from ...personal import Personal
from ._common import _NOT_FOUND, _STATE_ERRORS, _WRITE_ERRORS, _cmd, _event, _qry, _route
from .participants import Participant, ParticipantDetails

OFFER_HOURS = 48


class WaitlistOffer(Model):
    id: str
    triggered_by: str
    trigger_entity_id: str | None = None
    promoted_by: str | None = None
    slot_available_at: datetime
    promoted_at: datetime
    deadline: datetime
    confirmed_at: datetime | None = None
    declined_at: datetime | None = None
    expired_at: datetime | None = None


class WaitlistEntry(Model):
    id: str
    tenant_id: str
    event_id: str
    participant_type_id: str
    participant_id: str | None = Field(None, description="Set when the offer was confirmed and the person registered.")
    priority: WaitlistPriority
    status: WaitlistStatus
    position: int | None = Field(None, description="1-based place in the queue; None unless ACTIVE.")
    registration_data: ParticipantDetails
    offer: WaitlistOffer | None = Field(None, description="The latest offer, live or not.")
    promoted_at: datetime | None = None
    promotion_deadline: datetime | None = None
    expired_at: datetime | None = None
    withdrawn_at: datetime | None = None
    notifications_sent: int
    created_at: datetime
    updated_at: datetime


class AddToWaitlist(Model):
    """A person waiting for a slot; re-adding one who withdrew or expired reactivates their entry."""

    event_id: Id
    priority: WaitlistPriority = WaitlistPriority.STANDARD
    registration: ParticipantDetails


class WaitlistRef(Model):
    id: Id


class UpdateWaitlistPriority(Model):
    id: Id
    priority: WaitlistPriority


class ListWaitlist(ListQuery):
    event_id: Id
    status: WaitlistStatus | None = None
    participant_type_id: Id | None = None
    sort: str = Field(
        "queue:asc", pattern=r"^[A-Za-z][A-Za-z0-9_]*:(asc|desc)$", description="`queue` = priority, FIFO."
    )


class WaitlistPage(Page[WaitlistEntry]):
    pass


class PromoteFromWaitlist(Model):
    event_id: Id
    participant_type_id: Id
    slots: Annotated[int, Field(ge=1, le=1000)] = 1


class Promotions(Model):
    entries: list[WaitlistEntry]


class Confirmation(Model):
    entry: WaitlistEntry
    participant: Participant


class WaitlistStatsQuery(Model):
    event_id: Id
    participant_type_id: Id | None = None


class WaitlistStats(Model):
    by_status: dict[str, int]
    total: int
    average_wait_hours: float | None = Field(None, description="Mean time from offer to confirmation.")
    promotion_success_rate: int = Field(description="Confirmed offers out of all entries, in percent.")


class WaitlistChanged(Model):
    entry: WaitlistEntry


# --- domain events -------------------------------------------------------------------------------

# What the person registered with, sealed with the key of the entry (the person, before they are a participant).
_WAITING_PERSON = Personal(
    "entry.id",
    tuple(
        f"entry.registrationData.{name}"
        for name in ("firstName", "lastName", "email", "organization", "jobTitle", "nationality", "extras")
    ),
)
WAITLIST_ADDED = _event(
    "waitlist", "added", WaitlistChanged, "A person joined (or re-joined) the waitlist.", personal=_WAITING_PERSON
)
WAITLIST_PROMOTED = _event(
    "waitlist", "promoted", WaitlistChanged, "A waiting person was offered a slot.", personal=_WAITING_PERSON
)
WAITLIST_REMINDED = _event(
    "waitlist", "reminded", WaitlistChanged, "Half an offer's time passed unanswered.", personal=_WAITING_PERSON
)
WAITLIST_CONFIRMED = _event(
    "waitlist", "confirmed", WaitlistChanged, "An offer was taken; the person registered.", personal=_WAITING_PERSON
)
WAITLIST_DECLINED = _event("waitlist", "declined", WaitlistChanged, "An offer was declined.", personal=_WAITING_PERSON)
WAITLIST_EXPIRED = _event(
    "waitlist", "expired", WaitlistChanged, "An offer ran out unanswered.", personal=_WAITING_PERSON
)
WAITLIST_WITHDRAWN = _event(
    "waitlist", "withdrawn", WaitlistChanged, "A person left the waitlist.", personal=_WAITING_PERSON
)
WAITLIST_CANCELLED = _event(
    "waitlist", "cancelled", WaitlistChanged, "An admin removed a person from the waitlist.", personal=_WAITING_PERSON
)
WAITLIST_REPRIORITIZED = _event(
    "waitlist", "reprioritized", WaitlistChanged, "An entry changed priority tier.", personal=_WAITING_PERSON
)
_WAITLIST = Permission("waitlist", "manage")
_WAITING = {"flag": FlagKey.WAITLIST, "permission": _WAITLIST}

_WAITLIST_PATH = "/events/{eventId}/waitlist"

# --- operations ----------------------------------------------------------------------------------

ADD_TO_WAITLIST = _cmd(
    "add_to_waitlist", AddToWaitlist, WaitlistEntry,
    "Put a person on the waitlist (409 while they already wait; a withdrawn or expired entry is reactivated).",
    errors=_WRITE_ERRORS, **_WAITING, http=_route("POST", _WAITLIST_PATH, "Join the waitlist", "waitlist", 201),
)  # fmt: skip
LIST_WAITLIST = _qry(
    "list_waitlist", ListWaitlist, WaitlistPage, "The event's waitlist in queue order (VIP, HIGH, STANDARD; FIFO).",
    errors=_NOT_FOUND, **_WAITING, http=_route("GET", _WAITLIST_PATH, "List the waitlist", "waitlist"),
)  # fmt: skip
WAITLIST_STATS = _qry(
    "waitlist_stats", WaitlistStatsQuery, WaitlistStats, "Counts per status, mean wait and success rate.",
    errors=_NOT_FOUND, **_WAITING, http=_route("GET", _WAITLIST_PATH + "/stats", "Waitlist statistics", "waitlist"),
)  # fmt: skip
PROMOTE_FROM_WAITLIST = _cmd(
    "promote_from_waitlist", PromoteFromWaitlist, Promotions,
    "Offer slots to the first waiting people without a live offer (48 h to confirm).",
    errors=_WRITE_ERRORS, **_WAITING, http=_route("POST", _WAITLIST_PATH + "/promote", "Offer slots", "waitlist"),
)  # fmt: skip
GET_WAITLIST_ENTRY = _qry(
    "get_waitlist_entry", WaitlistRef, WaitlistEntry, "One entry with its position and latest offer.",
    errors=_NOT_FOUND, **_WAITING, http=_route("GET", "/waitlist/{id}", "Get a waitlist entry", "waitlist"),
)  # fmt: skip
UPDATE_WAITLIST_PRIORITY = _cmd(
    "update_waitlist_priority", UpdateWaitlistPriority, WaitlistEntry, "Move an entry to another priority tier.",
    errors=_STATE_ERRORS, **_WAITING, http=_route("PATCH", "/waitlist/{id}", "Change priority", "waitlist"),
)  # fmt: skip
WITHDRAW_FROM_WAITLIST = _cmd(
    "withdraw_from_waitlist", WaitlistRef, WaitlistEntry, "The person leaves the waitlist (ACTIVE → WITHDRAWN).",
    errors=_STATE_ERRORS, **_WAITING, http=_route("POST", "/waitlist/{id}/withdraw", "Withdraw", "waitlist"),
)  # fmt: skip
CANCEL_WAITLIST_ENTRY = _cmd(
    "cancel_waitlist_entry", WaitlistRef, WaitlistEntry, "An admin removes the entry (ACTIVE → CANCELLED).",
    errors=_STATE_ERRORS, **_WAITING, http=_route("POST", "/waitlist/{id}/cancel", "Remove from waitlist", "waitlist"),
)  # fmt: skip
CONFIRM_WAITLIST_OFFER = _cmd(
    "confirm_waitlist_offer", WaitlistRef, Confirmation,
    "Take the offer before its deadline: the person registers (screened) and enters the workflow.",
    errors=_STATE_ERRORS, **_WAITING,
    http=_route("POST", "/waitlist/{id}/confirm", "Confirm an offer", "waitlist"),
)  # fmt: skip
DECLINE_WAITLIST_OFFER = _cmd(
    "decline_waitlist_offer", WaitlistRef, WaitlistEntry, "Decline the offer; the slot goes to the next person.",
    errors=_STATE_ERRORS, **_WAITING, http=_route("POST", "/waitlist/{id}/decline", "Decline an offer", "waitlist"),
)  # fmt: skip
