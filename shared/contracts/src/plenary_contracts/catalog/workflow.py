"""workflow: workflows and versions, the engine, routing, assignment, auto-actions, fork/join, batch
actions, SLA and offline sync (requirements.md §1 engine, P3-02/03/04/10, P4-07/08)."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    GetJsonSchemaHandler,
    PlainValidator,
    StringConstraints,
    TypeAdapter,
    model_validator,
)

from ..enums import (
    ApprovalAction,
    AssignmentStrategy,
    AutoActionType,
    BranchStatus,
    BulkOperationStatus,
    ParticipantStatus,
    SlaAction,
    StepType,
    WorkflowStatus,
)
from ..errors import ErrorCode
from ..events import EventSpec
from ..fields import Id, Name
from ..flags import FlagKey
from ..listing import ListQuery, Page
from ..model import Model
from ..operations import OperationSpec
from ..permissions import Permission
from ..specs import Specs, route

SERVICE = "workflow"
_SPECS = Specs(SERVICE)
_event, _cmd, _qry = _SPECS.event, _SPECS.command, _SPECS.query
_route = route
MAX_FORK_PATHS = 5
MAX_AUTO_ACTION_DEPTH = 10
BATCH_CHUNK_SIZE = 20
BATCH_UNDO_HOURS = 24
MAX_BATCH_PARTICIPANTS = 10_000
MAX_STEPS = 200

Description = Annotated[str, StringConstraints(max_length=2000)]
Remarks = Annotated[str, StringConstraints(max_length=2000)]

# --- the condition language ------------------------------------------------------------------------
# The shapes are described here so the API documents them; a condition travels as plain JSON and the
# service checks it whole (its 422 says where: ``conditions[1].operator``), with what a shape cannot
# say: the operators a field's type allows, at most 10 levels and 100 conditions, finite numbers.

ConditionOperator = Literal["eq", "neq", "empty", "notEmpty", "gt", "lt", "gte", "lte", "contains", "in", "notIn"]
ConditionValue = str | int | float | bool | list[Any] | None


class SimpleCondition(Model):
    """``field operator value`` on the participant's data (its fields merged with its extras)."""

    model_config = {"extra": "forbid"}

    type: Literal["simple"]
    field: Annotated[str, StringConstraints(min_length=1, pattern=r"^[^.]+$")] = Field(
        description="A flat key of the participant's data (no dots): firstName, nationality, an extra field…"
    )
    operator: ConditionOperator = Field(
        description="eq/neq compare as text, case-insensitive; gt/lt/gte/lte as numbers (dates as instants); "
        "contains is a case-insensitive substring; in/notIn take a list; empty/notEmpty take no value."
    )
    value: ConditionValue = Field(None, description="A string, number, boolean or null; a list for in/notIn.")


class CompoundCondition(Model):
    """``and``/``or`` over nested conditions; no conditions at all is true."""

    model_config = {"extra": "forbid"}

    type: Literal["compound"]
    operator: Literal["and", "or"]
    conditions: list["ConditionShape"]


ConditionShape = Annotated[SimpleCondition | CompoundCondition, Field(discriminator="type")]
_SHAPE: TypeAdapter[Any] = TypeAdapter(ConditionShape)


def _json_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("a condition is an object: {type: simple|compound, ...}")
    return value


class _DocumentedAsConditionShape:
    """Plain JSON in Python and on the wire; in JSON Schema, the shapes above (requests and replies)."""

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: GetJsonSchemaHandler) -> Any:
        return handler(_SHAPE.core_schema)


Condition = Annotated[
    dict[str, Any],
    PlainValidator(_json_object, json_schema_input_type=ConditionShape),
    _DocumentedAsConditionShape,
]
"""A condition of the routing and auto-action language (plain JSON in Python); a missing one is true."""


# --- workflows, steps, versions ------------------------------------------------------------------


class ConditionalRoute(Model):
    id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    condition: Condition | None = None
    target_step_id: Id
    priority: int = 0
    label: Annotated[str, StringConstraints(max_length=200)] | None = None


