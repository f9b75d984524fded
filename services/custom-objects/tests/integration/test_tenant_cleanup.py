"""identity's tenant.deleted purges the tenant's definitions and records, once, and nobody else's."""

import sqlalchemy as sa
from custom_objects_svc.adapters import tables

from plenary_contracts.catalog import identity

from .conftest import OTHER_TENANT, TENANT, CustomObjectsService, eventually


async def _rows(service: CustomObjectsService, tenant_id: str) -> int:
    counts = [
        await service.scalar(sa.select(sa.func.count()).select_from(t).where(t.c.tenant_id == tenant_id))
        for t in (tables.custom_object_definition, tables.custom_object_record)
    ]
    return sum(counts)


async def _purged(service: CustomObjectsService, tenant_id: str) -> None:
    async def none_left() -> bool:
        return await _rows(service, tenant_id) == 0

    await eventually(none_left)


async def test_a_deleted_tenants_custom_objects_go_and_a_redelivery_changes_nothing(service):
    for tenant in (TENANT, OTHER_TENANT):
        hotels = await service.definition("Hotels", tenant=tenant)
        await service.record(hotels.id, {"name": "Serena"}, tenant=tenant)
    deleted = await service.publish(identity.TENANT_DELETED, {"tenantId": TENANT})
    await _purged(service, TENANT)
    assert await _rows(service, OTHER_TENANT) == 2

    # the same event stored again (under another message id), then another tenant's deletion: once that one is
    # handled, the copy before it was too, and the inbox kept it from purging what the tenant made since
    await service.definition("Hotels")
    headers = deleted.to_nats_headers() | {"Nats-Msg-Id": f"{deleted.id}-again"}
    await service.nc.jetstream().publish(identity.TENANT_DELETED.subject, deleted.to_nats_payload(), headers=headers)
    await service.publish(identity.TENANT_DELETED, {"tenantId": OTHER_TENANT})
    await _purged(service, OTHER_TENANT)
    assert await _rows(service, TENANT) == 1
