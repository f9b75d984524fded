"""workflow's schema: workflows, versions, steps, approvals, assignments, auto-action rules, branches."""

import sqlalchemy as sa

from plenary_contracts.enums import (
    ApprovalAction,
    AssignmentStrategy,
    AutoActionType,
    BranchStatus,
    SlaAction,
    StepType,
    WorkflowStatus,
)
from plenary_kit.db import (
    add_messaging_tables,
    created_at,
    cross_service_ref,
    enum_column,
    foreign_key,
    id_column,
    jsonb_column,
    service_metadata,
    tenant_id_column,
    updated_at,
)

metadata = service_metadata("workflow")
messaging = add_messaging_tables(metadata)

workflow = sa.Table(
    "workflow",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    enum_column("status", WorkflowStatus, default=WorkflowStatus.DRAFT),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("tenant_id", "event_id", "name"),
)

workflow_version = sa.Table(
    "workflow_version",
    metadata,
    id_column(),
    tenant_id_column(),
    foreign_key("workflow_id", "workflow.id", ondelete="CASCADE"),
    sa.Column("version", sa.Integer, nullable=False),
    jsonb_column("snapshot", nullable=False),
    # SHA-256 of the key-sorted snapshot; the original kept it in change_description
    sa.Column("snapshot_hash", sa.Text, nullable=False),
    sa.Column("change_description", sa.Text),
    sa.Column("created_by", sa.String(32), nullable=False),
    created_at(),
    sa.UniqueConstraint("workflow_id", "version"),
)

step = sa.Table(
    "step",
    metadata,
    id_column(),
    tenant_id_column(),
    foreign_key("workflow_id", "workflow.id", ondelete="CASCADE"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("order", sa.Integer, nullable=False),
    enum_column("step_type", StepType, default=StepType.REVIEW),
    sa.Column("is_entry_point", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("is_terminal", sa.Boolean, nullable=False, server_default=sa.false()),
    foreign_key("next_step_id", "step.id", ondelete="SET NULL", nullable=True),
    foreign_key("rejection_target_id", "step.id", ondelete="SET NULL", nullable=True),
    foreign_key("bypass_target_id", "step.id", ondelete="SET NULL", nullable=True),
    foreign_key("escalation_target_id", "step.id", ondelete="SET NULL", nullable=True),
    sa.Column("sla_duration_minutes", sa.Integer),
    enum_column("sla_action", SlaAction, nullable=True),
    jsonb_column("config", default="{}"),
    # ⚠ fix: round-robin advances this with UPDATE ... RETURNING instead of config.roundRobinIndex
    sa.Column("round_robin_counter", sa.Integer, nullable=False, server_default="0"),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("workflow_id", "order"),
)

approval = sa.Table(
    "approval",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("participant_id"),
    foreign_key("step_id", "step.id", ondelete="CASCADE"),
    cross_service_ref("user_id"),
    enum_column("action", ApprovalAction, nullable=False),
    sa.Column("remarks", sa.Text),
    jsonb_column("metadata"),
    created_at(),
    sa.Index(None, "participant_id", "created_at"),
    sa.Index(None, "step_id", "user_id"),
)

step_assignment = sa.Table(
    "step_assignment",
    metadata,
    id_column(),
    tenant_id_column(),
    foreign_key("step_id", "step.id", ondelete="CASCADE"),
    cross_service_ref("user_id"),
    enum_column("strategy", AssignmentStrategy, default=AssignmentStrategy.MANUAL),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("assigned_by", sa.String(32)),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("step_id", "user_id"),
    sa.Index(None, "step_id", "is_active"),
    sa.Index(None, "user_id", "is_active"),
)

auto_action_rule = sa.Table(
    "auto_action_rule",
    metadata,
    id_column(),
    tenant_id_column(),
    foreign_key("step_id", "step.id", ondelete="CASCADE"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    jsonb_column("condition_expression", nullable=False),
    enum_column("action_type", AutoActionType, nullable=False),
    sa.Column("priority", sa.Integer, nullable=False, server_default="0"),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_by", sa.String(32)),
    created_at(),
    updated_at(),
    sa.Index(None, "step_id", "is_active", "priority"),
)

parallel_branch = sa.Table(
    "parallel_branch",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("participant_id"),
    foreign_key("fork_step_id", "step.id", ondelete="CASCADE", index=True),
    foreign_key("branch_step_id", "step.id", ondelete="CASCADE", index=True),
    enum_column("status", BranchStatus, default=BranchStatus.PENDING),
    sa.Column("completed_at", sa.DateTime(timezone=True)),
    sa.Column("completed_by", sa.String(32)),
    enum_column("action", ApprovalAction, nullable=True),
    sa.Column("remarks", sa.Text),
    # ⚠ fix: re-entering a fork archives the previous round instead of colliding with it
    sa.Column("archived_at", sa.DateTime(timezone=True)),
    created_at(),
    updated_at(),
    sa.Index(
        "uq_parallel_branch_live",
        "participant_id",
        "fork_step_id",
        "branch_step_id",
        unique=True,
        postgresql_where=sa.text("archived_at IS NULL"),
    ),
    sa.Index(None, "status", "created_at"),
)

# The SPEC's "persist the assignee": who reviews a participant at a step.
participant_assignment = sa.Table(
    "participant_assignment",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("participant_id"),
    foreign_key("step_id", "step.id", ondelete="CASCADE"),
    cross_service_ref("user_id"),
    foreign_key("assignment_id", "step_assignment.id", ondelete="SET NULL", nullable=True, index=True),
    enum_column("strategy", AssignmentStrategy, nullable=False),
    sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    updated_at(),
    sa.Index(
        "uq_participant_assignment_active",
        "participant_id",
        "step_id",
        unique=True,
        postgresql_where=sa.text("is_active"),
    ),
    sa.Index(None, "user_id", "is_active"),
    sa.Index(None, "step_id", "is_active"),
)
