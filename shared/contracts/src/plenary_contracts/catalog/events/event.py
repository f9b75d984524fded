"""events: an event, its details and status, and the read model other services ask for."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from ...enums import EventStatus, WorkflowStatus
from ...fields import AwareDatetime, Id, Name
from ...listing import ListQuery, Page
from ...model import Model
from ._common import (
    _EVENT_CREATE,
    _EVENT_DELETE,
    _EVENT_READ,
    _EVENT_UPDATE,
    _NOT_FOUND,
    _UPDATE_ERRORS,
    _WRITE_ERRORS,
    _cmd,
    _event,
    _qry,
    _route,
)
from .field_definitions import FieldDefinition
from .participant_types import ParticipantType

Description = Annotated[str, StringConstraints(max_length=5000)]
Timezone = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class WorkflowSummary(Model):
    """A workflow of the event, as events keeps it from workflow's events (for ``expand=workflows``)."""

    id: str
    name: str
    status: WorkflowStatus
    participant_type_id: str | None = None


class Event(Model):
    id: str
    tenant_id: str
    name: str
    description: str
    status: EventStatus
    start_date: datetime
    end_date: datetime
    timezone: str
    extras: dict[str, Any] = Field(default_factory=dict)
    participant_types: list[ParticipantType] | None = Field(None, description="With `expand=participantTypes`.")
    workflows: list[WorkflowSummary] | None = Field(None, description="With `expand=workflows`.")
    created_at: datetime
    updated_at: datetime


def _dates_in_order(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValueError("endDate must not be before startDate")


class CreateEvent(Model):
    name: Name
    description: Description = ""
    start_date: AwareDatetime
    end_date: AwareDatetime
    timezone: Timezone = Field("UTC", description="IANA name; the event's days (queue numbers, scans) use it.")
    status: EventStatus = EventStatus.DRAFT
    extras: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _ordered(self) -> "CreateEvent":
        _dates_in_order(self.start_date, self.end_date)
        return self


class UpdateEvent(Model):
    """A partial update guarded by ``If-Match``; fields left out keep their value."""

    id: Id
    name: Name | None = None
    description: Description | None = None
    start_date: AwareDatetime | None = None
    end_date: AwareDatetime | None = None
    timezone: Timezone | None = None
    status: EventStatus | None = None
    extras: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "UpdateEvent":
        _dates_in_order(self.start_date, self.end_date)
        return self


class EventRef(Model):
    id: Id


class GetEvent(Model):
    id: Id
    expand: (
        Annotated[str, StringConstraints(pattern=r"^(participantTypes|workflows)(,(participantTypes|workflows))*$")]
        | None
    ) = Field(None, description="`participantTypes`, `workflows`, or both, comma-separated.")


class ListEvents(ListQuery):
    status: EventStatus | None = None
    q: Annotated[str, StringConstraints(max_length=200)] | None = Field(None, description="Name contains.")


class EventPage(Page[Event]):
    pass


class EventSchema(Model):
    """An event with its participant types and effective participant fields: registration's read model."""

    event: Event
    participant_types: list[ParticipantType]
    field_definitions: list[FieldDefinition]


class EventSchemaRef(Model):
    event_id: Id


class EventChanged(Model):
    event: Event


class EventDeleted(Model):
    event_id: str


# --- domain events -------------------------------------------------------------------------------

EVENT_CREATED = _event("event", "created", EventChanged, "An event was created.")
EVENT_UPDATED = _event("event", "updated", EventChanged, "An event's details or status changed.")
EVENT_DELETED = _event(
    "event", "deleted", EventDeleted, "An event was deleted; its workflows, participants and the rest go."
)


# --- operations ----------------------------------------------------------------------------------

CREATE_EVENT = _cmd(
    "create_event", CreateEvent, Event, "Create an event (DRAFT unless a status is given).",
    errors=_WRITE_ERRORS, permission=_EVENT_CREATE, http=_route("POST", "/events", "Create an event", "events", 201),
)  # fmt: skip
LIST_EVENTS = _qry(
    "list_events", ListEvents, EventPage, "The tenant's events, by status or name.",
    permission=_EVENT_READ, http=_route("GET", "/events", "List events", "events"),
)  # fmt: skip
GET_EVENT = _qry(
    "get_event", GetEvent, Event, "One event, optionally with its participant types and workflows.",
    errors=_NOT_FOUND, permission=_EVENT_READ, http=_route("GET", "/events/{id}", "Get an event", "events"),
)  # fmt: skip
UPDATE_EVENT = _cmd(
    "update_event", UpdateEvent, Event, "Change an event (partial; If-Match).",
    errors=_UPDATE_ERRORS, permission=_EVENT_UPDATE,
    http=_route("PATCH", "/events/{id}", "Update an event", "events"),
)  # fmt: skip
DELETE_EVENT = _cmd(
    "delete_event", EventRef, EventRef, "Soft-delete an event; its workflows, participants and the rest follow.",
    errors=_NOT_FOUND, permission=_EVENT_DELETE,
    http=_route("DELETE", "/events/{id}", "Delete an event", "events", 204),
)  # fmt: skip
GET_EVENT_SCHEMA = _qry(
    "get_event_schema", EventSchemaRef, EventSchema,
    "An event with its participant types and effective fields (for services whose read model misses it).",
    errors=_NOT_FOUND, permission=_EVENT_READ,
)  # fmt: skip
