"""What goes when a tenant goes: its projections (every generation) and snapshots."""

from sqlalchemy.ext.asyncio import AsyncSession

from plenary_kit.db import purge_tenant

from .tables import messaging, metadata


async def purge(session: AsyncSession, tenant_id: str) -> None:
    await purge_tenant(session, metadata, messaging, tenant_id)
