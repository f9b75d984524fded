"""In-app notifications: every statement on ``notification``. Every read names the tenant and the user."""

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import comms as contract
from plenary_contracts.listing import PageMeta
from plenary_kit.db import fetch_page
from plenary_kit.ids import new_id

from .tables import notification

Db = AsyncSession | AsyncConnection
n = notification.c
SORTABLE = {"createdAt": n.created_at}


async def insert_many(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> list[contract.Notification]:
    """Each row: tenant_id, user_id, type, title, message, data."""
    if not rows:
        return []
    values = [{"id": new_id(), **row} for row in rows]
    result = await session.execute(sa.insert(notification).values(values).returning(notification))
    return [to_notification(r) for r in result]


async def page(
    db: Db, tenant_id: str, user_id: str, request: contract.ListNotifications
) -> tuple[list[contract.Notification], PageMeta]:
    query = sa.select(notification).where(n.tenant_id == tenant_id, n.user_id == user_id)
    if request.unread is not None:
        query = query.where(n.read.is_(not request.unread))
    rows, meta = await fetch_page(db, query, request, SORTABLE, n.id)
    return [to_notification(r) for r in rows], meta


async def unread(db: Db, tenant_id: str, user_id: str) -> int:
    query = sa.select(sa.func.count()).where(n.tenant_id == tenant_id, n.user_id == user_id, n.read.is_(False))
    return (await db.execute(query)).scalar_one()


async def mark_read(
    session: AsyncSession, tenant_id: str, user_id: str, notification_id: str
) -> contract.Notification | None:
    """The user's notification, read (its first reading time kept); None when it is not theirs."""
    statement = (
        sa.update(notification)
        .where(n.id == notification_id, n.tenant_id == tenant_id, n.user_id == user_id)
        .values(read=True, read_at=sa.func.coalesce(n.read_at, sa.func.now()))
        .returning(notification)
    )
    row = (await session.execute(statement)).first()
    return None if row is None else to_notification(row)


async def mark_all_read(session: AsyncSession, tenant_id: str, user_id: str) -> int:
    statement = (
        sa.update(notification)
        .where(n.tenant_id == tenant_id, n.user_id == user_id, n.read.is_(False))
        .values(read=True, read_at=sa.func.now())
    )
    return (await session.execute(statement)).rowcount


def to_notification(row: sa.Row[Any]) -> contract.Notification:
    return contract.Notification.model_validate({c.name: row._mapping[c.name] for c in notification.columns})
