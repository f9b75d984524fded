"""views: running a saved view on the owner of its entity, and moving a kanban card.

A view runs as its caller: the owner's list query is asked with the caller's identity and grants, so a view
shows only what the caller may read. A kanban card moves through the entity's own update path, never by a
write of the views service: for a participant's status, the workflow engine's action that leads to the
column's status, with the caller's permission for that action.
"""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from ...enums import ApprovalAction, ParticipantStatus, ViewType
from ...errors import ErrorCode
from ...fields import Id
from ...model import Model
from ...operations import OperationSpec
from ...row_queries import MAX_CURSOR, MAX_GROUPS, MAX_ROWS, RowGroup, ViewEntity
from ..workflow import TAKE_ACTION
from ._common import _GATED, TAG, _cmd, _qry, _route

Cursor = Annotated[str, StringConstraints(min_length=1, max_length=MAX_CURSOR)]


class RunView(Model):
    """One page of a view. A kanban answers its groups (each with a count and its first rows) unless
    ``group`` (or ``emptyGroup``) asks for the next page of one column; a calendar needs ``from`` and ``to``."""

    id: Id
    after: Cursor | None = Field(None, description="The previous page's `next` (a group's `next` for a kanban column).")
    limit: int | None = Field(None, ge=1, le=MAX_ROWS, description="Rows per page (per column for a kanban).")
    group: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        None, description="KANBAN: the column (its value) to page through."
    )
    empty_group: bool = Field(False, description="KANBAN: page through the column of rows without a value.")
    from_: date | datetime | None = Field(None, alias="from", description="CALENDAR: the range's start (inclusive).")
    to: date | datetime | None = Field(None, description="CALENDAR: the range's end (exclusive).")

    @model_validator(mode="after")
    def _one_column(self) -> "RunView":
        if self.group is not None and self.empty_group:
            raise ValueError("give group or emptyGroup, not both")
        return self


class ViewRows(Model):
    view_type: ViewType
    rows: list[dict[str, Any]] | None = Field(None, description="TABLE, CALENDAR, GALLERY, one kanban column.")
    next: str | None = Field(None, description="The cursor of the next page; none on the last page.")
    groups: list[RowGroup] | None = Field(None, description=f"KANBAN: the columns, at most {MAX_GROUPS}.")
    more_groups: bool = False


class MoveCard(Model):
    id: Id = Field(description="The kanban view.")
    row_id: Id = Field(description="The card: the row's id (for participants and progress, the participant).")
    to: Annotated[str, StringConstraints(min_length=1, max_length=500)] = Field(description="The target column.")
    expected_version: Annotated[int, Field(ge=0)] | None = Field(
        None, description="The version the caller saw, passed to the update path (the engine's 409 when stale)."
    )


class CardMoved(Model):
    row_id: str
    to: str
    result: dict[str, Any] = Field(description="The reply of the entity's update path (the engine's action).")


def _engine_moves() -> dict[str, OperationSpec]:
    """A participant's status changes by the engine's action that leads to it; other statuses have none."""
    leads_to = {
        ParticipantStatus.APPROVED: ApprovalAction.APPROVE,
        ParticipantStatus.REJECTED: ApprovalAction.REJECT,
        ParticipantStatus.PRINTED: ApprovalAction.PRINT,
    }
    return {status.value: TAKE_ACTION[action] for status, action in leads_to.items()}


# (entity, the field a board groups by) → the operation that moves a card to each column. Each operation takes
# workflow.TakeAction with the card's row id as participantId.
KANBAN_MOVES: dict[tuple[ViewEntity, str], dict[str, OperationSpec]] = {
    (ViewEntity.PARTICIPANT, "status"): _engine_moves(),
    (ViewEntity.PROGRESS, "status"): _engine_moves(),
}

_RUN_ERRORS = (
    ErrorCode.NOT_FOUND,
    ErrorCode.VALIDATION_ERROR,
    ErrorCode.CONFLICT,
    ErrorCode.FORBIDDEN,
    ErrorCode.SERVICE_UNAVAILABLE,
    ErrorCode.TIMEOUT,
)

RUN_VIEW = _qry(
    "run_view", RunView, ViewRows,
    "A page of the view's rows, run by the owner of its entity with the caller's permissions (a kanban's "
    "columns with counts; a calendar's rows in a date range); 409 naming the fields the list no longer has.",
    errors=_RUN_ERRORS, http=_route("GET", "/views/{id}/rows", "Run a saved view", TAG), **_GATED,
)  # fmt: skip
MOVE_CARD = _cmd(
    "move_card", MoveCard, CardMoved,
    "Move a kanban card to another column through the entity's own update path (the engine's action for a "
    "participant's status), with the caller's permission for it.",
    errors=(*_RUN_ERRORS, ErrorCode.BAD_REQUEST),
    http=_route("POST", "/views/{id}/move", "Move a kanban card", TAG), **_GATED,
)  # fmt: skip
