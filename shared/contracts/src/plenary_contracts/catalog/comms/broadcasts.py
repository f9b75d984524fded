"""comms: broadcasts, one message to a filtered audience of an event's participants, each recipient with a
delivery of their own rendering.

Lifecycle: DRAFT → SCHEDULED → SENDING → SENT, and CANCELLED from SCHEDULED or SENDING. Sending resolves the
audience from comms' own copy of the event's participants: every filter given must hold (they are AND-ed).
An emergency broadcast has priority 1 (1 = highest) and its deliveries go before every other's.
"""

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ...conditions.shapes import Condition
from ...enums import BroadcastStatus, MessageChannel, MessageStatus, ParticipantStatus
from ...feeds import FeedEvent, FeedSpec
from ...fields import AwareDatetime, Id
from ...flags import FlagKey
from ...listing import ListQuery, Page
from ...model import Model
from ._common import _BROADCAST, _HUB, _NOT_FOUND, _STATE_ERRORS, _WRITE_ERRORS, TAG, _cmd, _event, _qry, _route
from .templates import Subject

BroadcastBody = Annotated[str, StringConstraints(min_length=1, max_length=50_000)]
Priority = Annotated[int, Field(ge=1, le=10, description="1 = highest.")]


class AudienceFilter(Model):
    """Who of the event's participants (deleted ones never) receives it; every criterion given must hold."""

    participant_types: list[Id] = Field(default_factory=list, max_length=200, description="Any of these types.")
    statuses: list[ParticipantStatus] = Field(default_factory=list, description="Any of these statuses.")
    registered_after: AwareDatetime | None = None
    registered_before: AwareDatetime | None = None
    custom_fields: dict[str, Any] = Field(
        default_factory=dict, description="Every key must equal the participant's extra of that name."
    )
    delegation_ids: list[Id] = Field(default_factory=list, max_length=200, description="Any of these delegations.")
    condition: Condition | None = Field(None, description="A condition over the participant and its extras.")


class Broadcast(Model):
    id: str
    tenant_id: str
    event_id: str | None = None
    template_id: str | None = None
    subject: str | None = None
    body: str
    channel: MessageChannel
    status: BroadcastStatus
    filters: AudienceFilter
    recipient_count: int
    sent_count: int
    failed_count: int
    delivered_count: int
    bounced_count: int
    is_emergency: bool
    priority: int
    scheduled_at: datetime | None = None
    sent_at: datetime | None = None
    completed_at: datetime | None = None
    created_by: str | None = None
    cancelled_by: str | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    created_at: datetime
    updated_at: datetime
    delivery_stats: dict[str, int] | None = Field(None, description="Deliveries per status (in a single read).")


class CreateBroadcast(Model):
    """A draft. ``templateId`` copies the template's subject and body where these are left out."""

    event_id: Id | None = None
    template_id: Id | None = None
    subject: Subject | None = None
    body: BroadcastBody | None = None
    channel: MessageChannel
    filters: AudienceFilter = Field(default_factory=AudienceFilter)
    is_emergency: bool = Field(False, description="Priority 1 and sent at once, before every other broadcast.")
    priority: Priority = 5


class UpdateBroadcast(Model):
    """A draft only; the fields given change."""

    id: Id
    event_id: Id | None = None
    subject: Subject | None = None
    body: BroadcastBody | None = None
    channel: MessageChannel | None = None
    filters: AudienceFilter | None = None
    priority: Priority | None = None


class BroadcastRef(Model):
    id: Id


class ScheduleBroadcast(Model):
    id: Id
    scheduled_at: AwareDatetime


class CancelBroadcast(Model):
    id: Id
    reason: Annotated[str, StringConstraints(max_length=500)] | None = Field(None, description="Default: by user.")


class ListBroadcasts(ListQuery):
    event_id: Id | None = None
    status: BroadcastStatus | None = None
    channel: MessageChannel | None = None


class BroadcastPage(Page[Broadcast]):
    pass


class AudienceQuery(Model):
    event_id: Id
    filters: AudienceFilter = Field(default_factory=AudienceFilter)
    is_emergency: bool = Field(False, description="An emergency reaches those who unsubscribed too.")


class AudienceCount(Model):
    count: int


class Delivery(Model):
    id: str
    broadcast_id: str | None = None
    participant_id: str | None = None
    channel: MessageChannel
    recipient: str
    status: MessageStatus
    external_id: str | None = None
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    bounced_at: datetime | None = None
    error_message: str | None = None
    error_code: str | None = None
    retry_count: int
    next_retry_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class ListDeliveries(ListQuery):
    id: Id = Field(description="The broadcast.")
    status: MessageStatus | None = None


class DeliveryPage(Page[Delivery]):
    pass


class BroadcastChanged(Model):
    broadcast: Broadcast


class BroadcastProgress(Model):
    broadcast_id: str
    event_id: str | None = None
    sent_count: int
    failed_count: int
    delivered_count: int
    total: int
    status: BroadcastStatus


