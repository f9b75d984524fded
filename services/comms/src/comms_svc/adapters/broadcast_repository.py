"""Broadcasts: rows ↔ the contract's ``Broadcast``, their counters, and the due scheduled ones."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import comms as contract
from plenary_contracts.enums import BroadcastStatus
from plenary_contracts.listing import PageMeta
from plenary_kit.db import fetch_page
from plenary_kit.ids import new_id

from .tables import broadcast_message, message_delivery

Db = AsyncSession | AsyncConnection
b = broadcast_message.c
d = message_delivery.c
SORTABLE = {"createdAt": b.created_at, "updatedAt": b.updated_at, "status": b.status, "priority": b.priority}


async def get(db: Db, tenant_id: str, broadcast_id: str, *, for_update: bool = False) -> contract.Broadcast | None:
    query = sa.select(broadcast_message).where(b.id == broadcast_id, b.tenant_id == tenant_id)
    if for_update:
        query = query.with_for_update()
    row = (await db.execute(query)).first()
    return None if row is None else to_broadcast(row)


async def lock_many(session: AsyncSession, broadcast_ids: set[str]) -> dict[str, contract.Broadcast]:
    """The broadcasts, locked in id order (every writer of counters takes them in that order: no deadlock)."""
    if not broadcast_ids:
        return {}
    query = sa.select(broadcast_message).where(b.id.in_(broadcast_ids)).order_by(b.id).with_for_update()
    return {row.id: to_broadcast(row) for row in await session.execute(query)}


async def page(db: Db, tenant_id: str, request: contract.ListBroadcasts) -> tuple[list[contract.Broadcast], PageMeta]:
    query = sa.select(broadcast_message).where(b.tenant_id == tenant_id)
    if request.event_id is not None:
        query = query.where(b.event_id == request.event_id)
    if request.status is not None:
        query = query.where(b.status == request.status)
    if request.channel is not None:
        query = query.where(b.channel == request.channel)
    rows, meta = await fetch_page(db, query, request, SORTABLE, b.id)
    return [to_broadcast(r) for r in rows], meta


async def insert(session: AsyncSession, values: Mapping[str, Any]) -> contract.Broadcast:
    statement = sa.insert(broadcast_message).values(id=new_id(), **values).returning(broadcast_message)
    return to_broadcast((await session.execute(statement)).one())


async def update(session: AsyncSession, broadcast_id: str, values: Mapping[str, Any]) -> contract.Broadcast:
    statement = sa.update(broadcast_message).where(b.id == broadcast_id).values(**values).returning(broadcast_message)
    return to_broadcast((await session.execute(statement)).one())


async def add_counts(session: AsyncSession, broadcast_id: str, *, sent: int = 0, failed: int = 0) -> None:
    if sent or failed:
        await session.execute(
            sa.update(broadcast_message)
            .where(b.id == broadcast_id)
            .values(sent_count=b.sent_count + sent, failed_count=b.failed_count + failed)
        )


async def add_reported(session: AsyncSession, broadcast_id: str, *, delivered: int, bounced: int) -> None:
    await session.execute(
        sa.update(broadcast_message)
        .where(b.id == broadcast_id)
        .values(delivered_count=b.delivered_count + delivered, bounced_count=b.bounced_count + bounced)
    )


async def delivery_stats(db: Db, broadcast_id: str) -> dict[str, int]:
    query = sa.select(d.status, sa.func.count()).where(d.broadcast_id == broadcast_id).group_by(d.status)
    return {row[0]: row[1] for row in await db.execute(query)}


async def unsettled(db: Db, broadcast_id: str) -> int:
    """How many of the broadcast's deliveries are still QUEUED or SENDING."""
    query = sa.select(sa.func.count()).where(d.broadcast_id == broadcast_id, d.status.in_(("QUEUED", "SENDING")))
    return (await db.execute(query)).scalar_one()


async def cancelled_among(db: Db, broadcast_ids: set[str]) -> set[str]:
    if not broadcast_ids:
        return set()
    query = sa.select(b.id).where(b.id.in_(broadcast_ids), b.status == BroadcastStatus.CANCELLED)
    return set((await db.execute(query)).scalars())


async def claim_due_scheduled(session: AsyncSession, now: datetime) -> tuple[str, str] | None:
    """One SCHEDULED broadcast whose time came, locked (another replica skips it): (tenant, id)."""
    query = (
        sa.select(b.tenant_id, b.id)
        .where(b.status == BroadcastStatus.SCHEDULED, b.scheduled_at <= now)
        .order_by(b.priority, b.scheduled_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    row = (await session.execute(query)).first()
    return None if row is None else (row.tenant_id, row.id)


async def forget_event(session: AsyncSession, tenant_id: str, event_id: str) -> None:
    """A deleted event's broadcasts stay as history without it; its drafts and scheduled ones can no longer
    be sent (sending needs an event)."""
    await session.execute(
        sa.update(broadcast_message).where(b.tenant_id == tenant_id, b.event_id == event_id).values(event_id=None)
    )


def to_broadcast(row: sa.Row[Any], stats: dict[str, int] | None = None) -> contract.Broadcast:
    values = {c.name: row._mapping[c.name] for c in broadcast_message.columns}
    return contract.Broadcast.model_validate({**values, "delivery_stats": stats})
