"""An event's head counts per zone (zone null = the venue), and the replay they are rebuilt from.

A scan moves a count in its own statement (``scan_repository.record``); this module declares the zones,
reads them, and rewrites counts and presence from the access log.
"""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.enums import ScanResult

from ..domain.occupancy import Passage
from ..domain.scanning import ADMITTED, Movement
from .tables import access_log, presence, venue_occupancy

Session = AsyncSession | AsyncConnection
o = venue_occupancy.c


@dataclass(frozen=True)
class Zone:
    event_id: str
    zone_id: str | None
    current_count: int
    max_capacity: int
    last_updated: datetime


_ZONE = (o.event_id, o.zone_id, o.current_count, o.max_capacity, o.last_updated)


def _zone(row: sa.Row[Any]) -> Zone:
    return Zone(**row._mapping)


async def zones(session: Session, tenant_id: str, event_id: str, *, for_update: bool = False) -> list[Zone]:
    """The event's zones, the venue first, then by zone id (locked in that order with ``for_update``)."""
    query = (
        sa.select(*_ZONE)
        .where(o.tenant_id == tenant_id, o.event_id == event_id)
        .order_by(o.zone_id.asc().nulls_first())
    )
    return [_zone(row) for row in await session.execute(query.with_for_update() if for_update else query)]


async def declare(
    session: AsyncSession, tenant_id: str, event_id: str, capacities: Sequence[tuple[str | None, int]]
) -> list[Zone]:
    """Create each zone with a count of 0, or re-size it keeping its count; the declared zones."""
    statement = insert(venue_occupancy).values(
        [{"tenant_id": tenant_id, "event_id": event_id, "zone_id": z, "max_capacity": c} for z, c in capacities]
    )
    statement = statement.on_conflict_do_update(
        constraint="uq_venue_occupancy_event_id_zone_id",
        set_={"max_capacity": statement.excluded.max_capacity, "last_updated": sa.func.now()},
        where=o.tenant_id == statement.excluded.tenant_id,
    ).returning(*_ZONE)
    return [_zone(row) for row in await session.execute(statement)]


@dataclass(frozen=True)
class DeclaredZone:
    """A zone as declared (a clone copies it): its row's id, its name within the event, its capacity."""

    id: str
    zone_id: str | None
    max_capacity: int


async def declared(session: Session, tenant_id: str, event_id: str) -> list[DeclaredZone]:
    query = sa.select(o.id, o.zone_id, o.max_capacity).where(o.tenant_id == tenant_id, o.event_id == event_id)
    return [DeclaredZone(**row._mapping) for row in await session.execute(query.order_by(o.id))]


async def insert_copies(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[Zone]:
    """Zones declared afresh (count 0); one already there (a repeated copy) is left out."""
    if not rows:
        return []
    statement = insert(venue_occupancy).values(list(rows)).on_conflict_do_nothing().returning(*_ZONE)
    return [_zone(row) for row in await session.execute(statement)]


async def delete_for_event(session: AsyncSession, tenant_id: str, event_id: str) -> int:
    statement = sa.delete(venue_occupancy).where(o.tenant_id == tenant_id, o.event_id == event_id).returning(o.id)
    return len((await session.execute(statement)).all())


async def admitted_passages(
    session: AsyncSession, tenant_id: str, event_id: str, *, batch: int = 5000
) -> AsyncIterator[list[Passage]]:
    """The event's admitted scans as occupancy sees them, in the order they are replayed: (scanned at, id).
    From a server-side cursor, ``batch`` at a time."""
    query = (
        sa.select(access_log.c.zone_id, access_log.c.movement)
        .where(
            access_log.c.tenant_id == tenant_id,
            access_log.c.event_id == event_id,
            access_log.c.scan_result.in_([ScanResult(r) for r in ADMITTED]),
            access_log.c.movement.is_not(None),
        )
        .order_by(access_log.c.scanned_at, access_log.c.id)
    )
    result = await session.stream(query.execution_options(yield_per=batch))
    async for rows in result.partitions():
        yield [Passage(row.zone_id, Movement(row.movement)) for row in rows]


async def set_counts(session: AsyncSession, tenant_id: str, event_id: str, counts: dict[str | None, int]) -> list[Zone]:
    """Rewrite these zones' counts in one statement; the rewritten zones."""
    if not counts:
        return []
    given = (
        sa.func.unnest(sa.literal(list(counts), ARRAY(sa.Text)), sa.literal(list(counts.values()), ARRAY(sa.Integer)))
        .table_valued("zone_id", "count")
        .render_derived("given")
    )
    statement = (
        sa.update(venue_occupancy)
        .where(
            o.tenant_id == tenant_id,
            o.event_id == event_id,
            o.zone_id.is_not_distinct_from(given.c.zone_id),
        )
        .values(current_count=given.c.count, last_updated=sa.func.now())
        .returning(*_ZONE)
    )
    return [_zone(row) for row in await session.execute(statement)]


async def rebuild_presence(session: AsyncSession, tenant_id: str, event_id: str) -> None:
    """Where everyone is, from their latest admitted scan in each zone: in after an entry, out after an exit."""
    p = presence.c
    await session.execute(sa.delete(presence).where(p.tenant_id == tenant_id, p.event_id == event_id))
    a = access_log.c
    latest = (
        sa.select(
            a.tenant_id,
            a.event_id,
            a.participant_id,
            a.zone_id,
            (a.movement == Movement.IN.value).label("inside"),
            a.scanned_at,
        )
        .where(
            a.tenant_id == tenant_id,
            a.event_id == event_id,
            a.scan_result.in_([ScanResult(r) for r in ADMITTED]),
            a.movement.is_not(None),
            a.participant_id.is_not(None),
        )
        .ext(distinct_on(a.participant_id, a.zone_id))
        .order_by(a.participant_id, a.zone_id, a.scanned_at.desc(), a.id.desc())
    )
    statement = insert(presence).from_select(
        ["tenant_id", "event_id", "participant_id", "zone_id", "inside", "moved_at"], latest
    )
    await session.execute(
        statement.on_conflict_do_update(
            constraint="uq_presence_participant_id_zone_id",
            set_={"inside": statement.excluded.inside, "moved_at": statement.excluded.moved_at},
            where=p.tenant_id == statement.excluded.tenant_id,
        )
    )
