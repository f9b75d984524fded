"""Workflow's decisions mirrored onto participants: status and current step, without announcing a
participant change (workflow made it); a rejection frees the participant's slot."""

from plenary_contracts.catalog import workflow
from plenary_contracts.enums import ParticipantStatus
from plenary_kit.acting import utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.logging import get_logger

from ..adapters import participant_repository as participant_store
from .slots import CLOSED, slots_freed

log = get_logger(__name__)


async def status_changed(uow: UnitOfWork, tenant_id: str | None, payload: workflow.ParticipantActed) -> None:
    if tenant_id is None:
        log.warning("status change without a tenant; ignored", participant_id=payload.participant_id)
        return
    row = await participant_store.get(uow.session, tenant_id, payload.participant_id, for_update=True)
    if row is None or (row.progress_version is not None and row.progress_version >= payload.version):
        return  # deleted, or an older (redelivered, reordered) change than the one mirrored
    values = {
        "status": payload.status,
        "current_step_id": payload.next_step_id or payload.step_id,
        "workflow_id": payload.workflow_id,
        "workflow_version_id": payload.workflow_version_id,
        "progress_version": payload.version,
        "updated_at": utcnow(),
    }
    updated = await participant_store.change(uow.session, row.id, values)
    if updated.status is ParticipantStatus.REJECTED and row.status not in CLOSED:
        slots_freed(uow, updated, "rejected")
