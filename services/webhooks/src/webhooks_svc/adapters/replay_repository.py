"""Replays: rows ↔ the contract's ``Replay``; claiming a running one for a worker, with a lease."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import webhooks as contract
from plenary_contracts.catalog.webhooks import ReplayStatus

from .tables import webhook_replay

Db = AsyncSession | AsyncConnection
r = webhook_replay.c
_PUBLIC = [c for c in webhook_replay.columns if c.name not in ("tenant_id", "positions", "ends", "lease_until")]


@dataclass(frozen=True)
class Running:
    id: str
    tenant_id: str
    subscription_id: str
    since: datetime
    until: datetime
    event_types: list[str] | None
    positions: dict[str, int]
    ends: dict[str, int]


def _replay(row: sa.Row[Any]) -> contract.Replay:
    return contract.Replay.model_validate(dict(row._mapping))


async def insert(session: AsyncSession, values: Mapping[str, Any]) -> contract.Replay:
    return _replay((await session.execute(sa.insert(webhook_replay).values(**values).returning(*_PUBLIC))).one())


async def get(db: Db, tenant_id: str, replay_id: str) -> contract.Replay | None:
    row = (await db.execute(sa.select(*_PUBLIC).where(r.id == replay_id, r.tenant_id == tenant_id))).first()
    return None if row is None else _replay(row)


async def of_subscription(db: Db, tenant_id: str, subscription_id: str) -> list[contract.Replay]:
    query = (
        sa.select(*_PUBLIC)
        .where(r.tenant_id == tenant_id, r.subscription_id == subscription_id)
        .order_by(r.created_at.desc(), r.id.desc())
        .limit(100)
    )
    return [_replay(row) for row in (await db.execute(query)).all()]


async def cancel(session: AsyncSession, tenant_id: str, replay_id: str) -> contract.Replay | None:
    """Cancel a running replay; None when it is not running (or not found)."""
    statement = (
        sa.update(webhook_replay)
        .where(r.id == replay_id, r.tenant_id == tenant_id, r.status == ReplayStatus.RUNNING)
        .values(status=ReplayStatus.CANCELLED, finished_at=sa.func.now(), updated_at=sa.func.now())
        .returning(*_PUBLIC)
    )
    row = (await session.execute(statement)).first()
    return None if row is None else _replay(row)


async def claim(session: AsyncSession, lease_until: datetime) -> Running | None:
    """A running replay nobody holds (or whose holder's lease ran out), now held until ``lease_until``."""
    found = (
        sa.select(r.id)
        .where(r.status == ReplayStatus.RUNNING, sa.or_(r.lease_until.is_(None), r.lease_until < sa.func.now()))
        .order_by(r.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        sa.update(webhook_replay)
        .where(r.id == found)
        .values(lease_until=lease_until)
        .returning(r.id, r.tenant_id, r.subscription_id, r.since, r.until, r.event_types, r.positions, r.ends)
    )
    row = (await session.execute(statement)).first()
    return None if row is None else Running(**row._mapping)


async def progress(
    session: AsyncSession, replay_id: str, positions: dict[str, int], scanned: int, queued: int, lease_until: datetime
) -> bool:
    """Record progress and renew the lease; False when the replay stopped running (cancelled, deleted)."""
    statement = (
        sa.update(webhook_replay)
        .where(r.id == replay_id, r.status == ReplayStatus.RUNNING)
        .values(
            positions=positions,
            events_scanned=r.events_scanned + scanned,
            deliveries_queued=r.deliveries_queued + queued,
            lease_until=lease_until,
            updated_at=sa.func.now(),
        )
    )
    return (await session.execute(statement)).rowcount == 1


async def finish(session: AsyncSession, replay_id: str, status: ReplayStatus, error: str | None = None) -> None:
    await session.execute(
        sa.update(webhook_replay)
        .where(r.id == replay_id, r.status == ReplayStatus.RUNNING)
        .values(status=status, error=error, lease_until=None, finished_at=sa.func.now(), updated_at=sa.func.now())
    )
