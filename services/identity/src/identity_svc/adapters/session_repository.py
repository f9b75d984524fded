from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import session


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


async def get(db: AsyncSession, session_id: str) -> sa.Row | None:  # type: ignore[type-arg]
    return (await db.execute(sa.select(session).where(session.c.id == session_id))).first()


async def get_for_update(db: AsyncSession, session_id: str) -> sa.Row | None:  # type: ignore[type-arg]
    return (await db.execute(sa.select(session).where(session.c.id == session_id).with_for_update())).first()


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
