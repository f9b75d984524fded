"""webhooks: tenants' subscriptions of HTTPS endpoints to public event types.

The signing secret (``whsec_`` and base64) is returned by create and by rotate only: it is kept sealed, and no
read shows it again. Rotating keeps the previous secret signing too for 24 hours (every delivery then carries
both signatures), so a receiver can switch without losing one.
"""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from ...enums import WebhookStatus
from ...fields import Id
from ...listing import ListQuery, Page
from ...model import Model
from ._common import _MANAGING, _NOT_FOUND, _STATE_ERRORS, _WRITE_ERRORS, TAG, _cmd, _event, _qry, _route
from .public import MAX_EVENT_TYPES, PUBLIC_TYPES, WILDCARD

Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2048)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
EventType = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Version = Literal["v1", "legacy"]
ROTATION_OVERLAP_HOURS = 24
MAX_HEADERS = 20
MAX_RETRY_STEPS = 20


def _header_names(headers: dict[str, str] | None) -> dict[str, str] | None:
    if headers is None:
        return None
    if len(headers) > MAX_HEADERS:
        raise ValueError(f"at most {MAX_HEADERS} custom headers")
    for name, value in headers.items():
        if not name or len(name) > 100 or not all(c.isalnum() or c in "-_" for c in name):
            raise ValueError(f"{name!r} is not a header name")
        if len(value) > 1000 or any(c in value for c in "\r\n\0"):
            raise ValueError(f"the value of {name} is too long or holds a line break")
    return headers


Headers = Annotated[dict[str, str] | None, AfterValidator(_header_names)]
EventTypes = Annotated[
    list[EventType],
    Field(
        min_length=1,
        max_length=MAX_EVENT_TYPES,
        description=f"Public event types (`{WILDCARD}`: every one), at most {MAX_EVENT_TYPES}.",
        json_schema_extra={"items": {"enum": [*PUBLIC_TYPES, WILDCARD]}},
    ),
]
RetrySchedule = Annotated[
    list[Annotated[int, Field(ge=0, le=86_400)]],
    Field(
        min_length=0,
        max_length=MAX_RETRY_STEPS,
        description="Seconds to wait before each retry after the first attempt (the deployment's schedule when "
        "omitted); a delivery is dead-lettered once every step failed. A `Retry-After` answer may wait longer.",
    ),
]


class WebhookSubscription(Model):
    id: str
    tenant_id: str
    url: str
    description: str | None = None
    events: list[str]
    status: WebhookStatus
    version: Version
    retry_schedule: list[int] = Field(description="Seconds before each retry.")
    timeout_ms: int
    headers: dict[str, str] | None = None
    consecutive_failures: int
    circuit_breaker_open: bool
    circuit_breaker_reset_at: datetime | None = None
    breaker_trips: int
    previous_secret_expires_at: datetime | None = Field(
        None, description="Until then deliveries are signed with the previous secret too."
    )
    created_by: str
    created_at: datetime
    updated_at: datetime


class CreateSubscription(Model):
    url: Url
    description: Description | None = None
    events: EventTypes
    version: Version = "v1"
    headers: Headers = None
    timeout_ms: int = Field(10_000, ge=1_000, le=30_000)
    retry_schedule: RetrySchedule | None = None


class CreatedSubscription(Model):
    subscription: WebhookSubscription
    secret: str = Field(description="Shown once: `whsec_…`, the key of every signature.")


class UpdateSubscription(Model):
    id: Id
    url: Url | None = None
    description: Description | None = None
    events: EventTypes | None = None
    version: Version | None = None
    headers: Headers = None
    timeout_ms: int | None = Field(None, ge=1_000, le=30_000)
    retry_schedule: RetrySchedule | None = None


class SubscriptionRef(Model):
    id: Id


class ListSubscriptions(ListQuery):
    status: WebhookStatus | None = None


class SubscriptionPage(Page[WebhookSubscription]):
    pass


class RotatedSecret(Model):
    subscription: WebhookSubscription
    secret: str = Field(description="Shown once: the new `whsec_…` secret.")


class TestResult(Model):
    delivery_id: str
    event_id: str
    success: bool
    response_code: int | None = None
    response_body: str | None = None
    latency_ms: int | None = None
    error_type: str | None = None
    error_message: str | None = None


class SubscriptionChanged(Model):
    subscription: WebhookSubscription


class SubscriptionDeleted(Model):
    id: str
    tenant_id: str


class BreakerOpened(Model):
    subscription: WebhookSubscription
    reset_at: datetime
    trips: int


# --- domain events -------------------------------------------------------------------------------

