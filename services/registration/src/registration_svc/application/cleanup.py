"""A deleted tenant's rows go, dependents first; the messaging tables are not the tenant's data."""

from plenary_kit.db import UnitOfWork

from ..adapters.tenant_data import delete_tenant_rows


async def tenant_deleted(uow: UnitOfWork, tenant_id: str) -> None:
    messaging = {uow.tables.outbox, uow.tables.inbox, uow.tables.idempotency}
    await delete_tenant_rows(uow.session, tenant_id, keep=messaging)
