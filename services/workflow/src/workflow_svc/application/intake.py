"""What other services' events do here: registration feeds the read model and entries; deletions cascade."""

from typing import Any

import sqlalchemy as sa

from plenary_contracts.catalog import registration
from plenary_contracts.enums import ParticipantStatus, WorkflowStatus
from plenary_kit import context as ctx
from plenary_kit.db import UnitOfWork
from plenary_kit.logging import get_logger

from ..adapters import progress_repository as progress
from ..adapters.tables import (
    approval,
    metadata,
    parallel_branch,
    participant,
    participant_assignment,
    workflow,
    workflow_version,
)
from .engine import Engine

log = get_logger(__name__)

_CLOSED = (ParticipantStatus.CANCELLED, ParticipantStatus.REJECTED)


class Intake:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def registered(self, uow: UnitOfWork, payload: registration.ParticipantChanged) -> None:
        row = await progress.upsert_record(uow.session, payload.participant)
        row = await progress.get(uow.session, row.id, row.tenant_id, for_update=True)
        if row is None or row.workflow_id is not None:
            return  # deleted meanwhile, or already entered (a redelivered or late registration)
        target = await self._workflow_for(uow, payload.participant)
        if target is None:
            log.info("no published workflow for this participant; not entered", participant_id=row.id)
            return
        await self.engine.enter(uow, row, *target)

    async def updated(self, uow: UnitOfWork, payload: registration.ParticipantChanged) -> None:
        record = payload.participant
        row = await progress.upsert_record(uow.session, record)
        if record.status in _CLOSED and row.status not in _CLOSED and row.source_updated_at <= record.updated_at:
            # Registration closed it (cancelled, or rejected by an admin): no more timers or reviews.
            await progress.move(uow.session, row.id, status=record.status, sla_warn_at=None, sla_due_at=None)
            await progress.end_assignments(uow.session, [row.id])
            await progress.archive_branches(uow.session, [row.id])

    async def deleted(self, uow: UnitOfWork, payload: registration.ParticipantDeleted) -> None:
        await retire(uow, await _of_tenant(uow, [payload.participant_id]))

    async def merged(self, uow: UnitOfWork, payload: registration.ParticipantMerged) -> None:
        """Re-point the merged participants' history to the survivor; their own progress ends."""
        merged = await _of_tenant(uow, [pid for pid in payload.merged_ids if pid != payload.survivor_id])
        if not merged:
            return
        await progress.archive_branches(uow.session, merged)
        await progress.end_assignments(uow.session, merged)
        for table in (approval, parallel_branch, participant_assignment):
            await uow.session.execute(
                sa.update(table).where(table.c.participant_id.in_(merged)).values(participant_id=payload.survivor_id)
            )
        await retire(uow, merged)

    async def _workflow_for(self, uow: UnitOfWork, record: registration.ParticipantRecord) -> tuple[str, str] | None:
        """The named workflow, else the event's one for the participant's type, else the event's default."""
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
        found = (await uow.session.execute(query.limit(1))).first()
        return (found.id, found.version_id) if found is not None and found.version_id is not None else None


async def _of_tenant(uow: UnitOfWork, participant_ids: list[str]) -> list[str]:
    """The ids that are participants of the event's tenant: an event never reaches into another tenant."""
    tenant_id = ctx.current().tenant_id
    if not participant_ids or tenant_id is None:
        return participant_ids
    found = await uow.session.execute(
        sa.select(participant.c.id).where(participant.c.id.in_(participant_ids), participant.c.tenant_id == tenant_id)
    )
    return list(found.scalars())


async def retire(uow: UnitOfWork, participant_ids: list[str]) -> None:
    """Deleted or merged away: progress ends (rows kept for history), no timers, reviews or branches."""
    if not participant_ids:
        return
    await uow.session.execute(
        sa.update(participant)
        .where(participant.c.id.in_(participant_ids), participant.c.deleted_at.is_(None))
        .values(deleted_at=sa.func.now(), sla_warn_at=None, sla_due_at=None, version=participant.c.version + 1)
    )
    await progress.end_assignments(uow.session, participant_ids)
    await progress.archive_branches(uow.session, participant_ids)


async def event_deleted(uow: UnitOfWork, event_id: str, tenant_id: str | None) -> None:
    """The event's workflows go (soft, as the event); its participants' progress ends."""
    where: list[Any] = [workflow.c.event_id == event_id]
    if tenant_id is not None:
        where.append(workflow.c.tenant_id == tenant_id)
    await uow.session.execute(
        sa.update(workflow).where(*where, workflow.c.deleted_at.is_(None)).values(deleted_at=sa.func.now())
    )
    query = sa.select(participant.c.id).where(participant.c.event_id == event_id, participant.c.deleted_at.is_(None))
    if tenant_id is not None:
        query = query.where(participant.c.tenant_id == tenant_id)
    ids = list((await uow.session.execute(query)).scalars())
    if ids:
        await retire(uow, ids)


async def tenant_deleted(uow: UnitOfWork, tenant_id: str) -> None:
    """Every row of the tenant, dependents first; the messaging tables are not the tenant's data."""
    messaging = {uow.tables.outbox, uow.tables.inbox, uow.tables.idempotency}
    for table in reversed(metadata.sorted_tables):
        if "tenant_id" in table.c and table not in messaging:
            await uow.session.execute(sa.delete(table).where(table.c.tenant_id == tenant_id))
