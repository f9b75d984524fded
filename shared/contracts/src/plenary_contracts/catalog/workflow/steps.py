"""workflow: the steps of a workflow, their configuration, conditional routes and fork branches."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ...conditions.shapes import Condition
from ...enums import (
    SlaAction,
    StepType,
)
from ...fields import Id, Name
from ...model import Model
from ._common import _WF_UPDATE, _WRITE_ERRORS, Description, _cmd, _event, _route

MAX_FORK_PATHS = 5


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


class StepChanged(Model):
    step: Step


# --- domain events -------------------------------------------------------------------------------

STEP_CREATED = _event("step", "created", StepChanged, "A step was added to a workflow.")
STEP_UPDATED = _event("step", "updated", StepChanged, "A step changed.")
STEP_DELETED = _event("step", "deleted", StepChanged, "A step was removed from a workflow.")

# --- operations ----------------------------------------------------------------------------------

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