class ForkBranch(Model):
    branch_step_id: Id
    label: Annotated[str, StringConstraints(max_length=200)] | None = None


class StepConfig(Model):
    """The step's ``config``: routes, fork and join settings, and the SLA warning; other keys are kept."""

    model_config = {"extra": "allow"}

    conditional_routes: list[ConditionalRoute] | None = None
    rejection_conditional_routes: list[ConditionalRoute] | None = None
    branches: list[ForkBranch] | None = Field(None, description="FORK: the branch steps, at most 5.")
    join_step_id: Id | None = Field(None, description="FORK: the JOIN step that collects the branches.")
    strategy: Literal["ALL", "ANY", "MAJORITY"] | None = Field(None, description="JOIN: how branches decide.")
    timeout_minutes: Annotated[int, Field(ge=1, le=525_600)] | None = None
    timeout_action: Literal["APPROVE", "REJECT", "ESCALATE"] | None = None
    sla_warning_minutes: Annotated[int, Field(ge=1)] | None = None


class Step(Model):
    id: str
    workflow_id: str
    name: str
    description: str | None = None
    order: int
    step_type: StepType
    is_entry_point: bool
    is_terminal: bool
    next_step_id: str | None = None
    rejection_target_id: str | None = None
    bypass_target_id: str | None = None
    escalation_target_id: str | None = None
    sla_duration_minutes: int | None = None
    sla_action: SlaAction | None = None
    config: StepConfig = Field(default_factory=StepConfig)
    created_at: datetime
    updated_at: datetime


class Workflow(Model):
    id: str
    tenant_id: str
    event_id: str
    participant_type_id: str | None = None
    name: str
    description: str | None = None
    status: WorkflowStatus
    current_version: int | None = None
    steps: list[Step] | None = Field(None, description="In step order; only when reading one workflow.")
    created_at: datetime
    updated_at: datetime


class StepDefinition(Model):
    name: Name
    description: Description | None = None
    order: Annotated[int, Field(ge=0, le=10_000)]
    step_type: StepType = StepType.REVIEW
    is_entry_point: bool = False
    is_terminal: bool = False
    next_step_id: Id | None = None
    rejection_target_id: Id | None = None
    bypass_target_id: Id | None = None
    escalation_target_id: Id | None = None
    sla_duration_minutes: Annotated[int, Field(ge=1, le=525_600)] | None = None
    sla_action: SlaAction | None = None
    config: StepConfig = Field(default_factory=StepConfig)


class CreateStep(StepDefinition):
    workflow_id: Id


class NewStep(StepDefinition):
    """A step created with its workflow. Its targets may name the ``key`` of another step of the same
    request, so a workflow is written front to back in one go."""

    key: Id | None = Field(None, description="How the other steps of this request refer to this one.")


class CreateWorkflow(Model):
    event_id: Id
    name: Name
    description: Description | None = None
    participant_type_id: Id | None = Field(
        None, description="Participants of this type enter it; none = the event's default workflow."
    )
    steps: Annotated[list[NewStep], Field(max_length=MAX_STEPS)] | None = Field(
        None,
        description="Create the steps too, in one transaction. A target (nextStepId, rejectionTargetId, "
        "bypassTargetId, escalationTargetId, a route's targetStepId, a branch's branchStepId, joinStepId) "
        "names another step of this list by its `key`.",
    )


class UpdateWorkflow(Model):
    """A partial update; ``If-Match`` guards it. ARCHIVED stops new entries; DRAFT re-opens."""

    id: Id
    name: Name | None = None
    description: Description | None = None
    participant_type_id: Id | None = None
    status: Literal[WorkflowStatus.DRAFT, WorkflowStatus.ARCHIVED] | None = None


class WorkflowRef(Model):
    id: Id


class ListWorkflows(ListQuery):
    event_id: Id | None = None
    status: WorkflowStatus | None = None


class WorkflowPage(Page[Workflow]):
    pass