# --- domain events -------------------------------------------------------------------------------

BROADCAST_CREATED = _event("broadcast", "created", BroadcastChanged, "A broadcast draft was created.")
BROADCAST_UPDATED = _event("broadcast", "updated", BroadcastChanged, "A broadcast draft changed.")
BROADCAST_SCHEDULED = _event("broadcast", "scheduled", BroadcastChanged, "A broadcast was scheduled.")
BROADCAST_SENDING = _event("broadcast", "sending", BroadcastChanged, "A broadcast's deliveries were queued.")
BROADCAST_PROGRESS = _event("broadcast", "progress", BroadcastProgress, "A broadcast's counters moved.")
BROADCAST_SENT = _event("broadcast", "sent", BroadcastChanged, "Every delivery of a broadcast was settled.")
BROADCAST_CANCELLED = _event("broadcast", "cancelled", BroadcastChanged, "A broadcast was cancelled.")

# --- operations ----------------------------------------------------------------------------------

CREATE_BROADCAST = _cmd(
    "create_broadcast", CreateBroadcast, Broadcast, "A broadcast draft.",
    errors=_WRITE_ERRORS, **_HUB, http=_route("POST", "/broadcasts", "Create a broadcast", TAG, 201),
)  # fmt: skip
UPDATE_BROADCAST = _cmd(
    "update_broadcast", UpdateBroadcast, Broadcast, "Change a draft (400 INVALID_STATUS once scheduled or sent).",
    errors=_WRITE_ERRORS, **_HUB, http=_route("PATCH", "/broadcasts/{id}", "Update a broadcast", TAG),
)  # fmt: skip
SCHEDULE_BROADCAST = _cmd(
    "schedule_broadcast", ScheduleBroadcast, Broadcast, "DRAFT → SCHEDULED; the delivery job sends it when due.",
    errors=_STATE_ERRORS, **_HUB, http=_route("POST", "/broadcasts/{id}/schedule", "Schedule a broadcast", TAG),
)  # fmt: skip
SEND_BROADCAST = _cmd(
    "send_broadcast", BroadcastRef, Broadcast, "Resolve the audience and queue a delivery per recipient now.",
    errors=_STATE_ERRORS, **_HUB, timeout_seconds=30.0,
    http=_route("POST", "/broadcasts/{id}/send", "Send a broadcast", TAG),
)  # fmt: skip
CANCEL_BROADCAST = _cmd(
    "cancel_broadcast", CancelBroadcast, Broadcast, "Stop a scheduled or sending broadcast; queued ones fail.",
    errors=_STATE_ERRORS, **_HUB, http=_route("POST", "/broadcasts/{id}/cancel", "Cancel a broadcast", TAG),
)  # fmt: skip
GET_BROADCAST = _qry(
    "get_broadcast", BroadcastRef, Broadcast, "One broadcast with its deliveries counted per status.",
    errors=_NOT_FOUND, **_HUB, http=_route("GET", "/broadcasts/{id}", "Get a broadcast", TAG),
)  # fmt: skip
LIST_BROADCASTS = _qry(
    "list_broadcasts", ListBroadcasts, BroadcastPage, "The tenant's broadcasts.",
    **_HUB, http=_route("GET", "/broadcasts", "List broadcasts", TAG),
)  # fmt: skip
COUNT_AUDIENCE = _qry(
    "count_audience", AudienceQuery, AudienceCount, "How many participants a filter reaches now.",
    errors=_WRITE_ERRORS, **_HUB, http=_route("POST", "/broadcasts/audience/count", "Preview an audience", TAG),
)  # fmt: skip
LIST_DELIVERIES = _qry(
    "list_deliveries", ListDeliveries, DeliveryPage, "A broadcast's deliveries.",
    errors=_NOT_FOUND, **_HUB, http=_route("GET", "/broadcasts/{id}/deliveries", "List deliveries", TAG),
)  # fmt: skip

# --- live feed ------------------------------------------------------------------------------------

BROADCAST_FEED = FeedSpec(
    name="broadcast-progress",
    path="/events/{eventId}/broadcasts/stream",
    events=(
        FeedEvent(BROADCAST_PROGRESS, name="broadcast:progress", scope={"eventId": ("eventId",)}),
        FeedEvent(
            BROADCAST_CANCELLED,
            name="broadcast:cancelled",
            data=("broadcast",),
            scope={"eventId": ("broadcast", "eventId")},
        ),
    ),
    permission=_BROADCAST,
    flag=FlagKey.SSE_UPDATES,
    summary="Live broadcast progress (Server-Sent Events)",
    tag=TAG,
    description="The progress of this event's broadcasts as their deliveries are written: a `broadcast:progress` "
    "event whose data is `broadcastId`, `eventId`, `sentCount`, `failedCount`, `deliveredCount`, `total` and "
    "`status` (SENT once every delivery is settled), and `broadcast:cancelled` with the broadcast.",
)
