"""What goes with its owner: a deleted tenant's quotas and invites, a deleted event's quotas (their invites
cascade; each quota's deletion is announced)."""

from plenary_contracts.catalog import delegation as contract
from plenary_contracts.catalog.events import EventDeleted
from plenary_kit.db import UnitOfWork

from ..adapters import cleanup
from ..adapters import quota_repository as quotas


async def tenant_deleted(uow: UnitOfWork, tenant_id: str) -> None:
    await cleanup.purge(uow.session, tenant_id)


async def event_deleted(uow: UnitOfWork, tenant_id: str | None, payload: EventDeleted) -> None:
    if tenant_id is None:
        return
    for gone in await quotas.delete_for_event(uow.session, tenant_id, payload.event_id):
        uow.publish(contract.QUOTA_DELETED, contract.QuotaDeleted(quota=gone.model()), subject=gone.id)