class UpdateStep(Model):
    """A partial update: fields left out keep their value; an explicit null clears a target or the SLA."""

    workflow_id: Id
    step_id: Id
    name: Name | None = None
    description: Description | None = None
    order: Annotated[int, Field(ge=0, le=10_000)] | None = None
    step_type: StepType | None = None
    is_entry_point: bool | None = None
    is_terminal: bool | None = None
    next_step_id: Id | None = None
    rejection_target_id: Id | None = None
    bypass_target_id: Id | None = None
    escalation_target_id: Id | None = None
    sla_duration_minutes: Annotated[int, Field(ge=1, le=525_600)] | None = None
    sla_action: SlaAction | None = None
    config: StepConfig | None = None


class StepRef(Model):
    workflow_id: Id
    step_id: Id


class PublishWorkflow(Model):
    id: Id
    change_description: Description | None = None


class WorkflowVersion(Model):
    id: str
    workflow_id: str
    version: int
    snapshot: dict[str, Any]
    snapshot_hash: str
    change_description: str | None = None
    created_by: str
    created_at: datetime


class Publication(Model):
    version: WorkflowVersion
    created: bool = Field(description="False when the steps did not change since the last version.")


class ListWorkflowVersions(ListQuery):
    workflow_id: Id


class WorkflowVersionPage(Page[WorkflowVersion]):
    pass


class GetWorkflowVersion(Model):
    workflow_id: Id
    version: Annotated[int, Field(ge=1)]


# --- conditions ----------------------------------------------------------------------------------


class ConvertCondition(Model):
    """Give one form; the reply carries both."""

    condition: Condition | None = None
    json_logic: Any = None

    @model_validator(mode="after")
    def _one_form(self) -> "ConvertCondition":
        if (self.condition is None) == (self.json_logic is None):
            raise ValueError("give exactly one of condition or jsonLogic")
        return self


class ConditionForms(Model):
    condition: Condition | None
    json_logic: Any


# --- auto-action rules ---------------------------------------------------------------------------


class AutoActionRule(Model):
    id: str
    step_id: str
    name: str
    description: str | None = None
    condition_expression: Condition
    action_type: AutoActionType
    priority: int
    is_active: bool
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime


class CreateAutoActionRule(Model):
    step_id: Id
    name: Name
    description: Description | None = None
    condition_expression: Condition
    action_type: AutoActionType
    priority: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    is_active: bool = True


class UpdateAutoActionRule(Model):
    id: Id
    name: Name | None = None
    description: Description | None = None
    condition_expression: Condition | None = None
    action_type: AutoActionType | None = None
    priority: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    is_active: bool | None = None


class AutoActionRuleRef(Model):
    id: Id


class ListAutoActionRules(Model):
    step_id: Id


class AutoActionRuleList(Model):
    data: list[AutoActionRule]


class ReorderAutoActionRules(Model):
    step_id: Id
    rule_ids: Annotated[list[Id], Field(min_length=1, max_length=500)] = Field(
        description="Every rule of the step, in the new order; priority becomes the position."
    )


class TestAutoActionRules(Model):
    """A dry run: which rule would act on a participant with this data. Nothing is changed."""

    step_id: Id
    data: dict[str, Any]
    rule_id: Id | None = Field(None, description="Test this rule only, even when inactive.")


class RuleMatch(Model):
    rule_id: str
    rule_name: str
    action_type: AutoActionType
    approval_action: ApprovalAction


class RuleTestOutcome(Model):
    rule_id: str
    rule_name: str
    is_active: bool
    matched: bool


class AutoActionRuleTest(Model):
    match: RuleMatch | None
    results: list[RuleTestOutcome]


# --- assignment ----------------------------------------------------------------------------------


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


# --- the engine ----------------------------------------------------------------------------------


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


# --- batch actions -------------------------------------------------------------------------------

BatchActionKind = Literal[ApprovalAction.APPROVE, ApprovalAction.REJECT, ApprovalAction.BYPASS, ApprovalAction.RETURN]


class BatchActionRequest(Model):
    event_id: Id
    action: BatchActionKind
    participant_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_BATCH_PARTICIPANTS)]
    remarks: Annotated[str, StringConstraints(max_length=500)] | None = None


