"""Waitlist entries and their offers (promotions): queue order in SQL, claims for replicas, rows ↔ contract."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import WaitlistPriority, WaitlistStatus
from plenary_contracts.listing import PageMeta
from plenary_kit.db import fetch_page

from ..domain.waitlist import TIER, Offer
from .rows import row_as
from .tables import waitlist_entry as entry
from .tables import waitlist_promotion as promotion

Row = sa.Row[Any]

# The queue order (domain.waitlist.order_key): the tier, then first come first served, then the id.
TIER_RANK = sa.case({p.value: rank for p, rank in TIER.items()}, value=entry.c.priority)
QUEUE = (TIER_RANK, entry.c.created_at, entry.c.id)
SORTABLE: dict[str, sa.ColumnElement[Any]] = {
    "queue": sa.tuple_(TIER_RANK, entry.c.created_at),
    "priority": sa.case({p.value: len(TIER) - rank for p, rank in TIER.items()}, value=entry.c.priority),
    "createdAt": entry.c.created_at,
    "updatedAt": entry.c.updated_at,
}
LIVE = sa.and_(promotion.c.confirmed_at.is_(None), promotion.c.declined_at.is_(None), promotion.c.expired_at.is_(None))

# An ACTIVE entry holds a live offer exactly when its offer fields are set: every way an offer ends also
# moves the entry out of ACTIVE, and a rejoin clears them. A claim tests this column of the row it locks,
# which PostgreSQL re-checks on the row's latest version (a subquery would see only the statement's
# snapshot), so an entry another replica offered and committed meanwhile is passed over, never offered twice.
_NO_OFFER = entry.c.promotion_deadline.is_(None)
_HOLDS_OFFER = sa.and_(entry.c.status == WaitlistStatus.ACTIVE, entry.c.promotion_deadline.is_not(None))


@dataclass(frozen=True)
class StoredEntry:
    """A waitlist entry as stored (``position`` is where it stood when it joined)."""

    id: str
    tenant_id: str
    event_id: str
    participant_id: str | None
    participant_type_id: str
    applicant_key: str
    priority: WaitlistPriority
    position: int
    status: WaitlistStatus
    registration_data: dict[str, Any]
    promoted_at: datetime | None
    promotion_deadline: datetime | None
    expired_at: datetime | None
    withdrawn_at: datetime | None
    notifications_sent: int
    last_notified_at: datetime | None
    reminded_at: datetime | None
    created_at: datetime
    updated_at: datetime


def _stored(row: Row | None) -> StoredEntry | None:
    return None if row is None else row_as(StoredEntry, row)


# --- entries -------------------------------------------------------------------------------------


async def get_entry(db: AsyncSession, entry_id: str, tenant_id: str, *, for_update: bool = False) -> StoredEntry | None:
    query = sa.select(entry).where(entry.c.id == entry_id, entry.c.tenant_id == tenant_id)
    if for_update:
        query = query.with_for_update()
    return _stored((await db.execute(query)).first())


async def find_applicant(db: AsyncSession, tenant_id: str, event_id: str, applicant_key: str) -> StoredEntry | None:
    """The person's entry in the event, locked: whether they wait, or may rejoin."""
    query = (
        sa.select(entry)
        .where(entry.c.tenant_id == tenant_id, entry.c.event_id == event_id, entry.c.applicant_key == applicant_key)
        .with_for_update()
    )
    return _stored((await db.execute(query)).first())


async def insert_entry(db: AsyncSession, values: dict[str, Any]) -> bool:
    """False when the person joined meanwhile (the unique applicant key)."""
    statement = (
        insert(entry)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[entry.c.tenant_id, entry.c.event_id, entry.c.applicant_key])
        .returning(entry.c.id)
    )
    return (await db.execute(statement)).first() is not None


async def update_entry(db: AsyncSession, entry_id: str, **values: Any) -> None:
    await db.execute(sa.update(entry).where(entry.c.id == entry_id).values(**values))


def _active_in_queue(tenant_id: str, event_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        entry.c.tenant_id == tenant_id, entry.c.event_id == event_id, entry.c.status == WaitlistStatus.ACTIVE
    )


async def queue_position(
    db: AsyncSession,
    tenant_id: str,
    event_id: str,
    participant_type_id: str,
    priority: WaitlistPriority,
    created_at: datetime,
    entry_id: str,
) -> int:
    """1 + the ACTIVE entries of the same event and type ahead of an entry with these queue keys."""
    mine = sa.tuple_(sa.literal(TIER[WaitlistPriority(priority)]), sa.literal(created_at), sa.literal(entry_id))
    ahead = sa.select(sa.func.count()).where(
        _active_in_queue(tenant_id, event_id),
        entry.c.participant_type_id == participant_type_id,
        entry.c.id != entry_id,
        sa.tuple_(*QUEUE) < mine,
    )
    return int((await db.execute(ahead)).scalar_one()) + 1


