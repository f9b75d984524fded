"""A deleted tenant's rows, every table that has a tenant_id; the messaging tables are not the tenant's data."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import messaging, metadata


async def purge_tenant(db: AsyncSession, tenant_id: str) -> None:
    """Dependents first, so no foreign key is left pointing at a deleted row."""
    kept = {messaging.outbox, messaging.inbox, messaging.idempotency}
    for table in reversed(metadata.sorted_tables):
        if "tenant_id" in table.c and table not in kept:
            await db.execute(sa.delete(table).where(table.c.tenant_id == tenant_id))