class Ineligible(Model):
    id: str
    name: str | None = None
    reason: str


class BatchCounts(Model):
    total: int
    eligible: int
    ineligible: int


class BatchDryRun(Model):
    eligible: list[str]
    ineligible: list[Ineligible]
    counts: BatchCounts


class BatchOperation(Model):
    id: str
    event_id: str
    action: ApprovalAction
    status: BulkOperationStatus
    total_items: int
    processed_items: int
    success_count: int
    failure_count: int
    remarks: str | None = None
    created_by: str | None = None
    undo_deadline: datetime | None = None
    undone_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class BatchOperationRef(Model):
    id: Id


class BatchItem(Model):
    participant_id: str
    status: Literal["success", "error", "undone", "undo_failed"]
    error: str | None = None
    previous_state: dict[str, Any] | None = None


class BatchOperationDetail(Model):
    operation: BatchOperation
    items: list[BatchItem]


# --- offline sync --------------------------------------------------------------------------------

OfflineMutationType = Literal["approve", "reject", "bypass", "print", "collect", "scan"]


class OfflineMutation(Model):
    """One queued client mutation; ``id`` is the client's mutation id (a nonce) and deduplicates it."""

    id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    type: OfflineMutationType
    entity_type: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    entity_id: Id
    payload: dict[str, Any] = Field(default_factory=dict)
    timestamp: Annotated[int, Field(ge=0, description="When the client made the change, epoch milliseconds.")]


class OfflineSyncResult(Model):
    success: bool
    applied: bool
    duplicate: bool = Field(False, description="This mutation id was synced before; nothing was done again.")
    result: ActionResult | None = None


# --- events --------------------------------------------------------------------------------------


class WorkflowChanged(Model):
    workflow: Workflow


class StepChanged(Model):
    step: Step


class WorkflowPublished(Model):
    workflow_id: str
    event_id: str
    name: str
    version_id: str
    version: int
    snapshot_hash: str
    step_count: int


class AutoActionRuleChanged(Model):
    rule: AutoActionRule


class StepAssignmentChanged(Model):
    assignment: StepAssignment
    previous_user_id: str | None = None


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


class NotificationRequested(Model):
    """For comms to deliver in-app (the original's Notification row and SSE ``notification:new``)."""

    user_id: str
    type: str
    title: str
    message: str
    data: dict[str, Any] = Field(default_factory=dict)


class AutoActionExecuted(Model):
    participant_id: str
    event_id: str
    step_id: str
    rule_id: str
    rule_name: str
    action_type: AutoActionType
    approval_action: ApprovalAction
    chain_depth: int
    next_step_id: str | None
    is_complete: bool


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


class BatchProgress(Model):
    operation: BatchOperation


