"""Workflows, their steps and published versions: rows ↔ contract models and snapshots."""

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import WorkflowStatus

from ..domain.snapshot import Snapshot, SnapshotStep
from .tables import step, workflow, workflow_version

Db = AsyncSession | AsyncConnection
Row = sa.Row[Any]

WORKFLOW_NAME_TAKEN = "uq_workflow_tenant_id_event_id_name"
STEP_ORDER_TAKEN = "uq_step_workflow_id_order"
SORTABLE = {"createdAt": workflow.c.created_at, "updatedAt": workflow.c.updated_at, "name": workflow.c.name}
VERSION_SORTABLE = {"createdAt": workflow_version.c.created_at, "version": workflow_version.c.version}
TARGETS = ("next_step_id", "rejection_target_id", "bypass_target_id", "escalation_target_id")

_CURRENT_VERSION = (
    sa.select(sa.func.max(workflow_version.c.version))
    .where(workflow_version.c.workflow_id == workflow.c.id)
    .scalar_subquery()
    .label("current_version")
)


def workflows_query(tenant_id: str) -> sa.Select[Any]:
    """The tenant's live workflows, each with its latest version number."""
    return sa.select(workflow, _CURRENT_VERSION).where(
        workflow.c.tenant_id == tenant_id, workflow.c.deleted_at.is_(None)
    )


# --- workflows -----------------------------------------------------------------------------------


async def get_workflow(
    db: Db, workflow_id: str, tenant_id: str, *, for_update: bool = False, with_deleted: bool = False
) -> Row | None:
    """A workflow of the tenant (not deleted unless asked), with its ``current_version``."""
    query = sa.select(workflow, _CURRENT_VERSION).where(workflow.c.id == workflow_id, workflow.c.tenant_id == tenant_id)
    if not with_deleted:
        query = query.where(workflow.c.deleted_at.is_(None))
    if for_update:
        query = query.with_for_update(of=workflow)
    return (await db.execute(query)).first()


async def hold_entry_slot(db: Db, tenant_id: str, event_id: str, participant_type_id: str | None) -> None:
    """Serialise, until commit, whoever may make a workflow the PUBLISHED one of this event and type."""
    key = f"workflow.entry:{tenant_id}:{event_id}:{participant_type_id or ''}"
    await db.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0))))


async def published_rival(
    db: Db, tenant_id: str, event_id: str, participant_type_id: str | None, workflow_id: str
) -> Row | None:
    """Another live PUBLISHED workflow that participants of this event and type (none = default) enter."""
    same_type = (
        workflow.c.participant_type_id.is_(None)
        if participant_type_id is None
        else workflow.c.participant_type_id == participant_type_id
    )
    query = sa.select(workflow.c.id, workflow.c.name).where(
        workflow.c.tenant_id == tenant_id,
        workflow.c.event_id == event_id,
        same_type,
        workflow.c.status == WorkflowStatus.PUBLISHED,
        workflow.c.deleted_at.is_(None),
        workflow.c.id != workflow_id,
    )
    return (await db.execute(query.limit(1))).first()


async def touch_workflow(db: Db, workflow_id: str, now: Any) -> None:
    """Its steps changed: the workflow as read (with its steps) changed too, so its ETag moves."""
    await db.execute(sa.update(workflow).where(workflow.c.id == workflow_id).values(updated_at=now))


def to_workflow(row: Row, steps: Iterable[Row] | None = None) -> contract.Workflow:
    values = dict(row._mapping)
    values["steps"] = None if steps is None else [to_step(s) for s in steps]
    return contract.Workflow.model_validate(values)


# --- steps ---------------------------------------------------------------------------------------


async def steps_of(db: Db, workflow_id: str, *, for_update: bool = False) -> list[Row]:
    query = sa.select(step).where(step.c.workflow_id == workflow_id).order_by(step.c.order, step.c.id)
    if for_update:
        query = query.with_for_update()
    return list((await db.execute(query)).all())


async def get_step(db: Db, step_id: str, tenant_id: str, *, for_update: bool = False) -> Row | None:
    """A step of one of the tenant's live workflows, with its workflow's name and event."""
    query = (
        sa.select(step, workflow.c.name.label("workflow_name"), workflow.c.event_id)
        .join(workflow, workflow.c.id == step.c.workflow_id)
        .where(step.c.id == step_id, step.c.tenant_id == tenant_id, workflow.c.deleted_at.is_(None))
    )
    if for_update:
        query = query.with_for_update(of=step)
    return (await db.execute(query)).first()


def to_step(row: Row) -> contract.Step:
    return contract.Step.model_validate({c.name: row._mapping[c.name] for c in step.columns})


async def in_published_version(db: Db, workflow_id: str, step_id: str) -> bool:
    """Whether any version of the workflow has the step in its snapshot (approvals may point at it)."""
    holds_step = workflow_version.c.snapshot.contains({"steps": [{"id": step_id}]})
    query = sa.select(sa.exists().where(workflow_version.c.workflow_id == workflow_id, holds_step))
    return bool((await db.execute(query)).scalar())


def snapshot_step(row: Row) -> SnapshotStep:
    return SnapshotStep(
        id=row.id,
        name=row.name,
        step_type=row.step_type,
        order=row.order,
        description=row.description,
        is_entry_point=row.is_entry_point,
        is_terminal=row.is_terminal,
        next_step_id=row.next_step_id,
        rejection_target_id=row.rejection_target_id,
        bypass_target_id=row.bypass_target_id,
        escalation_target_id=row.escalation_target_id,
        sla_duration_minutes=row.sla_duration_minutes,
        sla_action=row.sla_action.value if row.sla_action is not None else None,
        config=dict(row.config or {}),
    )


# --- versions ------------------------------------------------------------------------------------


async def get_version(db: Db, version_id: str) -> Row | None:
    """A version by id, whatever its tenant (the engine reads the version a participant is pinned to)."""
    return (await db.execute(sa.select(workflow_version).where(workflow_version.c.id == version_id))).first()


async def latest_version(db: Db, workflow_id: str) -> Row | None:
    query = (
        sa.select(workflow_version)
        .where(workflow_version.c.workflow_id == workflow_id)
        .order_by(workflow_version.c.version.desc())
        .limit(1)
    )
    return (await db.execute(query)).first()


async def version_number(db: Db, workflow_id: str, version: int) -> Row | None:
    query = sa.select(workflow_version).where(
        workflow_version.c.workflow_id == workflow_id, workflow_version.c.version == version
    )
    return (await db.execute(query)).first()


def snapshot_of(row: Row) -> Snapshot:
    """The snapshot a version row holds."""
    return Snapshot.from_json(row.snapshot)


def to_version(row: Row) -> contract.WorkflowVersion:
    return contract.WorkflowVersion.model_validate(dict(row._mapping))
