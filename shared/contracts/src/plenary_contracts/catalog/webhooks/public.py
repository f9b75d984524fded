"""The public event catalog: what integrators subscribe to, and the stable JSON each type delivers.

Every type has a documented payload (``data`` of the delivered body) with a JSON Schema; the platform's own
bus events are mapped onto these by the webhooks service, never sent as they are, so an internal change does
not break a receiver. A type evolves additively; a breaking change would be a new type.

A delivery's body (``version: "v1"``)::

    {"id": "<event id>", "type": "participant.approved", "timestamp": "<when it happened>", "data": {...}}

and for a subscription of ``version: "legacy"`` the original platform's shape
``{"id", "event", "timestamp", "version", "data"}``. The ``id`` is the same for every subscription and every
attempt (and replay) of one event, and is sent as ``webhook-id``: receivers dedupe on it.
"""

from datetime import datetime
from typing import Any

from pydantic import Field

from ...model import Model

WILDCARD = "*"
TEST_PING = "test.ping"  # reserved: only the test operation sends it
MAX_SUBSCRIPTIONS = 50  # per tenant
MAX_EVENT_TYPES = 20  # per subscription
MAX_PAYLOAD_BYTES = 256 * 1024  # a delivery's body; a larger one is dead-lettered unsent
VERSIONS = ("v1", "legacy")


class ParticipantRegisteredData(Model):
    participant_id: str
    event_id: str
    participant_type_id: str
    registration_code: str
    first_name: str
    last_name: str
    email: str | None
    organization: str | None
    status: str
    registered_at: datetime


class ParticipantDecisionData(Model):
    """A reviewer's (or an automatic rule's) action on a participant at a workflow step."""

    participant_id: str
    participant_name: str
    registration_code: str
    event_id: str
    workflow_id: str
    step_id: str
    step_name: str
    action: str = Field(description="APPROVE, REJECT, BYPASS, RETURN, ESCALATE, PRINT…")
    previous_status: str
    status: str
    next_step_id: str | None
    is_complete: bool = Field(description="The participant left the workflow with this action.")
    remarks: str | None
    automatic: bool = Field(description="Taken by an auto-action rule, not a person.")


class SlaWarningData(Model):
    participant_id: str
    participant_name: str
    event_id: str
    workflow_id: str
    step_id: str
    step_name: str
    due_at: datetime
    remaining_minutes: int
    assignee_id: str | None


class SlaBreachedData(Model):
    participant_id: str
    participant_name: str
    event_id: str
    workflow_id: str
    step_id: str
    step_name: str
    due_at: datetime
    overdue_minutes: int
    assignee_id: str | None


class WorkflowPublishedData(Model):
    workflow_id: str
    event_id: str
    name: str
    version_id: str
    version: int
    step_count: int


class ScanCompletedData(Model):
    scan_id: str
    event_id: str
    checkpoint_id: str
    participant_id: str | None
    scan_type: str
    result: str
    reason: str
    movement: str | None = Field(description="`in` or `out` when the scan moved the participant.")
    device_id: str | None
    scanned_at: datetime


class BulkOperationCompletedData(Model):
    operation_id: str
    event_id: str
    type: str
    status: str
    total_items: int
    success_count: int
    failure_count: int
    started_at: datetime | None
    completed_at: datetime | None


class ParallelForkedData(Model):
    participant_id: str
    participant_name: str
    event_id: str
    fork_step_id: str
    fork_step_name: str
    join_step_id: str
    branch_count: int


class BranchSummary(Model):
    total: int
    completed: int
    approved: int
    rejected: int
    pending: int


class ParallelJoinedData(Model):
    participant_id: str
    participant_name: str
    event_id: str
    fork_step_id: str
    join_step_id: str
    action: str
    summary: BranchSummary


class OccupancyChangedData(Model):
    event_id: str
    zone_id: str | None = Field(description="None: the whole venue.")
    current_count: int
    max_capacity: int
    band: str | None
    at: datetime


class AlertCreatedData(Model):
    kind: str = Field(description="`passback`: an entry while the access log has the person inside.")
    event_id: str
    checkpoint_id: str
    participant_id: str
    access_log_id: str
    refused: bool
    at: datetime


class CustomObjectRecordData(Model):
    """A custom object record as it is after the change (or was, for a deletion)."""

    record_id: str
    object_id: str = Field(description="The custom object (definition) the record is one of.")
    object_slug: str
    data: dict[str, Any] = Field(description="The record's values by field name, typed by the object's fields.")
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class TestPingData(Model):
    message: str
    timestamp: datetime


class PublicEventType(Model):
    type: str
    group: str = Field(description="The prefix before the dot: how a UI groups types.")
    description: str
    emitted_by: str = Field(description="The service whose bus event it is made from.")
    schema_: dict[str, Any] = Field(alias="schema", description="JSON Schema of the delivered `data`.")