WORKFLOW_CREATED = _event("workflow", "created", WorkflowChanged, "A workflow was created.")
WORKFLOW_UPDATED = _event("workflow", "updated", WorkflowChanged, "A workflow's details or status changed.")
WORKFLOW_DELETED = _event("workflow", "deleted", WorkflowChanged, "A workflow was deleted (soft).")
WORKFLOW_PUBLISHED = _event("workflow", "published", WorkflowPublished, "A workflow's steps became a new version.")
STEP_CREATED = _event("step", "created", StepChanged, "A step was added to a workflow.")
STEP_UPDATED = _event("step", "updated", StepChanged, "A step changed.")
STEP_DELETED = _event("step", "deleted", StepChanged, "A step was removed from a workflow.")
AUTO_ACTION_RULE_CREATED = _event(
    "auto_action_rule", "created", AutoActionRuleChanged, "An auto-action rule was added."
)
AUTO_ACTION_RULE_UPDATED = _event(
    "auto_action_rule", "updated", AutoActionRuleChanged, "An auto-action rule changed (or was reordered)."
)
AUTO_ACTION_RULE_DELETED = _event(
    "auto_action_rule", "deleted", AutoActionRuleChanged, "An auto-action rule was removed."
)
STEP_ASSIGNED = _event("step", "assigned", StepAssignmentChanged, "A user was assigned to review a step.")
STEP_REASSIGNED = _event("step", "reassigned", StepAssignmentChanged, "A step's assignment moved to another user.")
STEP_UNASSIGNED = _event("step", "unassigned", StepAssignmentChanged, "A user no longer reviews a step.")
PARTICIPANT_ENTERED = _event("participant", "entered", ParticipantEntered, "A participant entered a workflow.")
PARTICIPANT_STEP_ENTERED = _event("participant", "step_entered", StepEntered, "A participant arrived at a step.")
PARTICIPANT_APPROVED = _event("participant", "approved", ParticipantActed, "A participant was approved at a step.")
PARTICIPANT_REJECTED = _event("participant", "rejected", ParticipantActed, "A participant was rejected at a step.")
PARTICIPANT_BYPASSED = _event("participant", "bypassed", ParticipantActed, "A participant bypassed a step.")
PARTICIPANT_RETURNED = _event("participant", "returned", ParticipantActed, "A participant was sent back a step.")
PARTICIPANT_ESCALATED = _event("participant", "escalated", ParticipantActed, "A participant was escalated.")
PARTICIPANT_PRINTED = _event("participant", "printed", ParticipantActed, "A participant's badge was printed.")
PARTICIPANT_STATUS_CHANGED = _event(
    "participant", "status_changed", ParticipantActed, "Every action on a participant, with its old and new status."
)
PARTICIPANT_COMPLETED = _event("participant", "completed", ParticipantActed, "A participant finished the workflow.")
PARTICIPANT_ASSIGNED = _event(
    "participant", "assigned", ParticipantAssigned, "A reviewer was picked for a participant."
)
NOTIFICATION_REQUESTED = _event("notification", "requested", NotificationRequested, "A user should be notified.")
AUTO_ACTION_EXECUTED = _event("auto_action", "executed", AutoActionExecuted, "A rule acted on a participant.")
PARALLEL_FORKED = _event("parallel", "forked", ParallelForked, "A participant entered parallel branches.")
PARALLEL_BRANCH_COMPLETED = _event(
    "parallel", "branch_completed", ParallelBranchCompleted, "A branch was decided, timed out or cancelled."
)
PARALLEL_JOINED = _event("parallel", "joined", ParallelJoined, "The branches decided; the join acted.")
SLA_WARNING = _event("sla", "warning", SlaNotice, "A participant is close to a step's SLA.")
SLA_BREACHED = _event("sla", "breached", SlaNotice, "A participant passed a step's SLA; its action ran.")
BATCH_STARTED = _event("batch", "started", BatchProgress, "A batch action began.")
BATCH_PROGRESSED = _event("batch", "progressed", BatchProgress, "A chunk of a batch action finished.")
BATCH_COMPLETED = _event("batch", "completed", BatchProgress, "A batch action finished.")
BATCH_UNDONE = _event("batch", "undone", BatchProgress, "A batch action was undone from its before-state.")

ACTED_EVENTS: dict[ApprovalAction, EventSpec] = {
    ApprovalAction.APPROVE: PARTICIPANT_APPROVED,
    ApprovalAction.REJECT: PARTICIPANT_REJECTED,
    ApprovalAction.BYPASS: PARTICIPANT_BYPASSED,
    ApprovalAction.RETURN: PARTICIPANT_RETURNED,
    ApprovalAction.ESCALATE: PARTICIPANT_ESCALATED,
    ApprovalAction.PRINT: PARTICIPANT_PRINTED,
}

