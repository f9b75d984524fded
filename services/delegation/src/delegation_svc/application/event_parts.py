"""delegation's part of the clone saga: the source event's quotas copied into the clone (the same
organisations and sizes, nothing used, no invites), and dropped from the clone when the saga compensates.

A quota names no other copied object (no participant type, no field: only its event and the organisation's
free-text id), so the id map only gives the copies their ids: derived from the operation and the source
quota's, so a repeated copy finds its quotas and answers the same, announcing nothing twice. Each new quota
is announced as an organiser's new quota is (``quota.changed``)."""

from plenary_contracts.catalog import delegation as contract
from plenary_contracts.id_map import derived_id
from plenary_contracts.saga_parts import CopiedPart, CopyEventPart, DropEventPart, DroppedPart
from plenary_kit.acting import tenant, utcnow
from plenary_kit.db import UnitOfWork

from ..adapters import quota_repository as quotas
from .places import announce


async def copy_event_part(request: CopyEventPart, uow: UnitOfWork) -> CopiedPart:
    if not request.elements.delegations:
        return CopiedPart()
    tenant_id, now = tenant(), utcnow()
    sources = await quotas.of_event(uow.session, tenant_id, request.source_event_id)
    own = {quota.id: derived_id(request.operation_id, quota.id) for quota in sources}
    copies = [
        {
            "id": own[quota.id],
            "tenant_id": tenant_id,
            "event_id": request.target_event_id,
            "organization_id": quota.organization_id,
            "max_participants": quota.max_participants,
            "used_count": 0,
            "created_at": now,
            "updated_at": now,
        }
        for quota in sources
    ]
    for created in await quotas.insert_copies(uow.session, copies):
        announce(uow, None, created)
    return CopiedPart(id_map=own, counts={"quotas": len(sources)})


async def drop_event_part(request: DropEventPart, uow: UnitOfWork) -> DroppedPart:
    """Every quota of the clone (a fresh draft: all of them came from the copy), announced as deleted."""
    gone = await quotas.delete_for_event(uow.session, tenant(), request.target_event_id)
    for quota in gone:
        uow.publish(contract.QUOTA_DELETED, contract.QuotaDeleted(quota=quota.model()), subject=quota.id)
    return DroppedPart(counts={"quotas": len(gone)})
