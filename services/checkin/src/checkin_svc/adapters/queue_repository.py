"""Queue tickets: the queue order in SQL, numbering under a per-event-and-day lock, the counters' claims, the
status board and the day's averages."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.enums import QueueStatus

from ..domain.queue import LIVE, NEXT_UP, PREFIX
from .tables import event, participant, queue_ticket

Row = sa.Row[Any]
t = queue_ticket.c

# Who is called next: the highest priority, then the earliest to join (the id breaks a tie of both)
QUEUE_ORDER = (t.priority.desc(), t.joined_at, t.id)


@dataclass(frozen=True)
class DayAverages:
    """Over the day's completed tickets, in minutes; None while there is none to average."""

    wait_minutes: float | None  # joined → service started
    service_minutes: float | None  # service started → completed


def _ticket(row: Row) -> contract.QueueTicket:
    return contract.QueueTicket.model_validate(dict(row._mapping))


def _event_waiting(tenant_id: str, event_id: str) -> list[sa.ColumnElement[bool]]:
    return [t.tenant_id == tenant_id, t.event_id == event_id, t.status == QueueStatus.WAITING]


# --- read models this area checks against ---------------------------------------------------------


async def event_timezone(db: AsyncSession, tenant_id: str, event_id: str) -> str | None:
    """The event's timezone (its "today" for ticket numbers); None when the tenant has no such event."""
    query = sa.select(event.c.timezone).where(event.c.id == event_id, event.c.tenant_id == tenant_id)
    return (await db.execute(query)).scalar()


async def participant_in_event(db: AsyncSession, tenant_id: str, event_id: str, participant_id: str) -> bool:
    p = participant.c
    query = sa.select(p.id).where(p.id == participant_id, p.tenant_id == tenant_id, p.event_id == event_id)
    return (await db.execute(query)).first() is not None


# --- taking a ticket ------------------------------------------------------------------------------


async def lock_numbering(db: AsyncSession, tenant_id: str, event_id: str, day: date) -> None:
    """Serialise the event's joins of one day until this transaction ends: two people joining at once get
    consecutive numbers instead of one failing on the unique key, and the one-live-ticket check cannot
    pass for both of two joins of one person."""
    key = f"checkin.queue:{tenant_id}:{event_id}:{day.isoformat()}"
    await db.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0))))


async def live_ticket(db: AsyncSession, tenant_id: str, event_id: str, participant_id: str) -> str | None:
    """The participant's ticket still in the queue (waiting, called or being served), any day."""
    query = sa.select(t.id).where(
        t.tenant_id == tenant_id, t.event_id == event_id, t.participant_id == participant_id, t.status.in_(LIVE)
    )
    return (await db.execute(query.limit(1))).scalar()


async def next_position(db: AsyncSession, tenant_id: str, event_id: str, day: date) -> int:
    """1 + the highest number taken that day: the day's count + 1, and still a free number if a ticket of the
    day was removed (a deleted participant's tickets go with them)."""
    number = sa.cast(sa.func.substr(t.ticket_number, len(PREFIX) + 1), sa.Integer)
    query = sa.select(sa.func.coalesce(sa.func.max(number), 0)).where(
        t.tenant_id == tenant_id, t.event_id == event_id, t.ticket_date == day
    )
    return int((await db.execute(query)).scalar_one()) + 1


async def waiting_ahead(db: AsyncSession, tenant_id: str, event_id: str, priority: int) -> int:
    """Waiting tickets a new ticket of this priority would be called after: those of the same or a higher one."""
    query = sa.select(sa.func.count()).where(*_event_waiting(tenant_id, event_id), t.priority >= priority)
    return int((await db.execute(query)).scalar_one())


async def insert_ticket(db: AsyncSession, values: dict[str, Any]) -> contract.QueueTicket:
    statement = sa.insert(queue_ticket).values(**values).returning(*queue_ticket.c)
    return _ticket((await db.execute(statement)).one())


# --- moving a ticket ------------------------------------------------------------------------------


async def call_next(
    db: AsyncSession, tenant_id: str, event_id: str, counter_number: int, now: datetime
) -> contract.QueueTicket | None:
    """Call the first waiting ticket in queue order to the counter; None when nobody waits. The ticket is
    claimed ``FOR UPDATE SKIP LOCKED``: a counter calling at the same moment skips the one being called and
    takes the next, and one called and committed meanwhile is re-checked and passed over, so no ticket is
    ever called to two counters."""
    first = (
        sa.select(t.id)
        .where(*_event_waiting(tenant_id, event_id))
        .order_by(*QUEUE_ORDER)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        sa.update(queue_ticket)
        .where(t.id == first, t.status == QueueStatus.WAITING)
        .values(status=QueueStatus.CALLED, called_at=now, counter_number=counter_number)
        .returning(*queue_ticket.c)
    )
    row = (await db.execute(statement)).first()
    return None if row is None else _ticket(row)


async def get_ticket(
    db: AsyncSession, tenant_id: str, ticket_id: str, *, for_update: bool = False
) -> contract.QueueTicket | None:
    query = sa.select(queue_ticket).where(t.id == ticket_id, t.tenant_id == tenant_id)
    if for_update:
        query = query.with_for_update()
    row = (await db.execute(query)).first()
    return None if row is None else _ticket(row)


async def update_ticket(db: AsyncSession, ticket_id: str, values: dict[str, Any]) -> contract.QueueTicket:
    statement = sa.update(queue_ticket).where(t.id == ticket_id).values(**values).returning(*queue_ticket.c)
    return _ticket((await db.execute(statement)).one())


# --- the board ------------------------------------------------------------------------------------


async def now_serving(db: AsyncSession, tenant_id: str, event_id: str) -> list[contract.QueueTicket]:
    """Tickets called or being served, by counter (the earliest call first at one counter)."""
    query = (
        sa.select(queue_ticket)
        .where(
            t.tenant_id == tenant_id, t.event_id == event_id, t.status.in_((QueueStatus.CALLED, QueueStatus.SERVING))
        )
        .order_by(t.counter_number, t.called_at, t.id)
    )
    return [_ticket(r) for r in (await db.execute(query)).all()]


async def next_up(db: AsyncSession, tenant_id: str, event_id: str) -> tuple[list[contract.QueueTicket], int]:
    """The next tickets to be called, in queue order, and how many wait in all (one statement: the window
    counts the waiting rows before the limit cuts them)."""
    query = (
        sa.select(queue_ticket, sa.func.count().over().label("waiting"))
        .where(*_event_waiting(tenant_id, event_id))
        .order_by(*QUEUE_ORDER)
        .limit(NEXT_UP)
    )
    rows = (await db.execute(query)).all()
    return [_ticket(r) for r in rows], (rows[0].waiting if rows else 0)


async def day_averages(db: AsyncSession, tenant_id: str, event_id: str, day: date) -> DayAverages:
    """Mean wait and service time of the tickets of ``day`` (the event's calendar day they were taken on)
    completed so far. A ticket completed straight from CALLED has no start of service and counts in neither."""
    minutes = 60.0

    def mean(start: sa.ColumnElement[Any], end: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        return sa.func.avg(sa.extract("epoch", end - start)) / minutes

    query = sa.select(
        mean(t.joined_at, t.served_at).label("wait"), mean(t.served_at, t.completed_at).label("service")
    ).where(t.tenant_id == tenant_id, t.event_id == event_id, t.ticket_date == day, t.status == QueueStatus.COMPLETED)
    row = (await db.execute(query)).one()
    return DayAverages(
        None if row.wait is None else float(row.wait), None if row.service is None else float(row.service)
    )
