"""A tenant's data as a whole: what goes when the tenant goes."""

from sqlalchemy.ext.asyncio import AsyncSession

from plenary_kit.db import purge_tenant

from .tables import messaging, metadata


async def purge(session: AsyncSession, tenant_id: str) -> None:
    """Every row of the tenant in workflow's schema (the kit keeps the messaging tables)."""
    await purge_tenant(session, metadata, messaging, tenant_id)
