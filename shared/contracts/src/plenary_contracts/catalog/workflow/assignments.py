"""workflow: who reviews which step, and a user's assigned participants."""

from datetime import datetime
from typing import Any

from ...enums import (
    AssignmentStrategy,
    ParticipantStatus,
)
from ...fields import Id
from ...flags import FlagKey
from ...model import Model
from ._common import _NOT_FOUND, _PARTICIPANT_READ, _WF_READ, _WF_UPDATE, _WRITE_ERRORS, _cmd, _event, _qry, _route


class UserSummary(Model):
    id: str
    name: str | None = None
    email: str | None = None


class WorkflowSummary(Model):
    id: str
    name: str
    event_id: str


class StepAssignment(Model):
    id: str
    step_id: str
    user_id: str
    strategy: AssignmentStrategy
    is_active: bool
    assigned_by: str | None = None
    user: UserSummary | None = None
    step_name: str | None = None
    workflow: WorkflowSummary | None = None
    created_at: datetime
    updated_at: datetime


class AssignStep(Model):
    step_id: Id
    user_id: Id
    strategy: AssignmentStrategy = AssignmentStrategy.MANUAL


class ReassignStep(Model):
    id: Id
    user_id: Id


class StepAssignmentRef(Model):
    id: Id


class ListStepAssignments(Model):
    step_id: Id


class ListUserAssignments(Model):
    user_id: Id


class StepAssignmentList(Model):
    data: list[StepAssignment]


class ListMyAssignments(Model):
    pass


class AssignedParticipant(Model):
    participant_id: str
    name: str
    registration_code: str
    status: ParticipantStatus
    assigned_at: datetime
    sla_due_at: datetime | None = None


class AssignedStepGroup(Model):
    step_id: str
    step_name: str
    participants: list[AssignedParticipant]


class AssignedWorkflowGroup(Model):
    workflow_id: str
    workflow_name: str
    steps: list[AssignedStepGroup]


class AssignedEventGroup(Model):
    event_id: str
    workflows: list[AssignedWorkflowGroup]


class MyAssignments(Model):
    """Pending and in-progress participants assigned to the caller: event → workflow → step, soonest SLA first."""

    data: list[AssignedEventGroup]


class StepAssignmentChanged(Model):
    assignment: StepAssignment
    previous_user_id: str | None = None


class ParticipantAssigned(Model):
    participant_id: str
    event_id: str
    workflow_id: str
    step_id: str
    step_name: str
    user_id: str
    previous_user_id: str | None = None
    strategy: AssignmentStrategy
    assignment_id: str | None = None


# --- domain events -------------------------------------------------------------------------------

STEP_ASSIGNED = _event("step", "assigned", StepAssignmentChanged, "A user was assigned to review a step.")
STEP_REASSIGNED = _event("step", "reassigned", StepAssignmentChanged, "A step's assignment moved to another user.")
STEP_UNASSIGNED = _event("step", "unassigned", StepAssignmentChanged, "A user no longer reviews a step.")
PARTICIPANT_ASSIGNED = _event(
    "participant", "assigned", ParticipantAssigned, "A reviewer was picked for a participant."
)

_ASSIGN: dict[str, Any] = {"flag": FlagKey.STEP_ASSIGNMENT}

# --- operations ----------------------------------------------------------------------------------

ASSIGN_STEP = _cmd(
    "assign_step", AssignStep, StepAssignment, "Assign a user to a step (reactivates an old assignment).",
    errors=_WRITE_ERRORS, permission=_WF_UPDATE, **_ASSIGN,
    http=_route("POST", "/steps/{stepId}/assignments", "Assign a reviewer", "assignments", 201),
)  # fmt: skip
REASSIGN_STEP = _cmd(
    "reassign_step", ReassignStep, StepAssignment, "Move an assignment to another user, keeping its strategy.",
    errors=_WRITE_ERRORS, permission=_WF_UPDATE, **_ASSIGN,
    http=_route("POST", "/step-assignments/{id}/reassign", "Reassign", "assignments"),
)  # fmt: skip
UNASSIGN_STEP = _cmd(
    "unassign_step", StepAssignmentRef, StepAssignmentRef, "Deactivate an assignment.",
    errors=_NOT_FOUND, permission=_WF_UPDATE, **_ASSIGN,
    http=_route("DELETE", "/step-assignments/{id}", "Unassign", "assignments", 204),
)  # fmt: skip
LIST_STEP_ASSIGNMENTS = _qry(
    "list_step_assignments", ListStepAssignments, StepAssignmentList, "A step's active assignments, oldest first.",
    errors=_NOT_FOUND, permission=_WF_READ, **_ASSIGN,
    http=_route("GET", "/steps/{stepId}/assignments", "List a step's reviewers", "assignments"),
)  # fmt: skip
LIST_USER_ASSIGNMENTS = _qry(
    "list_user_assignments", ListUserAssignments, StepAssignmentList, "A user's active assignments, newest first.",
    permission=_WF_READ, **_ASSIGN,
    http=_route("GET", "/users/{userId}/step-assignments", "List a user's steps", "assignments"),
)  # fmt: skip
LIST_MY_ASSIGNMENTS = _qry(
    "list_my_assignments", ListMyAssignments, MyAssignments, "My Assignments: participants waiting for the caller.",
    permission=_PARTICIPANT_READ, **_ASSIGN,
    http=_route("GET", "/me/assignments", "My assignments", "assignments"),
)  # fmt: skip