# type → (payload model, emitting service, description); the order is the catalog's
PUBLIC_EVENTS: dict[str, tuple[type[Model], str, str]] = {
    "participant.registered": (ParticipantRegisteredData, "registration", "A participant registered for an event."),
    "participant.approved": (ParticipantDecisionData, "workflow", "A participant was approved at a step."),
    "participant.rejected": (ParticipantDecisionData, "workflow", "A participant was rejected."),
    "participant.bypassed": (ParticipantDecisionData, "workflow", "A step was bypassed for a participant."),
    "participant.escalated": (ParticipantDecisionData, "workflow", "A participant's review was escalated."),
    "participant.status_changed": (
        ParticipantDecisionData,
        "workflow",
        "Any workflow action on a participant (sent besides the specific type).",
    ),
    "sla.warning": (SlaWarningData, "workflow", "A participant's step is close to its SLA deadline."),
    "sla.breached": (SlaBreachedData, "workflow", "A participant's step passed its SLA deadline."),
    "workflow.published": (WorkflowPublishedData, "workflow", "A workflow version was published."),
    "parallel.forked": (ParallelForkedData, "workflow", "A participant entered parallel branches."),
    "parallel.joined": (ParallelJoinedData, "workflow", "A participant's parallel branches were joined."),
    "scan.completed": (ScanCompletedData, "checkin", "A badge or code was scanned at a checkpoint."),
    "occupancy.changed": (OccupancyChangedData, "checkin", "A zone's head count changed."),
    "alert.created": (AlertCreatedData, "checkin", "A check-in alert (anti-passback)."),
    "bulk_operation.completed": (
        BulkOperationCompletedData,
        "registration",
        "An import or other bulk operation finished.",
    ),
    "custom_object.record.created": (CustomObjectRecordData, "custom-objects", "A custom object record was created."),
    "custom_object.record.updated": (CustomObjectRecordData, "custom-objects", "A custom object record was changed."),
    "custom_object.record.deleted": (CustomObjectRecordData, "custom-objects", "A custom object record was deleted."),
}
PUBLIC_TYPES: tuple[str, ...] = tuple(PUBLIC_EVENTS)


def event_type_problems(types: list[str]) -> list[str]:
    """The entries of a subscription's ``events`` that are not subscribable."""
    return [t for t in types if t != WILDCARD and t not in PUBLIC_EVENTS]


def public_event_types() -> list[PublicEventType]:
    return [
        PublicEventType(
            type=name,
            group=name.partition(".")[0],
            description=description,
            emitted_by=service,
            schema=model.model_json_schema(mode="serialization"),
        )
        for name, (model, service, description) in PUBLIC_EVENTS.items()
    ]


def delivery_body_schema(event_type: str) -> dict[str, Any]:
    """JSON Schema of a whole delivered body (``version: "v1"``) of one type."""
    model = TestPingData if event_type == TEST_PING else PUBLIC_EVENTS[event_type][0]
    data = model.model_json_schema(mode="serialization")
    definitions = data.pop("$defs", None)  # its "#/$defs/…" references point at the body's root: they go there
    body: dict[str, Any] = {
        "type": "object",
        "title": f"{event_type} webhook",
        "required": ["id", "type", "timestamp", "data"],
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "Sent as `webhook-id`; dedupe on it."},
            "type": {"const": event_type},
            "timestamp": {"type": "string", "format": "date-time", "description": "When it happened."},
            "data": data,
        },
    }
    if definitions:
        body["$defs"] = definitions
    return body


SIGNATURE_HEADERS = {
    "webhook-id": "The event's id: the same on every attempt, replay and subscription.",
    "webhook-timestamp": "Unix seconds of this attempt; refuse one far from your clock.",
    "webhook-signature": "`v1,<base64 HMAC-SHA256 of id.timestamp.body>` keyed by the base64-decoded `whsec_` "
    "secret; two space-separated signatures while a rotated secret still overlaps.",
}


def openapi_webhooks() -> dict[str, Any]:
    """OpenAPI 3.1's ``webhooks`` section: one entry per public type, the body and the signature headers."""
    section: dict[str, Any] = {}
    for name in (*PUBLIC_TYPES, TEST_PING):
        description = PUBLIC_EVENTS[name][2] if name in PUBLIC_EVENTS else "Sent by the test operation only."
        section[name] = {
            "post": {
                "summary": name,
                "description": description,
                "tags": ["webhooks"],
                "parameters": [
                    {
                        "in": "header",
                        "name": header,
                        "required": True,
                        "schema": {"type": "string"},
                        "description": text,
                    }
                    for header, text in SIGNATURE_HEADERS.items()
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": delivery_body_schema(name)}},
                },
                "responses": {
                    "2XX": {"description": "Received; anything else is retried (410 disables the subscription)."}
                },
            }
        }
    return section
