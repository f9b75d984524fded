"""registration: participants, the record other services keep, and registering one."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ...enums import (
    ParticipantStatus,
)
from ...fields import Id, Name
from ...listing import ListQuery, Page
from ...model import Model
from ...permissions import Permission
from ...personal import Personal
from ._common import _NOT_FOUND, _UPDATE_ERRORS, _WRITE_ERRORS, Email, Short, _cmd, _event, _qry, _route
from .screening import Screening

RegistrationCode = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-/]+$")
]


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
    progress_version: int | None = Field(
        None, description="The version of the workflow decision the status reflects (none before the first one)."
    )
    extras: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime


class Participant(ParticipantRecord):
    flagged: bool = Field(False, description="Screening found a likely duplicate awaiting review.")
    screening: Screening | None = Field(None, description="Only in the reply to a registration.")
    erased_at: datetime | None = Field(None, description="Set once the person was erased: the record is anonymised.")


class ParticipantDetails(Model):
    """What a person registers with; shared by registration, waitlist entries and (later) invites."""

    participant_type_id: Id
    workflow_id: Id | None = Field(None, description="Leave out to enter the event's workflow for the type.")
    registration_code: RegistrationCode | None = Field(None, description="Unique in the event; generated if absent.")
    first_name: Name
    last_name: Name
    email: Email | None = None
    organization: Short | None = None
    job_title: Short | None = None
    nationality: Short | None = None
    extras: dict[str, Any] = Field(
        default_factory=dict, description="Values of the event's dynamic fields, checked against their definitions."
    )


class RegisterParticipant(ParticipantDetails):
    event_id: Id


class ScreenParticipant(RegisterParticipant):
    """The same body as a registration; nothing is stored."""


class UpdateParticipant(Model):
    """A partial update guarded by ``If-Match``. CANCELLED frees the participant's slot."""

    event_id: Id
    id: Id
    participant_type_id: Id | None = None
    registration_code: RegistrationCode | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    email: Email | None = None
    organization: Short | None = None
    job_title: Short | None = None
    nationality: Short | None = None
    status: ParticipantStatus | None = None
    extras: dict[str, Any] | None = Field(None, description="Merged into the stored extras; a null value removes.")


class ParticipantRef(Model):
    event_id: Id
    id: Id


class ListParticipants(ListQuery):
    event_id: Id
    status: ParticipantStatus | None = None
    participant_type_id: Id | None = None
    flagged: bool | None = None
    q: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        None, description="Name, e-mail or registration code contains."
    )


class ParticipantPage(Page[Participant]):
    pass


class ParticipantChanged(Model):
    participant: ParticipantRecord


class ParticipantDeleted(Model):
    participant_id: str
    event_id: str


class SlotsFreed(Model):
    """Places of a participant type opened up; the waitlist offers them. Delegation publishes it too."""

    event_id: str
    participant_type_id: str
    slots: int
    reason: str
    trigger_entity_id: str | None = None
    survivor_id: str | None = Field(None, description="For a merge: the participant the freed one was merged into.")


# --- domain events -------------------------------------------------------------------------------

# The person's details, sealed with their key in every copy of the event (``plenary_contracts.personal``).
PARTICIPANT_DATA = Personal(
    "participant.id",
    tuple(
        f"participant.{name}"
        for name in ("firstName", "lastName", "email", "organization", "jobTitle", "nationality", "extras")
    ),
)

PARTICIPANT_REGISTERED = _event(
    "participant",
    "registered",
    ParticipantChanged,
    "A participant registered (every path: API, import, waitlist).",
    personal=PARTICIPANT_DATA,
)
PARTICIPANT_UPDATED = _event(
    "participant", "updated", ParticipantChanged, "A participant's details changed.", personal=PARTICIPANT_DATA
)
PARTICIPANT_DELETED = _event("participant", "deleted", ParticipantDeleted, "A participant was deleted.")
SLOTS_FREED = _event("slots", "freed", SlotsFreed, "A participant was cancelled or rejected; its place is free.")

_P_CREATE, _P_READ, _P_UPDATE, _P_DELETE = (
    Permission("participant", a) for a in ("create", "read", "update", "delete")
)

_PARTICIPANTS = "/events/{eventId}/participants"


# --- operations ----------------------------------------------------------------------------------

REGISTER_PARTICIPANT = _cmd(
    "register_participant", RegisterParticipant, Participant,
    "Register a participant: extras checked, screened (blacklist blocks; a likely duplicate is flagged), "
    "then `participant.registered` enters the workflow. A block is 409 with the matches in `details`.",
    errors=_WRITE_ERRORS, permission=_P_CREATE,
    http=_route("POST", _PARTICIPANTS, "Register a participant", "participants", 201),
)  # fmt: skip
SCREEN_PARTICIPANT = _qry(
    "screen_participant", ScreenParticipant, Screening, "What screening would say of a registration; nothing stored.",
    errors=_WRITE_ERRORS, permission=_P_CREATE,
    http=_route("POST", _PARTICIPANTS + "/screen", "Screen a registration", "participants"),
)  # fmt: skip
LIST_PARTICIPANTS = _qry(
    "list_participants", ListParticipants, ParticipantPage, "An event's participants, by status, type or text.",
    errors=_NOT_FOUND, permission=_P_READ, http=_route("GET", _PARTICIPANTS, "List participants", "participants"),
)  # fmt: skip
GET_PARTICIPANT = _qry(
    "get_participant", ParticipantRef, Participant, "One participant.",
    errors=_NOT_FOUND, permission=_P_READ,
    http=_route("GET", _PARTICIPANTS + "/{id}", "Get a participant", "participants"),
)  # fmt: skip
UPDATE_PARTICIPANT = _cmd(
    "update_participant", UpdateParticipant, Participant, "Change a participant (partial; If-Match).",
    errors=_UPDATE_ERRORS, permission=_P_UPDATE,
    http=_route("PATCH", _PARTICIPANTS + "/{id}", "Update a participant", "participants"),
)  # fmt: skip
DELETE_PARTICIPANT = _cmd(
    "delete_participant", ParticipantRef, ParticipantRef, "Soft-delete a participant; its slot is freed.",
    errors=_NOT_FOUND, permission=_P_DELETE,
    http=_route("DELETE", _PARTICIPANTS + "/{id}", "Delete a participant", "participants", 204),
)  # fmt: skip
