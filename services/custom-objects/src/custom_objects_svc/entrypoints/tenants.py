"""The tenant purge: identity's tenant.deleted removes the tenant's definitions and records."""

from plenary_contracts.catalog import identity
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import Runtime

from ..application import tenants


def register(runtime: Runtime) -> None:
    runtime.consume_each(consumer("custom_objects_tenant_cleanup"), {identity.TENANT_DELETED: _on_tenant_deleted})


async def _on_tenant_deleted(uow: UnitOfWork, event: CloudEvent, payload: identity.TenantDeleted) -> None:
    await tenants.tenant_deleted(uow, payload.tenant_id)
