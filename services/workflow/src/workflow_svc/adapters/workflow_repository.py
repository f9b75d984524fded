"""Workflows, their steps and published versions: rows ↔ records, contract models and snapshots."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import registration
from plenary_contracts.catalog import workflow as workflow_contract
from plenary_contracts.enums import WorkflowStatus
from plenary_contracts.listing import PageMeta
from plenary_kit.db import execute_unique, fetch_page

from ..domain.snapshot import Snapshot, SnapshotStep
from .records import LiveStep, Step, Workflow, WorkflowName, WorkflowVersion, as_dict, from_row
from .tables import step, workflow, workflow_version

Db = AsyncSession | AsyncConnection

WORKFLOW_NAME_TAKEN = "uq_workflow_tenant_id_event_id_name"
STEP_ORDER_TAKEN = "uq_step_workflow_id_order"
_NAME_TAKEN = {WORKFLOW_NAME_TAKEN: "another workflow of this event already has this name"}
_ORDER_TAKEN = {STEP_ORDER_TAKEN: "another step of this workflow already has this order"}
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


async def page_workflows(
    db: AsyncSession, tenant_id: str, request: workflow_contract.ListWorkflows
) -> tuple[list[Workflow], PageMeta]:
    """One page of the tenant's live workflows, of an event and in a status when the request asks."""
    query = workflows_query(tenant_id)
    if request.event_id is not None:
        query = query.where(workflow.c.event_id == request.event_id)
    if request.status is not None:
        query = query.where(workflow.c.status == request.status)
    rows, meta = await fetch_page(db, query, request, SORTABLE, workflow.c.id)
    return [from_row(Workflow, r) for r in rows], meta


async def insert_workflow(db: AsyncSession, **values: Any) -> None:
    """A new workflow; 409 when its event already has a workflow of that name."""
    await execute_unique(db, sa.insert(workflow).values(**values), _NAME_TAKEN)


async def update_workflow(db: AsyncSession, workflow_id: str, **values: Any) -> None:
    """Change the workflow; 409 when its new name is taken in its event."""
    await execute_unique(db, sa.update(workflow).where(workflow.c.id == workflow_id).values(**values), _NAME_TAKEN)


async def mark_deleted(db: AsyncSession, workflow_id: str, now: datetime) -> None:
    await db.execute(sa.update(workflow).where(workflow.c.id == workflow_id).values(deleted_at=now, updated_at=now))


async def mark_published(db: AsyncSession, workflow_id: str, now: datetime) -> None:
    await db.execute(
        sa.update(workflow).where(workflow.c.id == workflow_id).values(status=WorkflowStatus.PUBLISHED, updated_at=now)
    )


async def delete_of_event(db: AsyncSession, event_id: str, tenant_id: str | None) -> None:
    """Soft-delete the event's live workflows (of one tenant, when given)."""
    where: list[Any] = [workflow.c.event_id == event_id]
    if tenant_id is not None:
        where.append(workflow.c.tenant_id == tenant_id)
    await db.execute(
        sa.update(workflow).where(*where, workflow.c.deleted_at.is_(None)).values(deleted_at=sa.func.now())
    )


async def entry_workflow(db: AsyncSession, record: registration.ParticipantRecord) -> tuple[str, str] | None:
    """The PUBLISHED workflow a registered participant enters and its latest version: the named
    workflow, else the event's one for the participant's type, else the event's default."""
    latest = (
        sa.select(workflow_version.c.id)
        .where(workflow_version.c.workflow_id == workflow.c.id)
        .order_by(workflow_version.c.version.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = sa.select(workflow.c.id, latest.label("version_id")).where(
        workflow.c.tenant_id == record.tenant_id,
        workflow.c.event_id == record.event_id,
        workflow.c.status == WorkflowStatus.PUBLISHED,
        workflow.c.deleted_at.is_(None),
    )
    if record.workflow_id is not None:
        query = query.where(workflow.c.id == record.workflow_id)
    else:
        query = query.where(
            sa.or_(
                workflow.c.participant_type_id == record.participant_type_id,
                workflow.c.participant_type_id.is_(None),
            )
        ).order_by(workflow.c.participant_type_id.is_(None), workflow.c.created_at)
    found = (await db.execute(query.limit(1))).first()
    return (found.id, found.version_id) if found is not None and found.version_id is not None else None


async def get_workflow(
    db: Db, workflow_id: str, tenant_id: str, *, for_update: bool = False, with_deleted: bool = False
) -> Workflow | None:
    """A workflow of the tenant (not deleted unless asked), with its ``current_version``."""
    query = sa.select(workflow, _CURRENT_VERSION).where(workflow.c.id == workflow_id, workflow.c.tenant_id == tenant_id)
    if not with_deleted:
        query = query.where(workflow.c.deleted_at.is_(None))
    if for_update:
        query = query.with_for_update(of=workflow)
    found = (await db.execute(query)).first()
    return from_row(Workflow, found) if found is not None else None


async def hold_entry_slot(db: Db, tenant_id: str, event_id: str, participant_type_id: str | None) -> None:
    """Serialise, until commit, whoever may make a workflow the PUBLISHED one of this event and type."""
    key = f"workflow.entry:{tenant_id}:{event_id}:{participant_type_id or ''}"
    await db.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0))))


async def published_rival(
    db: Db, tenant_id: str, event_id: str, participant_type_id: str | None, workflow_id: str
) -> WorkflowName | None:
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
    found = (await db.execute(query.limit(1))).first()
    return from_row(WorkflowName, found) if found is not None else None


