"""workflow: parallel branches of a fork, acting on one, and the join that decides."""

from pydantic import Field

from ...enums import (
    ApprovalAction,
    BranchStatus,
)
from ...fields import Id
from ...flags import FlagKey
from ...model import Model
from ...operations import OperationSpec
from ...personal import Personal
from ._common import Remarks, _cmd, _event, _route
from .engine import _ENGINE_ERRORS, ActionResult, action_permission
from .steps import ForkBranch


class TakeBranchAction(Model):
    participant_id: Id
    branch_step_id: Id
    remarks: Remarks | None = None


class JoinSummary(Model):
    total: int
    completed: int
    approved: int
    rejected: int
    pending: int


class JoinEvaluation(Model):
    strategy: str
    satisfied: bool
    failed: bool
    summary: JoinSummary


class BranchActionResult(Model):
    branch_id: str
    branch_status: BranchStatus
    join_evaluation: JoinEvaluation
    participant_advanced: bool
    result: ActionResult | None = Field(None, description="The join's action, when the participant advanced.")


class ParallelForked(Model):
    participant_id: str
    participant_name: str
    event_id: str
    fork_step_id: str
    fork_step_name: str
    branch_count: int
    branches: list[ForkBranch]
    join_step_id: str


class ParallelBranchCompleted(Model):
    participant_id: str
    event_id: str
    branch_id: str
    fork_step_id: str
    branch_step_id: str
    status: BranchStatus
    action: ApprovalAction | None = None
    remarks: str | None = None
    timed_out: bool = False


class ParallelJoined(Model):
    participant_id: str
    participant_name: str
    event_id: str
    fork_step_id: str
    join_step_id: str
    action: ApprovalAction
    summary: JoinSummary
    cancelled_branch_ids: list[str] = Field(default_factory=list)


# --- domain events -------------------------------------------------------------------------------

PARALLEL_FORKED = _event(
    "parallel",
    "forked",
    ParallelForked,
    "A participant entered parallel branches.",
    personal=Personal("participantId", ("participantName",)),
)
PARALLEL_BRANCH_COMPLETED = _event(
    "parallel",
    "branch_completed",
    ParallelBranchCompleted,
    "A branch was decided, timed out or cancelled.",
    personal=Personal("participantId", ("remarks",)),
)
PARALLEL_JOINED = _event(
    "parallel",
    "joined",
    ParallelJoined,
    "The branches decided; the join acted.",
    personal=Personal("participantId", ("participantName",)),
)

# --- operations ----------------------------------------------------------------------------------

TAKE_BRANCH_ACTION: dict[ApprovalAction, OperationSpec] = {
    action: _cmd(
        f"{action.value.lower()}_branch", TakeBranchAction, BranchActionResult,
        f"{action.value} one parallel branch; the join acts once its strategy decides.",
        errors=_ENGINE_ERRORS, permission=action_permission(action), flag=FlagKey.PARALLEL_WORKFLOWS,
        http=_route(
            "POST", f"/participants/{{participantId}}/branches/{{branchStepId}}/{action.value.lower()}",
            f"{action.value.title()} a branch", "engine",
        ),
    )
    for action in (ApprovalAction.APPROVE, ApprovalAction.REJECT)
}  # fmt: skip
