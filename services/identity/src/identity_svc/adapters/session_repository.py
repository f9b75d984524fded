"""Sign-in sessions: one per refresh token chain."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import session


@dataclass(frozen=True)
class SessionRecord:
    id: str
    tenant_id: str | None
    user_id: str
    refresh_hash: str
    generation: int
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    ip: str | None
    user_agent: str | None
    created_at: datetime
    updated_at: datetime


def _record(row: sa.Row[Any] | None) -> SessionRecord | None:
    return SessionRecord(**row._mapping) if row is not None else None


async def create(
    db: AsyncSession,
    *,
    session_id: str,
    user_id: str,
    tenant_id: str | None,
    refresh_hash: str,
    expires_at: datetime,
    now: datetime,
    ip: str | None,
    user_agent: str | None,
) -> None:
    await db.execute(
        sa.insert(session).values(
            id=session_id,
            user_id=user_id,
            tenant_id=tenant_id,
            refresh_hash=refresh_hash,
            generation=1,
            expires_at=expires_at,
            last_used_at=now,
            ip=ip,
            user_agent=user_agent,
            created_at=now,
            updated_at=now,
        )
    )


async def get(db: AsyncSession, session_id: str) -> SessionRecord | None:
    return _record((await db.execute(sa.select(session).where(session.c.id == session_id))).first())


async def get_for_update(db: AsyncSession, session_id: str) -> SessionRecord | None:
    return _record((await db.execute(sa.select(session).where(session.c.id == session_id).with_for_update())).first())


async def rotate(
    db: AsyncSession, session_id: str, refresh_hash: str, now: datetime, ip: str | None, user_agent: str | None
) -> None:
    await db.execute(
        sa.update(session)
        .where(session.c.id == session_id)
        .values(
            refresh_hash=refresh_hash,
            generation=session.c.generation + 1,
            last_used_at=now,
            ip=sa.func.coalesce(ip, session.c.ip),
            user_agent=sa.func.coalesce(user_agent, session.c.user_agent),
            updated_at=now,
        )
    )


async def revoke(db: AsyncSession, session_id: str, now: datetime) -> None:
    await db.execute(
        sa.update(session)
        .where(session.c.id == session_id, session.c.revoked_at.is_(None))
        .values(revoked_at=now, updated_at=now)
    )
