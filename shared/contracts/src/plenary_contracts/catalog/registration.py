"""registration: participants (the events other services keep read models of).

Issue 5 adds its operations; the participant events are declared here first because workflow consumes them.
"""

from datetime import datetime
from typing import Any

from pydantic import Field

from ..enums import ParticipantStatus
from ..events import EventSpec
from ..model import Model
from ..operations import OperationSpec

SERVICE = "registration"


class ParticipantRecord(Model):
    """A participant as registration holds it; what other services keep as their read model."""

    id: str
    tenant_id: str
    event_id: str
    participant_type_id: str
    participant_type_code: str | None = None
    workflow_id: str | None = Field(None, description="The workflow to enter; else the event's one for the type.")
    registration_code: str
    first_name: str
    last_name: str
    email: str | None = None
    organization: str | None = None
    job_title: str | None = None
    nationality: str | None = None
    status: ParticipantStatus = ParticipantStatus.PENDING
    extras: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime


class ParticipantChanged(Model):
    participant: ParticipantRecord


class ParticipantDeleted(Model):
    participant_id: str
    event_id: str


class ParticipantMerged(Model):
    survivor_id: str
    merged_ids: list[str]
    event_id: str


def _event(entity: str, verb: str, payload: type[Model], description: str) -> EventSpec:
    return EventSpec(SERVICE, entity, verb, payload, description)


PARTICIPANT_REGISTERED = _event(
    "participant", "registered", ParticipantChanged, "A participant registered (every path: API, import, waitlist)."
)
PARTICIPANT_UPDATED = _event("participant", "updated", ParticipantChanged, "A participant's details changed.")
PARTICIPANT_DELETED = _event("participant", "deleted", ParticipantDeleted, "A participant was deleted.")
PARTICIPANT_MERGED = _event(
    "participant", "merged", ParticipantMerged, "Duplicates were merged into a survivor; re-point their rows."
)

EVENTS = [PARTICIPANT_REGISTERED, PARTICIPANT_UPDATED, PARTICIPANT_DELETED, PARTICIPANT_MERGED]
OPERATIONS: list[OperationSpec] = []
