"""webhooks: replaying the past to a subscription, from the event log (the streams keep ten years).

A replay sends every event since a time (until another, of some types) that the subscription would have got,
whether or not it got it then, under the event's original id: a receiver that dedupes on ``webhook-id`` stays
correct. It runs in the background with its progress readable and can be cancelled; it resumes where it was
after a restart.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from ...fields import AwareDatetime, Id
from ...model import Model
from ._common import _MANAGING, _NOT_FOUND, _STATE_ERRORS, _WRITE_ERRORS, TAG, _cmd, _qry, _route
from .subscriptions import EventType


class ReplayStatus(StrEnum):
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"


class Replay(Model):
    id: str
    subscription_id: str
    since: datetime
    until: datetime | None = None
    event_types: list[str] | None = None
    status: ReplayStatus
    events_scanned: int = Field(description="Events read from the log so far.")
    deliveries_queued: int = Field(description="Deliveries queued for the subscription so far.")
    error: str | None = None
    created_by: str
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None


class StartReplay(Model):
    id: Id
    since: AwareDatetime = Field(description="Events that happened at or after this time.")
    until: AwareDatetime | None = Field(None, description="And before this one (now when omitted).")
    event_types: list[EventType] | None = Field(
        None, max_length=20, description="Only these types (of those the subscription takes)."
    )


class ReplayRef(Model):
    id: Id


class ListReplays(Model):
    id: Id


class ReplayList(Model):
    data: list[Replay]


START_REPLAY = _cmd(
    "start_replay", StartReplay, Replay,
    "Re-send every event since a time from the event log, under the original ids; runs in the background.",
    errors=_WRITE_ERRORS, **_MANAGING,
    http=_route("POST", "/webhook-subscriptions/{id}/replay", "Replay events to a subscription", TAG, 202),
)  # fmt: skip
LIST_REPLAYS = _qry(
    "list_replays", ListReplays, ReplayList, "A subscription's replays, newest first.",
    errors=_NOT_FOUND, **_MANAGING,
    http=_route("GET", "/webhook-subscriptions/{id}/replays", "List a subscription's replays", TAG),
)  # fmt: skip
GET_REPLAY = _qry(
    "get_replay", ReplayRef, Replay, "A replay's progress.",
    errors=_NOT_FOUND, **_MANAGING, http=_route("GET", "/webhook-replays/{id}", "Get a replay", TAG),
)  # fmt: skip
CANCEL_REPLAY = _cmd(
    "cancel_replay", ReplayRef, Replay, "Stop a running replay; what it queued already is still sent.",
    errors=_STATE_ERRORS, **_MANAGING,
    http=_route("POST", "/webhook-replays/{id}/cancel", "Cancel a replay", TAG),
)  # fmt: skip
