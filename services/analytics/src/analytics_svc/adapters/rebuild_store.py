"""Rebuild operations and the switch of generations."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_kit.ids import new_id

from .tables import PROJECTIONS, projection_generation, rebuild_operation

STALE_SECONDS = 120  # a running rebuild that has not moved for this long died with its process


@dataclass(frozen=True)
class Operation:
    id: str
    status: str
    generation: int
    events_replayed: int
    streams: list[dict[str, Any]]
    error: str | None
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None


def _operation(row: Any) -> Operation:
    return Operation(**{column.name: row._mapping[column.name] for column in rebuild_operation.c})


async def get(session: AsyncSession, operation_id: str) -> Operation | None:
    row = (await session.execute(sa.select(rebuild_operation).where(rebuild_operation.c.id == operation_id))).first()
    return _operation(row) if row else None


async def begin(session: AsyncSession, now: datetime) -> Operation | None:
    """A new running operation for the next generation, with whatever an earlier failed one left removed; None
    when another is running (and alive)."""
    await session.execute(
        sa.update(rebuild_operation)
        .where(
            rebuild_operation.c.status == "running",
            rebuild_operation.c.updated_at < now - timedelta(seconds=STALE_SECONDS),
        )
        .values(status="failed", error="stopped moving (its process ended)", finished_at=now, updated_at=now)
    )
    current = (await session.execute(sa.select(projection_generation.c.current))).scalar_one()
    inserted = await session.execute(
        sa.text(
            "INSERT INTO analytics.rebuild_operation (id, status, generation, started_at, updated_at)"
            " VALUES (:id, 'running', :generation, :now, :now) ON CONFLICT DO NOTHING RETURNING id"
        ),
        {"id": new_id(), "generation": current + 1, "now": now},
    )
    operation_id = inserted.scalar()
    if operation_id is None:
        return None
    await drop_other_generations(session, current)
    return await get(session, operation_id)


async def progress(
    session: AsyncSession, operation_id: str, streams: list[dict[str, Any]], replayed: int, now: datetime
) -> None:
    await session.execute(
        sa.update(rebuild_operation)
        .where(rebuild_operation.c.id == operation_id)
        .values(streams=streams, events_replayed=replayed, updated_at=now)
    )


async def finish(session: AsyncSession, operation_id: str, now: datetime, error: str | None = None) -> None:
    await session.execute(
        sa.update(rebuild_operation)
        .where(rebuild_operation.c.id == operation_id)
        .values(status="failed" if error else "succeeded", error=error, finished_at=now, updated_at=now)
    )


async def lock_generation(session: AsyncSession) -> int:
    """The current generation, locked against every live batch until this transaction ends."""
    return int((await session.execute(sa.select(projection_generation.c.current).with_for_update())).scalar_one())


async def switch_to(session: AsyncSession, generation: int) -> None:
    await session.execute(sa.update(projection_generation).values(current=generation))


async def drop_other_generations(session: AsyncSession, keep: int) -> None:
    for table in PROJECTIONS:
        await session.execute(sa.delete(table).where(table.c.generation != keep))
