"""events: the participant types of an event (delegate, press, staff...)."""

from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints

from ...errors import ErrorCode
from ...fields import Id, Name
from ...listing import ListQuery, Page
from ...model import Model
from ._common import (
    _EVENT_READ,
    _EVENT_UPDATE,
    _NOT_FOUND,
    _UPDATE_ERRORS,
    _WRITE_ERRORS,
    Text,
    _cmd,
    _event,
    _qry,
    _route,
)

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class ParticipantType(Model):
    id: str
    tenant_id: str
    event_id: str
    name: str
    code: str
    description: str | None = None
    created_at: datetime
    updated_at: datetime


class CreateParticipantType(Model):
    event_id: Id
    name: Name
    code: Code
    description: Text | None = None


class UpdateParticipantType(Model):
    event_id: Id
    id: Id
    name: Name | None = None
    code: Code | None = None
    description: Text | None = None


class ParticipantTypeRef(Model):
    event_id: Id
    id: Id


class ListParticipantTypes(ListQuery):
    event_id: Id


class ParticipantTypePage(Page[ParticipantType]):
    pass


class ParticipantTypeChanged(Model):
    participant_type: ParticipantType


# --- domain events -------------------------------------------------------------------------------

PARTICIPANT_TYPE_CREATED = _event("participant_type", "created", ParticipantTypeChanged, "A participant type.")
PARTICIPANT_TYPE_UPDATED = _event("participant_type", "updated", ParticipantTypeChanged, "A type changed.")
PARTICIPANT_TYPE_DELETED = _event("participant_type", "deleted", ParticipantTypeChanged, "A type was removed.")


# --- operations ----------------------------------------------------------------------------------

CREATE_PARTICIPANT_TYPE = _cmd(
    "create_participant_type", CreateParticipantType, ParticipantType, "Add a participant type (code unique).",
    errors=_WRITE_ERRORS, permission=_EVENT_UPDATE,
    http=_route("POST", "/events/{eventId}/participant-types", "Create a participant type", "events", 201),
)  # fmt: skip
LIST_PARTICIPANT_TYPES = _qry(
    "list_participant_types", ListParticipantTypes, ParticipantTypePage, "An event's participant types.",
    errors=_NOT_FOUND, permission=_EVENT_READ,
    http=_route("GET", "/events/{eventId}/participant-types", "List participant types", "events"),
)  # fmt: skip
UPDATE_PARTICIPANT_TYPE = _cmd(
    "update_participant_type", UpdateParticipantType, ParticipantType, "Change a participant type (If-Match).",
    errors=_UPDATE_ERRORS, permission=_EVENT_UPDATE,
    http=_route("PATCH", "/events/{eventId}/participant-types/{id}", "Update a participant type", "events"),
)  # fmt: skip
DELETE_PARTICIPANT_TYPE = _cmd(
    "delete_participant_type", ParticipantTypeRef, ParticipantTypeRef,
    "Remove a participant type; participants already registered with it keep it.",
    errors=(ErrorCode.NOT_FOUND, ErrorCode.CONFLICT), permission=_EVENT_UPDATE,
    http=_route("DELETE", "/events/{eventId}/participant-types/{id}", "Delete a participant type", "events", 204),
)  # fmt: skip
