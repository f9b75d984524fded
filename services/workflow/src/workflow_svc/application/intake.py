"""What other services' events do here: registration feeds the read model and entries; deletions cascade."""

from plenary_contracts.catalog import registration
from plenary_contracts.enums import ParticipantStatus
from plenary_kit import context as ctx
from plenary_kit.db import UnitOfWork
from plenary_kit.logging import get_logger

from ..adapters import progress_repository as progress
from ..adapters import tenant_repository
from ..adapters import workflow_repository as workflows
from .actions import Engine

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
        target = await workflows.entry_workflow(uow.session, payload.participant)
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
        await progress.repoint_history(uow.session, merged, payload.survivor_id)
        await retire(uow, merged)


async def _of_tenant(uow: UnitOfWork, participant_ids: list[str]) -> list[str]:
    """The ids that are participants of the event's tenant: an event never reaches into another tenant."""
    tenant_id = ctx.current().tenant_id
    if not participant_ids or tenant_id is None:
        return participant_ids
    return await progress.of_tenant(uow.session, participant_ids, tenant_id)


async def retire(uow: UnitOfWork, participant_ids: list[str]) -> None:
    """Deleted or merged away: progress ends (rows kept for history), no timers, reviews or branches."""
    if not participant_ids:
        return
    await progress.retire(uow.session, participant_ids)
    await progress.end_assignments(uow.session, participant_ids)
    await progress.archive_branches(uow.session, participant_ids)


async def event_deleted(uow: UnitOfWork, event_id: str, tenant_id: str | None) -> None:
    """The event's workflows go (soft, as the event); its participants' progress ends."""
    await workflows.delete_of_event(uow.session, event_id, tenant_id)
    ids = await progress.live_ids_of_event(uow.session, event_id, tenant_id)
    if ids:
        await retire(uow, ids)


async def tenant_deleted(uow: UnitOfWork, tenant_id: str) -> None:
    """Every row of the tenant, dependents first; the messaging tables are not the tenant's data."""
    await tenant_repository.purge(uow.session, tenant_id)
