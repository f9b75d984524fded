"""Handheld scanners paired to an event: rows ↔ the contract's ``Device``. Every read names the tenant.

checkin keeps a device's identity API key id and visible prefix, never the key itself.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.listing import PageMeta
from plenary_kit.db import fetch_page

from .tables import device

Db = AsyncSession | AsyncConnection

SORTABLE = {"createdAt": device.c.created_at, "name": device.c.name, "lastSeenAt": device.c.last_seen_at}


async def get(db: Db, tenant_id: str, device_id: str, *, for_update: bool = False) -> contract.Device | None:
    """The tenant's device, revoked or not; None when unknown or another tenant's."""
    query = sa.select(device).where(device.c.id == device_id, device.c.tenant_id == tenant_id)
    if for_update:
        query = query.with_for_update()
    row = (await db.execute(query)).first()
    return None if row is None else to_device(row)


async def page(db: Db, tenant_id: str, request: contract.ListDevices) -> tuple[list[contract.Device], PageMeta]:
    query = sa.select(device).where(device.c.tenant_id == tenant_id, device.c.event_id == request.event_id)
    if request.revoked is not None:
        query = query.where(device.c.revoked_at.is_not(None) if request.revoked else device.c.revoked_at.is_(None))
    rows, meta = await fetch_page(db, query, request, SORTABLE, device.c.id)
    return [to_device(r) for r in rows], meta


async def insert(session: AsyncSession, values: Mapping[str, Any]) -> contract.Device:
    result = await session.execute(sa.insert(device).values(**values).returning(device))
    return to_device(result.one())


async def mark_revoked(session: AsyncSession, device_id: str, at: datetime) -> contract.Device:
    statement = sa.update(device).where(device.c.id == device_id).values(revoked_at=at).returning(device)
    return to_device((await session.execute(statement)).one())


def to_device(row: sa.Row[Any]) -> contract.Device:
    return contract.Device.model_validate({c.name: row._mapping[c.name] for c in device.columns})
