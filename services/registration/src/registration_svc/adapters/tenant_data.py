"""A deleted tenant's rows across registration's tables."""

from sqlalchemy.ext.asyncio import AsyncSession

from plenary_kit.db import purge_tenant

from .tables import messaging, metadata


async def purge(session: AsyncSession, tenant_id: str) -> None:
    """Every row of the tenant, dependents first; the messaging tables keep theirs (they are not the tenant's)."""
    await purge_tenant(session, metadata, messaging, tenant_id)
