"""workflow: a participant's progress, the actions taken on it, SLA notices and notifications."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from ...enums import (
    ApprovalAction,
    BranchStatus,
    ParticipantStatus,
    SlaAction,
    StepType,
)
from ...errors import ErrorCode
from ...events import EventSpec
from ...fields import Id
from ...listing import ListQuery, Page
from ...model import Model
from ...operations import OperationSpec
from ...permissions import Permission
from ...personal import Personal
from ._common import _NOT_FOUND, _PARTICIPANT_READ, Remarks, _cmd, _event, _qry, _route


class BranchState(Model):
    id: str
    fork_step_id: str
    branch_step_id: str
    status: BranchStatus
    action: ApprovalAction | None = None
    completed_by: str | None = None
    completed_at: datetime | None = None
    remarks: str | None = None


class ParticipantProgress(Model):
    participant_id: str
    event_id: str
    name: str
    registration_code: str
    workflow_id: str | None = None
    workflow_version_id: str | None = None
    current_step_id: str | None = None
    current_step_name: str | None = None
    status: ParticipantStatus
    version: int = Field(description="Send it back as expectedVersion; every change increments it.")
    assignee_id: str | None = None
    sla_due_at: datetime | None = None
    branches: list[BranchState] = Field(default_factory=list)
    updated_at: datetime


class GetProgress(Model):
    participant_id: Id


class TakeAction(Model):
    participant_id: Id
    comment: Remarks | None = None
    expected_version: Annotated[int, Field(ge=0)] | None = Field(
        None, description="The progress version the caller saw; a different current one is a 409."
    )


class ActionResult(Model):
    participant_id: str
    action: ApprovalAction
    previous_step_id: str | None
    next_step_id: str | None
    is_complete: bool
    status: ParticipantStatus
    version: int
    approval_id: str


class Approval(Model):
    id: str
    participant_id: str
    step_id: str
    user_id: str
    action: ApprovalAction
    remarks: str | None = None
    metadata: dict[str, Any] | None = None
    created_at: datetime


class ListApprovals(ListQuery):
    participant_id: Id


class ApprovalPage(Page[Approval]):
    pass


class ParticipantEntered(Model):
    participant_id: str
    event_id: str
    workflow_id: str
    workflow_version_id: str
    step_id: str
    step_name: str
    status: ParticipantStatus


class StepEntered(Model):
    """A participant arrived at a step; workflow itself runs auto-actions, then assignment, on it."""

    participant_id: str
    event_id: str
    workflow_id: str
    workflow_version_id: str
    step_id: str
    step_name: str
    step_type: StepType
    previous_step_id: str | None = None
    version: int = Field(description="The participant's progress version on arrival; later changes win.")
    chain_depth: int = 0
    batch_id: str | None = None


class ParticipantActed(Model):
    """Carries what webhooks and analytics need: who, where from, where to, and the outcome."""

    participant_id: str
    participant_name: str
    registration_code: str
    event_id: str
    workflow_id: str
    workflow_version_id: str
    action: ApprovalAction
    step_id: str
    step_name: str
    previous_step_id: str
    next_step_id: str | None
    next_step_name: str | None = None
    is_complete: bool
    previous_status: ParticipantStatus
    status: ParticipantStatus
    approval_id: str
    remarks: str | None = None
    auto_action: bool = False
    batch_id: str | None = None
    version: int


class NotificationRequested(Model):
    """For comms to deliver in-app (a notification row and a live ``notification:new`` update)."""

    user_id: str
    type: str
    title: str
    message: str
    data: dict[str, Any] = Field(default_factory=dict)


class SlaNotice(Model):
    participant_id: str
    participant_name: str
    event_id: str
    workflow_id: str
    step_id: str
    step_name: str
    due_at: datetime
    sla_action: SlaAction | None = None
    assignee_id: str | None = None


# --- domain events -------------------------------------------------------------------------------

# The participant's name, sealed with their key (``plenary_contracts.personal``).
_NAMED = Personal("participantId", ("participantName",))
# an action on them also carries the reviewer's remarks about them
_ACTED = Personal("participantId", ("participantName", "remarks"))
# A notice about a participant names them in its message.
NOTICE_ABOUT_PARTICIPANT = Personal("data.participantId", ("title", "message"))

PARTICIPANT_ENTERED = _event("participant", "entered", ParticipantEntered, "A participant entered a workflow.")
PARTICIPANT_STEP_ENTERED = _event("participant", "step_entered", StepEntered, "A participant arrived at a step.")
PARTICIPANT_APPROVED = _event(
    "participant", "approved", ParticipantActed, "A participant was approved at a step.", personal=_ACTED
)
PARTICIPANT_REJECTED = _event(
    "participant", "rejected", ParticipantActed, "A participant was rejected at a step.", personal=_ACTED
)
PARTICIPANT_BYPASSED = _event(
    "participant", "bypassed", ParticipantActed, "A participant bypassed a step.", personal=_ACTED
)
PARTICIPANT_RETURNED = _event(
    "participant", "returned", ParticipantActed, "A participant was sent back a step.", personal=_ACTED
)
PARTICIPANT_ESCALATED = _event(
    "participant", "escalated", ParticipantActed, "A participant was escalated.", personal=_ACTED
)
PARTICIPANT_PRINTED = _event(
    "participant", "printed", ParticipantActed, "A participant's badge was printed.", personal=_ACTED
)
PARTICIPANT_STATUS_CHANGED = _event(
    "participant",
    "status_changed",
    ParticipantActed,
    "Every action on a participant, with its old and new status.",
    personal=_ACTED,
)
PARTICIPANT_COMPLETED = _event(
    "participant", "completed", ParticipantActed, "A participant finished the workflow.", personal=_ACTED
)
NOTIFICATION_REQUESTED = _event(
    "notification", "requested", NotificationRequested, "A user should be notified.", personal=NOTICE_ABOUT_PARTICIPANT
)
SLA_WARNING = _event("sla", "warning", SlaNotice, "A participant is close to a step's SLA.", personal=_NAMED)
SLA_BREACHED = _event(
    "sla", "breached", SlaNotice, "A participant passed a step's SLA; its action ran.", personal=_NAMED
)

ACTED_EVENTS: dict[ApprovalAction, EventSpec] = {
    ApprovalAction.APPROVE: PARTICIPANT_APPROVED,
    ApprovalAction.REJECT: PARTICIPANT_REJECTED,
    ApprovalAction.BYPASS: PARTICIPANT_BYPASSED,
    ApprovalAction.RETURN: PARTICIPANT_RETURNED,
    ApprovalAction.ESCALATE: PARTICIPANT_ESCALATED,
    ApprovalAction.PRINT: PARTICIPANT_PRINTED,
}


# --- operations ----------------------------------------------------------------------------------

GET_PROGRESS = _qry(
    "get_progress", GetProgress, ParticipantProgress, "Where a participant is in its workflow.",
    errors=_NOT_FOUND, permission=_PARTICIPANT_READ,
    http=_route("GET", "/participants/{participantId}/workflow", "Get workflow progress", "engine"),
)  # fmt: skip
LIST_APPROVALS = _qry(
    "list_approvals", ListApprovals, ApprovalPage, "Every action taken on a participant.",
    errors=_NOT_FOUND, permission=_PARTICIPANT_READ,
    http=_route("GET", "/participants/{participantId}/approvals", "List approvals", "engine"),
)  # fmt: skip

_ACTION_PERMISSIONS: dict[ApprovalAction, Permission] = {
    ApprovalAction.APPROVE: Permission("participant", "approve"),
    ApprovalAction.REJECT: Permission("participant", "reject"),
    ApprovalAction.BYPASS: Permission("participant", "approve"),
    ApprovalAction.RETURN: Permission("participant", "reject"),
    ApprovalAction.ESCALATE: Permission("participant", "approve"),
    ApprovalAction.PRINT: Permission("participant", "print"),
}


def action_permission(action: ApprovalAction) -> Permission:
    return _ACTION_PERMISSIONS[action]


_ENGINE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.BAD_REQUEST)
TAKE_ACTION: dict[ApprovalAction, OperationSpec] = {
    action: _cmd(
        f"{action.value.lower()}_participant", TakeAction, ActionResult,
        f"{action.value} the participant at its current step (processWorkflowAction); 409 with the current "
        "state when expectedVersion is stale.",
        errors=_ENGINE_ERRORS, permission=action_permission(action),
        http=_route("POST", f"/participants/{{participantId}}/{action.value.lower()}", action.value.title(), "engine"),
    )
    for action in ApprovalAction
}  # fmt: skip
