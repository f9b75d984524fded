"""registration: merging duplicate participants into one, and the merge history."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ...fields import Id
from ...listing import ListQuery, Page
from ...model import Model
from ._common import _REVIEW, _STATE_ERRORS, _cmd, _event, _qry, _route
from .participants import Participant

MergeableField = Literal["firstName", "lastName", "email", "organization", "jobTitle", "nationality"]


class MergeParticipants(Model):
    survivor_id: Id
    merged_id: Id
    field_resolution: dict[
        Annotated[str, StringConstraints(min_length=1, max_length=64)], Literal["surviving", "merged"]
    ] = Field(
        default_factory=dict,
        description="Per field, whose value the survivor keeps; fixed fields or extras keys. Default: surviving.",
    )


class MergeRecord(Model):
    id: str
    tenant_id: str
    surviving_id: str
    merged_id: str
    field_resolution: dict[str, str]
    approvals_migrated: int
    merged_by: str
    merged_at: datetime


class MergeResult(Model):
    survivor: Participant
    history: MergeRecord


class ListMergeHistory(ListQuery):
    page_size: int = Field(25, ge=1, le=100)
    sort: str = Field("mergedAt:desc", pattern=r"^[A-Za-z][A-Za-z0-9_]*:(asc|desc)$")
    participant_id: Id | None = None


class MergePage(Page[MergeRecord]):
    pass


class ParticipantMerged(Model):
    survivor_id: str
    merged_ids: list[str]
    event_id: str


# --- domain events -------------------------------------------------------------------------------

PARTICIPANT_MERGED = _event(
    "participant", "merged", ParticipantMerged, "Duplicates were merged into a survivor; re-point their rows."
)

# --- operations ----------------------------------------------------------------------------------

MERGE_PARTICIPANTS = _cmd(
    "merge_participants", MergeParticipants, MergeResult,
    "Merge a duplicate into a survivor in one transaction; `participant.merged` re-points other services' rows.",
    errors=_STATE_ERRORS, permission=_REVIEW,
    http=_route("POST", "/participants/merge", "Merge two participants", "screening"),
)  # fmt: skip
LIST_MERGE_HISTORY = _qry(
    "list_merge_history", ListMergeHistory, MergePage, "Merges, latest first.",
    permission=_REVIEW, http=_route("GET", "/merge-history", "List merges", "screening"),
)  # fmt: skip
