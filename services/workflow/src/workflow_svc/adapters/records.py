"""What the repositories return: one frozen dataclass per row shape, so no ``sa.Row`` leaves the adapters."""

import dataclasses
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa

from plenary_contracts.enums import (
    ApprovalAction,
    AssignmentStrategy,
    AutoActionType,
    BranchStatus,
    ParticipantStatus,
    SlaAction,
    StepType,
    WorkflowStatus,
)

R = TypeVar("R")


def from_row(kind: type[R], row: sa.Row[Any]) -> R:
    """The row as ``kind``; its columns must be exactly the dataclass's fields."""
    return kind(**row._mapping)


def as_dict(record: Any) -> dict[str, Any]:
    """The record's fields, shallow (JSON columns stay the objects they are)."""
    return {field.name: getattr(record, field.name) for field in dataclasses.fields(record)}


@dataclasses.dataclass(frozen=True)
class Workflow:
    id: str
    tenant_id: str
    event_id: str
    participant_type_id: str | None
    name: str
    description: str | None
    status: WorkflowStatus
    deleted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    current_version: int | None


@dataclasses.dataclass(frozen=True)
class WorkflowName:
    id: str
    name: str


@dataclasses.dataclass(frozen=True)
class WorkflowVersion:
    id: str
    tenant_id: str
    workflow_id: str
    version: int
    snapshot: dict[str, Any]
    snapshot_hash: str
    change_description: str | None
    created_by: str
    created_at: datetime


@dataclasses.dataclass(frozen=True)
class Step:
    id: str
    tenant_id: str
    workflow_id: str
    name: str
    description: str | None
    order: int
    step_type: StepType
    is_entry_point: bool
    is_terminal: bool
    next_step_id: str | None
    rejection_target_id: str | None
    bypass_target_id: str | None
    escalation_target_id: str | None
    sla_duration_minutes: int | None
    sla_action: SlaAction | None
    config: dict[str, Any]
    round_robin_counter: int
    created_at: datetime
    updated_at: datetime


@dataclasses.dataclass(frozen=True)
class LiveStep:
    """A step of a live workflow, with what its workflow says about it."""

    id: str
    tenant_id: str
    workflow_id: str
    workflow_name: str
    event_id: str


@dataclasses.dataclass(frozen=True)
class AutoActionRule:
    id: str
    tenant_id: str
    step_id: str
    name: str
    description: str | None
    condition_expression: Any
    action_type: AutoActionType
    priority: int
    is_active: bool
    created_by: str | None
    created_at: datetime
    updated_at: datetime


@dataclasses.dataclass(frozen=True)
class StepAssignment:
    """An assignment with its user (when the directory knows it), its step's name and its workflow."""

    id: str
    tenant_id: str
    step_id: str
    user_id: str
    strategy: AssignmentStrategy
    is_active: bool
    assigned_by: str | None
    created_at: datetime
    updated_at: datetime
    user_known: str | None
    user_name: str | None
    user_email: str | None
    step_name: str
    workflow_id: str
    workflow_name: str
    event_id: str


@dataclasses.dataclass(frozen=True)
class KnownUser:
    id: str
    tenant_id: str | None
    name: str | None
    email: str | None
    updated_at: datetime


@dataclasses.dataclass(frozen=True)
class Participant:
    """workflow's view of a participant: registration's data and where it is in its workflow."""

    id: str
    tenant_id: str
    event_id: str
    participant_type_id: str
    participant_type_code: str | None
    registration_code: str
    first_name: str
    last_name: str
    email: str | None
    organization: str | None
    job_title: str | None
    nationality: str | None
    extras: dict[str, Any]
    workflow_id: str | None
    workflow_version_id: str | None
    current_step_id: str | None
    status: ParticipantStatus
    version: int
    step_entered_at: datetime | None
    sla_warn_at: datetime | None
    sla_due_at: datetime | None
    sla_warned_at: datetime | None
    sla_breached_at: datetime | None
    source_updated_at: datetime
    deleted_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclasses.dataclass(frozen=True)
class ActiveReviewer:
    """Who reviews a participant at its step, and through which step assignment."""

    user_id: str
    assignment_id: str | None
    strategy: AssignmentStrategy


@dataclasses.dataclass(frozen=True)
class OpenAssignment:
    """A participant waiting on a user at its current step."""

    participant_id: str
    event_id: str
    name: str
    registration_code: str
    status: ParticipantStatus
    assigned_at: datetime
    sla_due_at: datetime | None
    step_id: str
    step_name: str
    workflow_id: str
    workflow_name: str


@dataclasses.dataclass(frozen=True)
class Branch:
    id: str
    tenant_id: str
    participant_id: str
    fork_step_id: str
    branch_step_id: str
    status: BranchStatus
    completed_at: datetime | None
    completed_by: str | None
    action: ApprovalAction | None
    remarks: str | None
    archived_at: datetime | None
    join_step_id: str
    timeout_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclasses.dataclass(frozen=True)
class BatchItem:
    id: str
    operation_id: str
    participant_id: str
    position: int
    status: str
    after_version: int | None
    error: str | None
    previous_state: dict[str, Any] | None
    created_at: datetime


@dataclasses.dataclass(frozen=True)
class OfflineMutation:
    """A mutation id as first synced: what it named, and what it answered."""

    participant_id: str
    type: str
    result: dict[str, Any] | None