async def touch_workflow(db: Db, workflow_id: str, now: Any) -> None:
    """Its steps changed: the workflow as read (with its steps) changed too, so its ETag moves."""
    await db.execute(sa.update(workflow).where(workflow.c.id == workflow_id).values(updated_at=now))


def to_workflow(record: Workflow, steps: Iterable[Step] | None = None) -> workflow_contract.Workflow:
    values = as_dict(record)
    values["steps"] = None if steps is None else [to_step(s) for s in steps]
    return workflow_contract.Workflow.model_validate(values)


# --- steps ---------------------------------------------------------------------------------------


async def steps_of(db: Db, workflow_id: str, *, for_update: bool = False) -> list[Step]:
    query = sa.select(step).where(step.c.workflow_id == workflow_id).order_by(step.c.order, step.c.id)
    if for_update:
        query = query.with_for_update()
    return [from_row(Step, r) for r in await db.execute(query)]


async def get_step(db: Db, step_id: str, tenant_id: str, *, for_update: bool = False) -> LiveStep | None:
    """A step of one of the tenant's live workflows, with its workflow's name and event."""
    query = (
        sa.select(
            step.c.id, step.c.tenant_id, step.c.workflow_id, workflow.c.name.label("workflow_name"), workflow.c.event_id
        )
        .join(workflow, workflow.c.id == step.c.workflow_id)
        .where(step.c.id == step_id, step.c.tenant_id == tenant_id, workflow.c.deleted_at.is_(None))
    )
    if for_update:
        query = query.with_for_update(of=step)
    found = (await db.execute(query)).first()
    return from_row(LiveStep, found) if found is not None else None


async def insert_steps(db: AsyncSession, rows: list[Mapping[str, Any]]) -> dict[str, Step]:
    """Several steps in one statement, so they may point at each other (foreign keys are checked once
    it is done); by id."""
    statement = sa.insert(step).values(list(rows)).returning(step)
    return {r.id: from_row(Step, r) for r in await db.execute(statement)}


async def insert_step(db: AsyncSession, **values: Any) -> Step:
    """A new step; 409 when its order is taken in its workflow."""
    statement = sa.insert(step).values(**values).returning(step)
    return from_row(Step, (await execute_unique(db, statement, _ORDER_TAKEN)).one())


async def update_step(db: AsyncSession, step_id: str, **values: Any) -> Step:
    """Change the step; 409 when its new order is taken in its workflow."""
    statement = sa.update(step).where(step.c.id == step_id).values(**values).returning(step)
    return from_row(Step, (await execute_unique(db, statement, _ORDER_TAKEN)).one())


async def change_step(db: AsyncSession, step_id: str, **values: Any) -> Step:
    """Change what cannot clash with another step (its targets and config)."""
    statement = sa.update(step).where(step.c.id == step_id).values(**values).returning(step)
    return from_row(Step, (await db.execute(statement)).one())


async def delete_step(db: AsyncSession, step_id: str) -> None:
    await db.execute(sa.delete(step).where(step.c.id == step_id))


def to_step(record: Step) -> workflow_contract.Step:
    return workflow_contract.Step.model_validate(as_dict(record))


async def in_published_version(db: Db, workflow_id: str, step_id: str) -> bool:
    """Whether any version of the workflow has the step in its snapshot (approvals may point at it)."""
    holds_step = workflow_version.c.snapshot.contains({"steps": [{"id": step_id}]})
    query = sa.select(sa.exists().where(workflow_version.c.workflow_id == workflow_id, holds_step))
    return bool((await db.execute(query)).scalar())


def snapshot_step(row: Step) -> SnapshotStep:
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


async def _version(db: Db, query: sa.Select[Any]) -> WorkflowVersion | None:
    found = (await db.execute(query)).first()
    return from_row(WorkflowVersion, found) if found is not None else None


async def get_version(db: Db, version_id: str) -> WorkflowVersion | None:
    """A version by id, whatever its tenant (the engine reads the version a participant is pinned to)."""
    return await _version(db, sa.select(workflow_version).where(workflow_version.c.id == version_id))


async def latest_version(db: Db, workflow_id: str) -> WorkflowVersion | None:
    query = (
        sa.select(workflow_version)
        .where(workflow_version.c.workflow_id == workflow_id)
        .order_by(workflow_version.c.version.desc())
        .limit(1)
    )
    return await _version(db, query)


async def version_number(db: Db, workflow_id: str, version: int) -> WorkflowVersion | None:
    query = sa.select(workflow_version).where(
        workflow_version.c.workflow_id == workflow_id, workflow_version.c.version == version
    )
    return await _version(db, query)


async def insert_version(db: AsyncSession, **values: Any) -> WorkflowVersion:
    statement = sa.insert(workflow_version).values(**values).returning(workflow_version)
    return from_row(WorkflowVersion, (await db.execute(statement)).one())


async def page_versions(
    db: AsyncSession, workflow_id: str, request: workflow_contract.ListWorkflowVersions
) -> tuple[list[WorkflowVersion], PageMeta]:
    query = sa.select(workflow_version).where(workflow_version.c.workflow_id == workflow_id)
    rows, meta = await fetch_page(db, query, request, VERSION_SORTABLE, workflow_version.c.id)
    return [from_row(WorkflowVersion, r) for r in rows], meta


def snapshot_of(record: WorkflowVersion) -> Snapshot:
    """The snapshot a version holds."""
    return Snapshot.from_json(record.snapshot)


def to_version(record: WorkflowVersion) -> workflow_contract.WorkflowVersion:
    return workflow_contract.WorkflowVersion.model_validate(as_dict(record))
