"""What goes when a tenant goes: its rows in every table of a service's schema."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from .messaging import MessagingTables


async def purge_tenant(
    session: AsyncSession, metadata: sa.MetaData, messaging: MessagingTables, tenant_id: str
) -> None:
    """Delete every row of the tenant, dependents first so no foreign key is left dangling. The
    messaging tables stay: outbox rows still to publish and inbox rows are the service's, not the tenant's."""
    kept = {messaging.outbox, messaging.inbox, messaging.idempotency}
    for table in reversed(metadata.sorted_tables):
        if "tenant_id" in table.c and table not in kept:
            await session.execute(sa.delete(table).where(table.c.tenant_id == tenant_id))
