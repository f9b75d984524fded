"""webhooks: the delivery log, dead letters and their re-sending, the public event catalog.

A delivery is one event for one subscription; each try is an attempt with its status code, latency and error.
The log is newest first by keyset: pass a reply's ``nextCursor`` as ``after``. Dead letters (every retry
failed) are kept 30 days and can be sent again one by one or all at once; a re-sent delivery keeps its event
id, so a receiver that dedupes on ``webhook-id`` stays correct.
"""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints

from ...enums import DeliveryStatus, WebhookErrorType
from ...errors import ErrorCode
from ...fields import AwareDatetime, Id
from ...model import Model
from ._common import _MANAGE, _MANAGING, _NOT_FOUND, _STATE_ERRORS, TAG, _cmd, _qry, _route
from .public import PublicEventType
from .subscriptions import EventType

_LIST_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.BAD_REQUEST)
Cursor = Annotated[str, StringConstraints(max_length=200)]


class DeliveryAttempt(Model):
    attempt: int
    attempted_at: datetime
    response_code: int | None = None
    latency_ms: int | None = None
    error_type: WebhookErrorType | None = None
    error_message: str | None = None


class WebhookDelivery(Model):
    id: str
    subscription_id: str
    event_type: str
    event_id: str = Field(description="Sent as `webhook-id`.")
    status: DeliveryStatus
    attempts: int
    max_attempts: int
    next_retry_at: datetime | None = None
    response_code: int | None = None
    response_body: str | None = Field(None, description="The last answer's first 1 KB.")
    latency_ms: int | None = None
    error_message: str | None = None
    error_type: WebhookErrorType | None = None
    delivered_at: datetime | None = None
    occurred_at: datetime
    created_at: datetime
    updated_at: datetime


class DeliveryDetail(WebhookDelivery):
    payload: dict[str, Any] = Field(description="The `data` delivered.")
    response_headers: dict[str, str] | None = None
    attempt_log: list[DeliveryAttempt]


class ListDeliveries(Model):
    """Newest first, by keyset: pass the reply's ``nextCursor`` as ``after`` for the next page."""

    subscription_id: Id | None = None
    event_id: str | None = Field(None, max_length=64)
    status: DeliveryStatus | None = None
    event_type: EventType | None = None
    since: AwareDatetime | None = Field(None, description="Created at or after.")
    until: AwareDatetime | None = Field(None, description="Created before.")
    after: Cursor | None = None
    limit: int = Field(50, ge=1, le=200)


class SubscriptionDeliveries(ListDeliveries):
    id: Id


class DeliveryPage(Model):
    data: list[WebhookDelivery]
    next_cursor: str | None = None


class DeliveryRef(Model):
    id: Id


class ResendDeadLetters(Model):
    id: Id
    since: AwareDatetime | None = Field(None, description="Only deliveries created at or after.")
    until: AwareDatetime | None = None
    event_types: list[EventType] | None = None


class Resent(Model):
    resent: int


class NoRequest(Model):
    pass


class PublicEventTypes(Model):
    data: list[PublicEventType]


LIST_DELIVERIES = _qry(
    "list_deliveries", ListDeliveries, DeliveryPage,
    "The tenant's deliveries, newest first; filter by subscription, event, status, type and time.",
    errors=_LIST_ERRORS, **_MANAGING,
    http=_route("GET", "/webhook-deliveries", "List webhook deliveries", TAG),
)  # fmt: skip
LIST_SUBSCRIPTION_DELIVERIES = _qry(
    "list_subscription_deliveries", SubscriptionDeliveries, DeliveryPage,
    "One subscription's delivery log, newest first.",
    errors=_LIST_ERRORS, **_MANAGING,
    http=_route("GET", "/webhook-subscriptions/{id}/deliveries", "List a subscription's deliveries", TAG),
)  # fmt: skip
GET_DELIVERY = _qry(
    "get_delivery", DeliveryRef, DeliveryDetail, "One delivery with its payload and every attempt.",
    errors=_NOT_FOUND, **_MANAGING, http=_route("GET", "/webhook-deliveries/{id}", "Get a webhook delivery", TAG),
)  # fmt: skip
RESEND_DELIVERY = _cmd(
    "resend_delivery", DeliveryRef, WebhookDelivery,
    "Send a finished delivery (dead letter, failed or delivered) again, with its retries, under its event id.",
    errors=_STATE_ERRORS, **_MANAGING,
    http=_route("POST", "/webhook-deliveries/{id}/resend", "Resend a webhook delivery", TAG),
)  # fmt: skip
RESEND_DEAD_LETTERS = _cmd(
    "resend_dead_letters", ResendDeadLetters, Resent,
    "Send a subscription's dead letters (and failed deliveries) again, optionally only those since a time.",
    errors=_NOT_FOUND, **_MANAGING,
    http=_route("POST", "/webhook-subscriptions/{id}/dead-letters/resend", "Resend dead letters", TAG),
)  # fmt: skip
LIST_EVENT_TYPES = _qry(
    "list_event_types", NoRequest, PublicEventTypes,
    "The public event catalog: every type a subscription may name, with the JSON Schema of its data.",
    errors=(), **_MANAGING, http=_route("GET", "/webhook-event-types", "List webhook event types", TAG),
)  # fmt: skip


class BusEventRef(Model):
    bus_event_id: UUID = Field(description="The id of the bus event the deliveries came from.")


# Bus only (the audit service's delivery trace): a delivery's event id is derived from the bus event's id and
# its public type, so only webhooks can tell which deliveries one bus event made. No flag: a trace shows the
# deliveries made while the feature was on.
LIST_BUS_EVENT_DELIVERIES = _qry(
    "list_bus_event_deliveries", BusEventRef, DeliveryPage,
    "The tenant's deliveries made from one bus event, newest first (at most 200).",
    errors=(), permission=_MANAGE,
)  # fmt: skip
