"""A deleted tenant's rows go, dependents first; the messaging tables are not the tenant's data."""

import sqlalchemy as sa

from plenary_kit.db import UnitOfWork

from ..adapters.tables import metadata


async def tenant_deleted(uow: UnitOfWork, tenant_id: str) -> None:
    messaging = {uow.tables.outbox, uow.tables.inbox, uow.tables.idempotency}
    for table in reversed(metadata.sorted_tables):
        if "tenant_id" in table.c and table not in messaging:
            await uow.session.execute(sa.delete(table).where(table.c.tenant_id == tenant_id))
