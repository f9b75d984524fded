"""checkin: an event's checkpoints (gates, rooms, VIP areas, desks), their zone, access rules and re-entry policy."""

from datetime import datetime
from typing import Annotated

from pydantic import Field

from ...enums import CheckpointDirection, CheckpointType, ReentryPolicy
from ...fields import Id, Name
from ...listing import ListQuery, Page
from ...model import Model
from ._common import _MANAGING, _NOT_FOUND, _SCANNING, _WRITE_ERRORS, Location, _cmd, _event, _qry, _route

ZoneId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
CheckpointName = Annotated[Name, Field(max_length=100)]


class Checkpoint(Model):
    id: str
    tenant_id: str
    event_id: str
    name: str
    location: str | None = None
    type: CheckpointType
    direction: CheckpointDirection
    is_active: bool
    capacity: int | None = Field(None, description="Informational: colours the count, never refuses entry.")
    zone_id: str | None = Field(None, description="The zone whose head count this checkpoint moves; none: the venue.")
    reentry: ReentryPolicy
    allowed_participant_type_ids: list[str] | None = Field(
        None, description="The participant types that may pass; none: every type."
    )
    refuse_passback: bool = Field(
        False, description="Refuse an entry while the person is already inside (an alert is raised either way)."
    )
    created_at: datetime
    updated_at: datetime


class CreateCheckpoint(Model):
    event_id: Id
    name: CheckpointName
    location: Location | None = None
    type: CheckpointType = CheckpointType.GATE
    direction: CheckpointDirection = CheckpointDirection.ENTRY
    is_active: bool = True
    capacity: Annotated[int, Field(gt=0)] | None = None
    zone_id: ZoneId | None = None
    reentry: ReentryPolicy = ReentryPolicy.ONCE_PER_DAY
    allowed_participant_type_ids: list[Id] | None = Field(None, max_length=200)
    refuse_passback: bool = False


class UpdateCheckpoint(Model):
    """Only the fields given change; ``null`` clears an optional one."""

    id: Id
    name: CheckpointName | None = None
    location: Location | None = None
    type: CheckpointType | None = None
    direction: CheckpointDirection | None = None
    capacity: Annotated[int, Field(gt=0)] | None = None
    zone_id: ZoneId | None = None
    reentry: ReentryPolicy | None = None
    allowed_participant_type_ids: list[Id] | None = Field(None, max_length=200)
    refuse_passback: bool | None = None


class CheckpointRef(Model):
    id: Id


class ListCheckpoints(ListQuery):
    event_id: Id
    is_active: bool | None = None
    type: CheckpointType | None = None


class CheckpointPage(Page[Checkpoint]):
    pass


class CheckpointChanged(Model):
    checkpoint: Checkpoint


# --- domain events -------------------------------------------------------------------------------

CHECKPOINT_CREATED = _event("checkpoint", "created", CheckpointChanged, "A checkpoint was created.")
CHECKPOINT_UPDATED = _event("checkpoint", "updated", CheckpointChanged, "A checkpoint changed or was toggled.")
CHECKPOINT_DELETED = _event("checkpoint", "deleted", CheckpointChanged, "A checkpoint and its access log were deleted.")

# --- operations ----------------------------------------------------------------------------------

CREATE_CHECKPOINT = _cmd(
    "create_checkpoint", CreateCheckpoint, Checkpoint, "A checkpoint of an event (name unique in the event).",
    errors=_WRITE_ERRORS, **_MANAGING,
    http=_route("POST", "/events/{eventId}/checkpoints", "Create a checkpoint", "check-in", 201),
)  # fmt: skip
LIST_CHECKPOINTS = _qry(
    "list_checkpoints", ListCheckpoints, CheckpointPage, "An event's checkpoints.",
    errors=_NOT_FOUND, **_SCANNING, http=_route("GET", "/events/{eventId}/checkpoints", "List checkpoints", "check-in"),
)  # fmt: skip
GET_CHECKPOINT = _qry(
    "get_checkpoint", CheckpointRef, Checkpoint, "One checkpoint.",
    errors=_NOT_FOUND, **_SCANNING, http=_route("GET", "/checkpoints/{id}", "Get a checkpoint", "check-in"),
)  # fmt: skip
UPDATE_CHECKPOINT = _cmd(
    "update_checkpoint", UpdateCheckpoint, Checkpoint, "Change a checkpoint's details or rules.",
    errors=_WRITE_ERRORS, **_MANAGING, http=_route("PATCH", "/checkpoints/{id}", "Update a checkpoint", "check-in"),
)  # fmt: skip
TOGGLE_CHECKPOINT = _cmd(
    "toggle_checkpoint", CheckpointRef, Checkpoint, "Open a closed checkpoint or close an open one.",
    errors=_NOT_FOUND, **_MANAGING,
    http=_route("POST", "/checkpoints/{id}/toggle", "Open or close a checkpoint", "check-in"),
)  # fmt: skip
DELETE_CHECKPOINT = _cmd(
    "delete_checkpoint", CheckpointRef, Checkpoint, "Delete a checkpoint with its access log.",
    errors=_NOT_FOUND, **_MANAGING, http=_route("DELETE", "/checkpoints/{id}", "Delete a checkpoint", "check-in"),
)  # fmt: skip
