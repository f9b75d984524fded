"""A tenant's data as a whole: what goes when the tenant goes."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import messaging, metadata


async def purge(session: AsyncSession, tenant_id: str) -> None:
    """Every row of the tenant, dependents first; the messaging tables are not the tenant's data."""
    kept = {messaging.outbox, messaging.inbox, messaging.idempotency}
    for table in reversed(metadata.sorted_tables):
        if "tenant_id" in table.c and table not in kept:
            await session.execute(sa.delete(table).where(table.c.tenant_id == tenant_id))