async def position_of(db: AsyncSession, row: Row | StoredEntry) -> int | None:
    """The entry's place in its queue; None unless ACTIVE."""
    if row.status != WaitlistStatus.ACTIVE:
        return None
    return await queue_position(
        db, row.tenant_id, row.event_id, row.participant_type_id, row.priority, row.created_at, row.id
    )


def listing(
    tenant_id: str, event_id: str, status: WaitlistStatus | None, participant_type_id: str | None
) -> sa.Select[Any]:
    """An event's entries (filtered), each with its live ``queue_position`` among the ACTIVE ones of its type
    (the stored ``position`` is where it stood when it joined)."""
    ranked = (
        sa.select(
            entry.c.id,
            sa.func.row_number().over(partition_by=entry.c.participant_type_id, order_by=QUEUE).label("queue_position"),
        )
        .where(_active_in_queue(tenant_id, event_id))
        .subquery()
    )
    query = (
        sa.select(entry, ranked.c.queue_position)
        .outerjoin(ranked, ranked.c.id == entry.c.id)
        .where(entry.c.tenant_id == tenant_id, entry.c.event_id == event_id)
    )
    if status is not None:
        query = query.where(entry.c.status == status)
    if participant_type_id is not None:
        query = query.where(entry.c.participant_type_id == participant_type_id)
    return query


async def page(
    db: AsyncSession, tenant_id: str, request: contract.ListWaitlist
) -> tuple[list[contract.WaitlistEntry], PageMeta]:
    """One page of the event's entries (filtered by status and type), with live positions and latest offers."""
    query = listing(tenant_id, request.event_id, request.status, request.participant_type_id)
    rows, meta = await fetch_page(db, query, request, SORTABLE, entry.c.id)
    return await load_entries(db, rows), meta


# --- offers --------------------------------------------------------------------------------------


async def latest_offers(db: AsyncSession, entry_ids: Sequence[str]) -> dict[str, Row]:
    """Each entry's latest offer, live or not."""
    if not entry_ids:
        return {}
    query = (
        sa.select(promotion)
        .where(promotion.c.entry_id.in_(entry_ids))
        .ext(distinct_on(promotion.c.entry_id))
        .order_by(promotion.c.entry_id, promotion.c.promoted_at.desc(), promotion.c.id.desc())
    )
    return {row.entry_id: row for row in (await db.execute(query)).all()}


async def latest_offer(db: AsyncSession, entry_id: str, *, for_update: bool = False) -> Row | None:
    query = (
        sa.select(promotion)
        .where(promotion.c.entry_id == entry_id)
        .order_by(promotion.c.promoted_at.desc(), promotion.c.id.desc())
        .limit(1)
    )
    if for_update:
        query = query.with_for_update()
    return (await db.execute(query)).first()


async def latest_offer_terms(db: AsyncSession, entry_id: str, *, for_update: bool = False) -> Offer | None:
    """The entry's latest offer (locked when asked), as the rules for answering one read it."""
    row = await latest_offer(db, entry_id, for_update=for_update)
    return None if row is None else to_offer(row)


async def end_live_offer(db: AsyncSession, entry_id: str, **stamp: datetime) -> None:
    """Close the entry's live offer, if any, as declined, confirmed or expired."""
    await db.execute(sa.update(promotion).where(promotion.c.entry_id == entry_id, LIVE).values(**stamp))


async def cancel_event_entries(db: AsyncSession, tenant_id: str, event_id: str, now: datetime) -> list[str]:
    """A deleted event's waiting entries are cancelled and their live offers declined; their ids."""
    cancelled = (
        sa.update(entry)
        .where(_active_in_queue(tenant_id, event_id))
        .values(status=WaitlistStatus.CANCELLED, withdrawn_at=now, updated_at=now)
        .returning(entry.c.id)
    )
    ids = list((await db.execute(cancelled)).scalars())
    if ids:
        await db.execute(sa.update(promotion).where(promotion.c.entry_id.in_(ids), LIVE).values(declined_at=now))
    return ids


