"""Metric snapshots, and the claim of an hour's snapshot run."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import analytics as contract

from .tables import analytics_snapshot, snapshot_run

_COLUMNS = [c for c in analytics_snapshot.c if c.name != "created_at"]


def _snapshot(row: Any) -> contract.Snapshot:
    return contract.Snapshot.model_validate({c.name: row._mapping[c.name] for c in _COLUMNS})


async def add(session: AsyncSession, rows: list[dict[str, Any]]) -> list[contract.Snapshot]:
    if not rows:
        return []
    found = await session.execute(insert(analytics_snapshot).values(rows).returning(*_COLUMNS))
    return [_snapshot(row) for row in found]


async def query(session: AsyncSession, tenant_id: str, q: contract.QuerySnapshots) -> list[contract.Snapshot]:
    t = analytics_snapshot.c
    where = [t.tenant_id == tenant_id, t.metric == q.metric]
    if q.event_id is not None:
        where.append(t.event_id == q.event_id)
    if q.period is not None:
        where.append(t.period == q.period)
    if q.date_from is not None:
        where.append(t.timestamp >= q.date_from)
    if q.date_to is not None:
        where.append(t.timestamp <= q.date_to)
    rows = await session.execute(sa.select(*_COLUMNS).where(*where).order_by(t.timestamp, t.id).limit(q.limit))
    return [_snapshot(row) for row in rows]


async def delete(session: AsyncSession, tenant_id: str, metric: str | None) -> int:
    t = analytics_snapshot.c
    where = [t.tenant_id == tenant_id] + ([t.metric == metric] if metric is not None else [])
    return (await session.execute(sa.delete(analytics_snapshot).where(*where))).rowcount or 0  # type: ignore[attr-defined]


async def claim_run(session: AsyncSession, hour: datetime) -> bool:
    """Whether this process is the one to take the hour's snapshots (one replica inserts the row)."""
    inserted = await session.execute(
        insert(snapshot_run).values(hour=hour).on_conflict_do_nothing().returning(snapshot_run.c.hour)
    )
    return inserted.first() is not None


async def prune(session: AsyncSession, before: datetime) -> int:
    deleted = await session.execute(sa.delete(analytics_snapshot).where(analytics_snapshot.c.timestamp < before))
    await session.execute(sa.delete(snapshot_run).where(snapshot_run.c.hour < before))
    return deleted.rowcount or 0  # type: ignore[attr-defined]