SUBSCRIPTION_CREATED = _event("subscription", "created", SubscriptionChanged, "A webhook subscription was created.")
SUBSCRIPTION_UPDATED = _event(
    "subscription", "updated", SubscriptionChanged, "A subscription changed (settings, pause, resume, secret rotation)."
)
SUBSCRIPTION_DELETED = _event("subscription", "deleted", SubscriptionDeleted, "A subscription was deleted.")
SUBSCRIPTION_SUSPENDED = _event(
    "subscription", "suspended", SubscriptionChanged, "The circuit breaker tripped a third time: deliveries stop."
)
SUBSCRIPTION_DISABLED = _event(
    "subscription", "disabled", SubscriptionChanged, "The endpoint answered 410 Gone: deliveries stop."
)
CIRCUIT_BREAKER_OPENED = _event(
    "circuit_breaker", "opened", BreakerOpened, "Ten consecutive failures: deliveries pause until the reset time."
)

# --- operations ----------------------------------------------------------------------------------

CREATE_SUBSCRIPTION = _cmd(
    "create_subscription", CreateSubscription, CreatedSubscription,
    "Subscribe an HTTPS endpoint to event types; the signing secret is returned once.",
    errors=_WRITE_ERRORS, **_MANAGING, shown_once=("secret",),
    http=_route("POST", "/webhook-subscriptions", "Create a webhook subscription", TAG, 201),
)  # fmt: skip
LIST_SUBSCRIPTIONS = _qry(
    "list_subscriptions", ListSubscriptions, SubscriptionPage, "The tenant's subscriptions (never a secret).",
    errors=(), **_MANAGING, http=_route("GET", "/webhook-subscriptions", "List webhook subscriptions", TAG),
)  # fmt: skip
GET_SUBSCRIPTION = _qry(
    "get_subscription", SubscriptionRef, WebhookSubscription, "One subscription (never its secret).",
    errors=_NOT_FOUND, **_MANAGING,
    http=_route("GET", "/webhook-subscriptions/{id}", "Get a webhook subscription", TAG),
)  # fmt: skip
UPDATE_SUBSCRIPTION = _cmd(
    "update_subscription", UpdateSubscription, WebhookSubscription,
    "Change an ACTIVE or PAUSED subscription; omitted fields stay.",
    errors=_WRITE_ERRORS, **_MANAGING,
    http=_route("PATCH", "/webhook-subscriptions/{id}", "Update a webhook subscription", TAG),
)  # fmt: skip
DELETE_SUBSCRIPTION = _cmd(
    "delete_subscription", SubscriptionRef, SubscriptionRef, "Delete a subscription with its deliveries.",
    errors=_NOT_FOUND, **_MANAGING,
    http=_route("DELETE", "/webhook-subscriptions/{id}", "Delete a webhook subscription", TAG),
)  # fmt: skip
PAUSE_SUBSCRIPTION = _cmd(
    "pause_subscription", SubscriptionRef, WebhookSubscription,
    "Pause an ACTIVE subscription: events meanwhile are not queued for it (a replay sends them later); "
    "deliveries already queued wait for the resume.",
    errors=_STATE_ERRORS, **_MANAGING,
    http=_route("POST", "/webhook-subscriptions/{id}/pause", "Pause a webhook subscription", TAG),
)  # fmt: skip
RESUME_SUBSCRIPTION = _cmd(
    "resume_subscription", SubscriptionRef, WebhookSubscription,
    "Resume a PAUSED, SUSPENDED or DISABLED subscription: failures, breaker and trips reset, waiting deliveries go.",
    errors=_STATE_ERRORS, **_MANAGING,
    http=_route("POST", "/webhook-subscriptions/{id}/resume", "Resume a webhook subscription", TAG),
)  # fmt: skip
TEST_SUBSCRIPTION = _cmd(
    "test_subscription", SubscriptionRef, TestResult,
    "Send a `test.ping` now and answer with the endpoint's response (one attempt, no retry).",
    errors=_NOT_FOUND, **_MANAGING, timeout_seconds=40.0,
    http=_route("POST", "/webhook-subscriptions/{id}/test", "Test a webhook subscription", TAG),
)  # fmt: skip
ROTATE_SECRET = _cmd(
    "rotate_secret", SubscriptionRef, RotatedSecret,
    f"A new signing secret, returned once; the previous one keeps signing for {ROTATION_OVERLAP_HOURS} h.",
    errors=_NOT_FOUND, **_MANAGING, shown_once=("secret",),
    http=_route("POST", "/webhook-subscriptions/{id}/rotate-secret", "Rotate a subscription's secret", TAG),
)  # fmt: skip
