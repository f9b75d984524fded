"""A deleted tenant's rows: records, then definitions (the messaging tables stay)."""

from sqlalchemy.ext.asyncio import AsyncSession

from plenary_kit.db import purge_tenant

from .tables import messaging, metadata


async def purge(session: AsyncSession, tenant_id: str) -> None:
    await purge_tenant(session, metadata, messaging, tenant_id)
