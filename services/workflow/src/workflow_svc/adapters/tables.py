"""workflow's schema: workflows, versions, steps, approvals, assignments, auto-action rules, branches."""

import sqlalchemy as sa

from plenary_contracts.enums import (
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
    # participants of this type enter it; NULL = the event's default workflow
    cross_service_ref("participant_type_id", nullable=True),
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
    # SHA-256 of the key-sorted snapshot, in its own column (not mixed into change_description)
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
    # round-robin advances this with UPDATE ... RETURNING, so concurrent picks never share a value
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
    # re-entering a fork archives the previous round instead of colliding with it
    sa.Column("archived_at", sa.DateTime(timezone=True)),
    sa.Column("join_step_id", sa.String(32), nullable=False),
    # when the JOIN's timeoutMinutes passes; the timer finds due branches by this index
    sa.Column("timeout_at", sa.DateTime(timezone=True)),
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
    sa.Index(
        "ix_parallel_branch_due", "timeout_at", postgresql_where=sa.text("status = 'PENDING' AND archived_at IS NULL")
    ),
)

# The persisted assignee: who reviews a participant at a step.
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

# workflow's own view of a participant: the data conditions read (fed by registration's events) and
# where the participant is. ``version`` is the optimistic lock the engine checks.
participant = sa.Table(
    "participant",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    tenant_id_column(),
    cross_service_ref("event_id"),
    cross_service_ref("participant_type_id"),
    sa.Column("participant_type_code", sa.Text),
    sa.Column("registration_code", sa.Text, nullable=False),
    sa.Column("first_name", sa.Text, nullable=False),
    sa.Column("last_name", sa.Text, nullable=False),
    sa.Column("email", sa.Text),
    sa.Column("organization", sa.Text),
    sa.Column("job_title", sa.Text),
    sa.Column("nationality", sa.Text),
    jsonb_column("extras", default="{}"),
    foreign_key("workflow_id", "workflow.id", ondelete="SET NULL", nullable=True, index=True),
    foreign_key("workflow_version_id", "workflow_version.id", ondelete="SET NULL", nullable=True),
    sa.Column("current_step_id", sa.String(32)),
    enum_column("status", ParticipantStatus, default=ParticipantStatus.PENDING),
    sa.Column("version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("step_entered_at", sa.DateTime(timezone=True)),
    sa.Column("sla_warn_at", sa.DateTime(timezone=True)),
    sa.Column("sla_due_at", sa.DateTime(timezone=True)),
    sa.Column("sla_warned_at", sa.DateTime(timezone=True)),
    sa.Column("sla_breached_at", sa.DateTime(timezone=True)),
    # registration's updatedAt of the data above: an older event never overwrites a newer one
    sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    created_at(),
    updated_at(),
    sa.Index(None, "tenant_id", "event_id"),
    sa.Index(None, "current_step_id", "status"),
    # List queries (saved views): an event's live progress in its natural order, and kanban counts per status
    sa.Index(
        "ix_participant_rows_updated",
        "tenant_id",
        "event_id",
        "updated_at",
        "id",
        postgresql_where=sa.text("deleted_at IS NULL"),
    ),
    sa.Index(
        "ix_participant_rows_status",
        "tenant_id",
        "event_id",
        "status",
        "updated_at",
        postgresql_where=sa.text("deleted_at IS NULL"),
    ),
    sa.Index("ix_participant_sla_warn", "sla_warn_at", postgresql_where=sa.text("sla_warned_at IS NULL")),
    sa.Index("ix_participant_sla_due", "sla_due_at", postgresql_where=sa.text("sla_breached_at IS NULL")),
)

# Batch actions: one row per run, one item per participant with its before-state (taken before acting).
batch_operation = sa.Table(
    "batch_operation",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id"),
    enum_column("action", ApprovalAction, nullable=False),
    enum_column("status", BulkOperationStatus, default=BulkOperationStatus.CONFIRMED),
    sa.Column("total_items", sa.Integer, nullable=False),
    sa.Column("processed_items", sa.Integer, nullable=False, server_default="0"),
    sa.Column("success_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failure_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("remarks", sa.Text),
    sa.Column("created_by", sa.String(32)),
    sa.Column("undo_deadline", sa.DateTime(timezone=True)),
    sa.Column("undone_at", sa.DateTime(timezone=True)),
    created_at(),
    updated_at(),
    sa.Index(None, "tenant_id", "created_at"),
)

batch_item = sa.Table(
    "batch_item",
    metadata,
    id_column(),
    foreign_key("operation_id", "batch_operation.id", ondelete="CASCADE"),
    cross_service_ref("participant_id"),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    # the participant's progress version right after this batch acted; undo only restores if unchanged
    sa.Column("after_version", sa.Integer),
    sa.Column("error", sa.Text),
    jsonb_column("previous_state"),
    created_at(),
    sa.UniqueConstraint("operation_id", "participant_id"),
)

# Offline sync: each client mutation id (nonce) is applied once per tenant.
offline_mutation = sa.Table(
    "offline_mutation",
    metadata,
    tenant_id_column(),
    sa.Column("mutation_id", sa.String(128), nullable=False),
    cross_service_ref("participant_id"),
    sa.Column("type", sa.Text, nullable=False),
    jsonb_column("result"),
    created_at(),
    sa.PrimaryKeyConstraint("tenant_id", "mutation_id"),
)

# Reviewer names for assignment lists, from identity's user events.
user_directory = sa.Table(
    "user_directory",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("tenant_id", sa.String(32)),
    sa.Column("name", sa.Text),
    sa.Column("email", sa.Text),
    updated_at(),
)