async def claim_promotable(
    db: AsyncSession, tenant_id: str, event_id: str, participant_type_id: str, slots: int
) -> list[StoredEntry]:
    """The first ``slots`` ACTIVE entries of the type without a live offer, in queue order, locked;
    rows another transaction holds are skipped (it is offering them)."""
    query = (
        sa.select(entry)
        .where(
            _active_in_queue(tenant_id, event_id),
            entry.c.participant_type_id == participant_type_id,
            _NO_OFFER,
            ~sa.exists().where(promotion.c.entry_id == entry.c.id, LIVE),
        )
        .order_by(*QUEUE)
        .limit(slots)
        .with_for_update(skip_locked=True)
    )
    return [row_as(StoredEntry, r) for r in (await db.execute(query)).all()]


async def insert_promotion(db: AsyncSession, values: dict[str, Any]) -> None:
    await db.execute(sa.insert(promotion).values(**values))


async def claim_overdue(db: AsyncSession, now: datetime, entry_id: str | None = None) -> StoredEntry | None:
    """One ACTIVE entry whose live offer is past its deadline (that entry, when named), locked (SKIP LOCKED)."""
    query = (
        sa.select(entry)
        .where(_HOLDS_OFFER, entry.c.promotion_deadline < now)
        .order_by(entry.c.promotion_deadline, entry.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if entry_id is not None:
        query = query.where(entry.c.id == entry_id)
    return _stored((await db.execute(query)).first())


async def claim_reminder_due(db: AsyncSession, now: datetime) -> StoredEntry | None:
    """One ACTIVE entry past half of its live offer's time, not reminded yet and not overdue, locked."""
    halfway_passed = sa.literal(now) - entry.c.promoted_at >= entry.c.promotion_deadline - sa.literal(now)
    query = (
        sa.select(entry)
        .where(_HOLDS_OFFER, entry.c.reminded_at.is_(None), halfway_passed, entry.c.promotion_deadline >= now)
        .order_by(entry.c.promotion_deadline, entry.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return _stored((await db.execute(query)).first())


# --- statistics ----------------------------------------------------------------------------------


def _scope(tenant_id: str, event_id: str, participant_type_id: str | None) -> list[sa.ColumnElement[bool]]:
    conditions = [entry.c.tenant_id == tenant_id, entry.c.event_id == event_id]
    if participant_type_id is not None:
        conditions.append(entry.c.participant_type_id == participant_type_id)
    return conditions


async def count_by_status(
    db: AsyncSession, tenant_id: str, event_id: str, participant_type_id: str | None
) -> dict[WaitlistStatus, int]:
    query = (
        sa.select(entry.c.status, sa.func.count())
        .where(*_scope(tenant_id, event_id, participant_type_id))
        .group_by(entry.c.status)
    )
    return {WaitlistStatus(status): count for status, count in (await db.execute(query)).all()}


async def confirmed_waits(
    db: AsyncSession, tenant_id: str, event_id: str, participant_type_id: str | None
) -> list[tuple[datetime, datetime]]:
    """(promotedAt, confirmedAt) of every confirmed offer."""
    query = (
        sa.select(promotion.c.promoted_at, promotion.c.confirmed_at)
        .join(entry, entry.c.id == promotion.c.entry_id)
        .where(*_scope(tenant_id, event_id, participant_type_id), promotion.c.confirmed_at.is_not(None))
    )
    return [(promoted, confirmed) for promoted, confirmed in (await db.execute(query)).all()]


# --- rows ↔ contract -----------------------------------------------------------------------------


def to_offer(row: Row) -> Offer:
    return Offer(row.promoted_at, row.deadline, row.confirmed_at, row.declined_at, row.expired_at)


def to_entry(row: Row, position: int | None, offer: Row | None) -> contract.WaitlistEntry:
    values = {c.name: row._mapping[c.name] for c in entry.columns}
    values["position"] = position
    values["offer"] = None if offer is None else contract.WaitlistOffer.model_validate(dict(offer._mapping))
    return contract.WaitlistEntry.model_validate(values)


async def load_entries(db: AsyncSession, rows: Iterable[Row]) -> list[contract.WaitlistEntry]:
    """Rows of ``listing`` (with the live ``queue_position``), as contract entries with their latest offers."""
    rows = list(rows)
    offers = await latest_offers(db, [r.id for r in rows])
    return [to_entry(r, r.queue_position, offers.get(r.id)) for r in rows]  # NULL unless ACTIVE (outer join)


async def load_entry(db: AsyncSession, entry_id: str) -> contract.WaitlistEntry:
    """One entry as it stands now (after this transaction's writes), with position and latest offer."""
    row = (await db.execute(sa.select(entry).where(entry.c.id == entry_id))).one()
    return to_entry(row, await position_of(db, row), await latest_offer(db, entry_id))