EVENTS = [
    WORKFLOW_CREATED,
    WORKFLOW_UPDATED,
    WORKFLOW_DELETED,
    WORKFLOW_PUBLISHED,
    STEP_CREATED,
    STEP_UPDATED,
    STEP_DELETED,
    AUTO_ACTION_RULE_CREATED,
    AUTO_ACTION_RULE_UPDATED,
    AUTO_ACTION_RULE_DELETED,
    STEP_ASSIGNED,
    STEP_REASSIGNED,
    STEP_UNASSIGNED,
    PARTICIPANT_ENTERED,
    PARTICIPANT_STEP_ENTERED,
    *ACTED_EVENTS.values(),
    PARTICIPANT_STATUS_CHANGED,
    PARTICIPANT_COMPLETED,
    PARTICIPANT_ASSIGNED,
    NOTIFICATION_REQUESTED,
    AUTO_ACTION_EXECUTED,
    PARALLEL_FORKED,
    PARALLEL_BRANCH_COMPLETED,
    PARALLEL_JOINED,
    SLA_WARNING,
    SLA_BREACHED,
    BATCH_STARTED,
    BATCH_PROGRESSED,
    BATCH_COMPLETED,
    BATCH_UNDONE,
]

# --- operations ----------------------------------------------------------------------------------

_WF_CREATE, _WF_READ, _WF_UPDATE, _WF_DELETE = (
    Permission("workflow", a) for a in ("create", "read", "update", "delete")
)
_PARTICIPANT_READ = Permission("participant", "read")
_BULK = Permission("bulk-operations", "execute")
_NOT_FOUND = (ErrorCode.NOT_FOUND,)
_WRITE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.VALIDATION_ERROR, ErrorCode.BAD_REQUEST)


CREATE_WORKFLOW = _cmd(
    "create_workflow", CreateWorkflow, Workflow,
    "Create a DRAFT workflow for an event (404 when the tenant has no such event), with its steps if given.",
    errors=_WRITE_ERRORS, permission=_WF_CREATE,
    http=_route("POST", "/workflows", "Create a workflow", "workflows", 201),
)  # fmt: skip
LIST_WORKFLOWS = _qry(
    "list_workflows", ListWorkflows, WorkflowPage, "Workflows of the tenant, by event and status.",
    permission=_WF_READ, http=_route("GET", "/workflows", "List workflows", "workflows"),
)  # fmt: skip
GET_WORKFLOW = _qry(
    "get_workflow", WorkflowRef, Workflow, "A workflow with its steps in order.",
    errors=_NOT_FOUND, permission=_WF_READ, http=_route("GET", "/workflows/{id}", "Get a workflow", "workflows"),
)  # fmt: skip
UPDATE_WORKFLOW = _cmd(
    "update_workflow", UpdateWorkflow, Workflow, "Change a workflow's details or archive it (If-Match).",
    errors=(*_WRITE_ERRORS, ErrorCode.PRECONDITION_FAILED), permission=_WF_UPDATE,
    http=_route("PATCH", "/workflows/{id}", "Update a workflow", "workflows"),
)  # fmt: skip
DELETE_WORKFLOW = _cmd(
    "delete_workflow", WorkflowRef, WorkflowRef, "Soft-delete a workflow; participants already in it finish it.",
    errors=_NOT_FOUND, permission=_WF_DELETE,
    http=_route("DELETE", "/workflows/{id}", "Delete a workflow", "workflows", 204),
)  # fmt: skip
PUBLISH_WORKFLOW = _cmd(
    "publish_workflow", PublishWorkflow, Publication,
    "Validate the step graph and freeze it as a new version (only when it changed). One PUBLISHED workflow per "
    "event and participant type: publishing a second is a 409 naming the first.",
    errors=_WRITE_ERRORS, permission=_WF_UPDATE,
    http=_route("POST", "/workflows/{id}/publish", "Publish a workflow", "workflows"),
)  # fmt: skip
LIST_WORKFLOW_VERSIONS = _qry(
    "list_workflow_versions", ListWorkflowVersions, WorkflowVersionPage, "The published versions of a workflow.",
    errors=_NOT_FOUND, permission=_WF_READ,
    http=_route("GET", "/workflows/{workflowId}/versions", "List versions", "workflows"),
)  # fmt: skip
GET_WORKFLOW_VERSION = _qry(
    "get_workflow_version", GetWorkflowVersion, WorkflowVersion, "One published version and its snapshot.",
    errors=_NOT_FOUND, permission=_WF_READ,
    http=_route("GET", "/workflows/{workflowId}/versions/{version}", "Get a version", "workflows"),
)  # fmt: skip
CREATE_STEP = _cmd(
    "create_step", CreateStep, Step, "Add a step to a workflow.",
    errors=_WRITE_ERRORS, permission=_WF_UPDATE,
    http=_route("POST", "/workflows/{workflowId}/steps", "Add a step", "workflows", 201),
)  # fmt: skip
UPDATE_STEP = _cmd(
    "update_step", UpdateStep, Step, "Change a step (partial).",
    errors=_WRITE_ERRORS, permission=_WF_UPDATE,
    http=_route("PATCH", "/workflows/{workflowId}/steps/{stepId}", "Update a step", "workflows"),
)  # fmt: skip
DELETE_STEP = _cmd(
    "delete_step", StepRef, StepRef, "Remove a step that no published version uses.",
    errors=_WRITE_ERRORS, permission=_WF_UPDATE,
    http=_route("DELETE", "/workflows/{workflowId}/steps/{stepId}", "Remove a step", "workflows", 204),
)  # fmt: skip
CONVERT_CONDITION = _qry(
    "convert_condition", ConvertCondition, ConditionForms,
    "Validate a condition and convert it to or from JSON Logic (lossless).",
    errors=(ErrorCode.VALIDATION_ERROR,), permission=_WF_READ,
    http=_route("POST", "/workflow-conditions/convert", "Convert a condition", "conditions"),
)  # fmt: skip

