"""events: cloning an event into a new one (its next edition), a saga events orchestrates.

``CLONE_EVENT`` answers 202 at once with the operation: the target event (DRAFT) and events' own part
(participant types, event-scoped field definitions) are there; the other services copy theirs in
``CLONE_ORDER`` afterwards (``saga_parts.COPY_EVENT_PART``), and the operation shows how far it got. A
failure anywhere drops every part copied (``DROP_EVENT_PART``, in reverse order) and the target event:
the operation ends ROLLED_BACK with the error, or COMPLETED with what each part copied."""

from datetime import datetime
from typing import Annotated

from pydantic import Field, model_validator

from ...enums import CloneStatus
from ...errors import ErrorCode
from ...fields import AwareDatetime, Id, Name
from ...flags import FlagKey
from ...listing import ListQuery, Page
from ...model import Model
from ...permissions import Permission
from ...saga_parts import CloneElements
from ._common import _NOT_FOUND, _cmd, _event, _qry, _route
from .series import EditionNumber

# cloning: its permission and its flag (series and editions share them)
_CLONE = {"permission": Permission("event-clone", "execute"), "flag": FlagKey.EVENT_CLONE}


class CloneEvent(Model):
    id: Id = Field(description="The source event.")
    target_event_name: Name
    start_date: AwareDatetime = Field(description="The target event's start.")
    end_date: AwareDatetime = Field(description="The target event's end; not before its start.")
    elements: CloneElements = Field(default_factory=CloneElements)
    series_id: Id | None = Field(None, description="Add the target as an edition of this series (year: its start).")
    edition_number: EditionNumber | None = Field(None, description="The edition's number; else the series' next.")

    @model_validator(mode="after")
    def _ordered(self) -> "CloneEvent":
        if self.end_date < self.start_date:
            raise ValueError("endDate must not be before startDate")
        return self


class CloneOptions(Model):
    """What the clone was asked to do, as the operation keeps it."""

    target_event_name: str
    start_date: datetime
    end_date: datetime
    elements: CloneElements
    series_id: str | None = None
    edition_number: int | None = None


StepStatus = Annotated[str, Field(description="PENDING, SKIPPED, STARTED, COPIED, FAILED, DROPPED.")]


class CloneStep(Model):
    """One service's part of the copy."""

    service: str
    status: StepStatus
    counts: dict[str, int] = Field(default_factory=dict, description="Rows per element copied (or dropped).")


class CloneOperation(Model):
    id: str
    tenant_id: str
    source_event_id: str | None = None
    target_event_id: str | None = Field(None, description="Null once a rolled back target is deleted.")
    status: CloneStatus = Field(description="FAILED while the parts copied are being dropped, then ROLLED_BACK.")
    options: CloneOptions
    elements_copied: dict[str, int] = Field(
        default_factory=dict, description="Per element (participantTypes, steps, quotas...), and totalMappings."
    )
    steps: list[CloneStep] = Field(default_factory=list, description="events' own part first, then CLONE_ORDER.")
    error_log: str | None = None
    started_at: datetime
    completed_at: datetime | None = None
    created_by: str


class CloneOperationRef(Model):
    id: Id


class ListCloneOperations(ListQuery):
    id: Id = Field(description="The source event.")


class CloneOperationPage(Page[CloneOperation]):
    pass


class CloneOperationChanged(Model):
    operation: CloneOperation


# --- domain events -------------------------------------------------------------------------------

EVENT_CLONED = _event("event", "cloned", CloneOperationChanged, "An event was cloned into a new DRAFT event.")
CLONE_FAILED = _event(
    "clone", "failed", CloneOperationChanged, "A clone failed; every part copied was dropped (ROLLED_BACK)."
)


# --- operations ----------------------------------------------------------------------------------

_CLONE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.VALIDATION_ERROR, ErrorCode.BAD_REQUEST)

CLONE_EVENT = _cmd(
    "clone_event", CloneEvent, CloneOperation,
    "Clone an event into a new DRAFT event; the other services' parts follow (202, watch the operation).",
    errors=_CLONE_ERRORS, **_CLONE, http=_route("POST", "/events/{id}/clone", "Clone an event", "events", 202),
)  # fmt: skip
GET_CLONE_OPERATION = _qry(
    "get_clone_operation", CloneOperationRef, CloneOperation, "A clone operation with its progress per part.",
    errors=_NOT_FOUND, **_CLONE,
    http=_route("GET", "/clone-operations/{id}", "Get a clone operation", "events"),
)  # fmt: skip
LIST_CLONE_OPERATIONS = _qry(
    "list_clone_operations", ListCloneOperations, CloneOperationPage, "The clones made of an event, newest first.",
    errors=_NOT_FOUND, **_CLONE,
    http=_route("GET", "/events/{id}/clone-operations", "List an event's clone operations", "events"),
)  # fmt: skip
