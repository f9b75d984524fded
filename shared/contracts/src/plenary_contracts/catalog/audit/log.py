"""audit: the tenant's event log as JetStream keeps it, and the delivery trace of one event.

The streams are the log (one per producer, ``evt.<producer>.<entity>.<verb>``, the tenant in the envelope).
The audit service keeps an index of them, (tenant, time, type, entity, actor) → (stream, sequence), so a
tenant's query reads its own events only; each event is then read from its stream, never from a copy.

Pages are keyset pages: pass a reply's ``nextCursor`` as ``after`` with the same filters. The time window is
``[from, to)``: ``to`` defaults to now, ``from`` to a day before ``to``; it spans at most ``MAX_SPAN_DAYS``.
"""

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from ...fields import AwareDatetime
from ...inbox_trace import HandledBy
from ...model import Model
from ._common import _LIST_ERRORS, _READING, _TRACE_ERRORS, TAG, _qry, _route

DEFAULT_SPAN_HOURS = 24
MAX_SPAN_DAYS = 31
MAX_TYPES = 20
MAX_PAGE = 500
Cursor = Annotated[str, StringConstraints(min_length=1, max_length=200)]
EventTypeName = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[a-z0-9_.-]+$")]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class ListAuditEvents(Model):
    from_: AwareDatetime | None = Field(None, alias="from", description="At or after; default: a day before `to`.")
    to: AwareDatetime | None = Field(None, description="Before; default: now.")
    types: list[EventTypeName] | None = Field(
        None, max_length=MAX_TYPES, description="CloudEvent types (`plenary.workflow.participant.approved.v1`)."
    )
    entity_id: Ref | None = Field(None, description="The id of the entity the event is about.")
    actor_id: Ref | None = Field(None, description="Who acted (the user, API key or system).")
    order: Literal["newest", "oldest"] = "newest"
    after: Cursor | None = None
    limit: int = Field(100, ge=1, le=MAX_PAGE)


class AuditEvent(Model):
    stream: str
    sequence: int = Field(description="The event's sequence in its stream.")
    subject: str = Field(description="The NATS subject it was published on (`bulk.` first in the bulk lane).")
    event: dict[str, Any] = Field(description="The CloudEvent as stored: its attributes and `data`.")


class AuditEventPage(Model):
    data: list[AuditEvent]
    next_cursor: str | None = None
    from_: datetime = Field(alias="from", description="The window applied.")
    to: datetime


class TraceRef(Model):
    event_id: UUID = Field(description="The CloudEvent id.")


class TracedWebhookDelivery(Model):
    id: str
    subscription_id: str
    event_type: str
    status: str
    attempts: int
    response_code: int | None = None
    delivered_at: datetime | None = None
    created_at: datetime


class DeliveryTrace(Model):
    event: AuditEvent
    handled: list[HandledBy] = Field(description="Every consumer whose inbox holds the event, oldest first.")
    answered: list[str] = Field(description="The services that answered in time; a missing one was not asked.")
    webhook_deliveries: list[TracedWebhookDelivery] | None = Field(
        None, description="Its webhook deliveries; null when the webhooks service did not answer."
    )


LIST_EVENTS = _qry(
    "list_events", ListAuditEvents, AuditEventPage,
    "The tenant's CloudEvents from the streams, by time, type, entity and actor; keyset pages.",
    errors=_LIST_ERRORS, **_READING, http=_route("GET", "/audit/events", "List the tenant's events", TAG),
)  # fmt: skip
GET_TRACE = _qry(
    "get_trace", TraceRef, DeliveryTrace,
    "Who handled one event and when: every service's consumers (their inbox rows) and its webhook deliveries.",
    errors=_TRACE_ERRORS, **_READING,
    http=_route("GET", "/audit/events/{eventId}/trace", "Trace an event's deliveries", TAG),
)  # fmt: skip