CREATE_AUTO_ACTION_RULE = _cmd(
    "create_auto_action_rule", CreateAutoActionRule, AutoActionRule, "Add an auto-action rule to a step.",
    errors=_WRITE_ERRORS, permission=_WF_UPDATE,
    http=_route("POST", "/steps/{stepId}/auto-action-rules", "Add an auto-action rule", "auto-actions", 201),
)  # fmt: skip
LIST_AUTO_ACTION_RULES = _qry(
    "list_auto_action_rules", ListAutoActionRules, AutoActionRuleList, "A step's rules, inactive too, by priority.",
    errors=_NOT_FOUND, permission=_WF_READ,
    http=_route("GET", "/steps/{stepId}/auto-action-rules", "List auto-action rules", "auto-actions"),
)  # fmt: skip
UPDATE_AUTO_ACTION_RULE = _cmd(
    "update_auto_action_rule", UpdateAutoActionRule, AutoActionRule, "Change an auto-action rule (partial).",
    errors=_WRITE_ERRORS, permission=_WF_UPDATE,
    http=_route("PATCH", "/auto-action-rules/{id}", "Update an auto-action rule", "auto-actions"),
)  # fmt: skip
DELETE_AUTO_ACTION_RULE = _cmd(
    "delete_auto_action_rule", AutoActionRuleRef, AutoActionRuleRef, "Delete an auto-action rule.",
    errors=_NOT_FOUND, permission=_WF_UPDATE,
    http=_route("DELETE", "/auto-action-rules/{id}", "Delete an auto-action rule", "auto-actions", 204),
)  # fmt: skip
REORDER_AUTO_ACTION_RULES = _cmd(
    "reorder_auto_action_rules", ReorderAutoActionRules, AutoActionRuleList, "Set every rule's priority at once.",
    errors=_WRITE_ERRORS, permission=_WF_UPDATE,
    http=_route("POST", "/steps/{stepId}/auto-action-rules/reorder", "Reorder auto-action rules", "auto-actions"),
)  # fmt: skip
TEST_AUTO_ACTION_RULES = _qry(
    "test_auto_action_rules", TestAutoActionRules, AutoActionRuleTest, "Dry-run a step's rules against sample data.",
    errors=_NOT_FOUND, permission=_WF_READ,
    http=_route("POST", "/steps/{stepId}/auto-action-rules/test", "Test auto-action rules", "auto-actions"),
)  # fmt: skip

_ASSIGN: dict[str, Any] = {"flag": FlagKey.STEP_ASSIGNMENT}
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

