"""A tenant's rows across registration's tables, as a deleted tenant's cleanup removes them."""

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import metadata


async def delete_tenant_rows(session: AsyncSession, tenant_id: str, *, keep: Collection[sa.Table]) -> None:
    """Every row of the tenant, dependents first, except in the ``keep`` tables."""
    for table in reversed(metadata.sorted_tables):
        if "tenant_id" in table.c and table not in keep:
            await session.execute(sa.delete(table).where(table.c.tenant_id == tenant_id))