_BATCH: dict[str, Any] = {"permission": _BULK, "flag": FlagKey.BULK_OPERATIONS}
DRY_RUN_BATCH_ACTION = _qry(
    "dry_run_batch_action", BatchActionRequest, BatchDryRun, "Who a batch action would act on, and why not the rest.",
    errors=(ErrorCode.VALIDATION_ERROR, ErrorCode.NOT_FOUND), **_BATCH,
    http=_route("POST", "/batch-actions/dry-run", "Dry-run a batch action", "batch"),
)  # fmt: skip
EXECUTE_BATCH_ACTION = _cmd(
    "execute_batch_action", BatchActionRequest, BatchOperation,
    "Act on many participants through the engine, in chunks of 20, keeping each one's before-state for undo.",
    errors=(ErrorCode.VALIDATION_ERROR, ErrorCode.NOT_FOUND), timeout_seconds=120.0, **_BATCH,
    http=_route("POST", "/batch-actions", "Execute a batch action", "batch", 201),
)  # fmt: skip
GET_BATCH_OPERATION = _qry(
    "get_batch_operation", BatchOperationRef, BatchOperationDetail, "A batch action and its items.",
    errors=_NOT_FOUND, **_BATCH,
    http=_route("GET", "/batch-actions/{id}", "Get a batch action", "batch"),
)  # fmt: skip
UNDO_BATCH_OPERATION = _cmd(
    "undo_batch_operation", BatchOperationRef, BatchOperation,
    "Put every participant of a batch action back to its before-state (within 24 h).",
    errors=(ErrorCode.NOT_FOUND, ErrorCode.BAD_REQUEST, ErrorCode.CONFLICT), timeout_seconds=120.0, **_BATCH,
    http=_route("POST", "/batch-actions/{id}/undo", "Undo a batch action", "batch"),
)  # fmt: skip

SYNC_OFFLINE_MUTATION = _cmd(
    "sync_offline_mutation", OfflineMutation, OfflineSyncResult,
    "Replay one offline client mutation through the engine; the server wins ties (409 with the current state). "
    "A mutation id reused for another participant or action is a 409; a timestamp more than 2 minutes ahead "
    "of the server's clock is a 422.",
    errors=(
        ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.FORBIDDEN, ErrorCode.BAD_REQUEST, ErrorCode.VALIDATION_ERROR,
    ),
    permission=Permission("participant", "update"), flag=FlagKey.OFFLINE_MODE,
    http=_route("POST", "/offline-sync", "Sync an offline mutation", "offline"),
)  # fmt: skip

OPERATIONS = [
    CREATE_WORKFLOW,
    LIST_WORKFLOWS,
    GET_WORKFLOW,
    UPDATE_WORKFLOW,
    DELETE_WORKFLOW,
    PUBLISH_WORKFLOW,
    LIST_WORKFLOW_VERSIONS,
    GET_WORKFLOW_VERSION,
    CREATE_STEP,
    UPDATE_STEP,
    DELETE_STEP,
    CONVERT_CONDITION,
    CREATE_AUTO_ACTION_RULE,
    LIST_AUTO_ACTION_RULES,
    UPDATE_AUTO_ACTION_RULE,
    DELETE_AUTO_ACTION_RULE,
    REORDER_AUTO_ACTION_RULES,
    TEST_AUTO_ACTION_RULES,
    ASSIGN_STEP,
    REASSIGN_STEP,
    UNASSIGN_STEP,
    LIST_STEP_ASSIGNMENTS,
    LIST_USER_ASSIGNMENTS,
    LIST_MY_ASSIGNMENTS,
    GET_PROGRESS,
    LIST_APPROVALS,
    *TAKE_ACTION.values(),
    *TAKE_BRANCH_ACTION.values(),
    DRY_RUN_BATCH_ACTION,
    EXECUTE_BATCH_ACTION,
    GET_BATCH_OPERATION,
    UNDO_BATCH_OPERATION,
    SYNC_OFFLINE_MUTATION,
]
