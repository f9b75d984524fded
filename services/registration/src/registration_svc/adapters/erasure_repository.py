"""Erasures: the saga's row and the report kept of it (ids, receipts, statuses, times; never personal data)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import registration as contract
from plenary_contracts.listing import PageMeta
from plenary_contracts.saga_parts import ErasureReceipt
from plenary_kit.db import fetch_page

from .rows import row_as
from .tables import erasure, erasure_receipt, participant

SORTABLE = {"startedAt": erasure.c.started_at, "completedAt": erasure.c.completed_at}


@dataclass(frozen=True)
class StoredErasure:
    id: str
    tenant_id: str
    participant_id: str
    event_id: str
    status: contract.ErasureStatus
    requested_by: str
    started_at: datetime
    completed_at: datetime | None
    lease_until: datetime | None


@dataclass(frozen=True)
class Person:
    """Who an erasure is about, as registration holds them (any state: live, deleted or erased already)."""

    id: str
    tenant_id: str
    event_id: str
    email: str | None
    erased_at: datetime | None


async def person(session: AsyncSession, tenant_id: str, participant_id: str) -> Person | None:
    c = participant.c
    query = sa.select(c.id, c.tenant_id, c.event_id, c.email, c.erased_at).where(
        c.tenant_id == tenant_id, c.id == participant_id
    )
    row = (await session.execute(query)).first()
    return None if row is None else row_as(Person, row)


async def create(session: AsyncSession, values: dict[str, Any]) -> StoredErasure | None:
    """The new erasure; None when the participant has one already (the unique key: never a second saga)."""
    inserted = await session.execute(
        insert(erasure).values(values).on_conflict_do_nothing(index_elements=["tenant_id", "participant_id"])
        .returning(erasure)
    )  # fmt: skip
    row = inserted.first()
    return None if row is None else row_as(StoredErasure, row)


async def get(
    session: AsyncSession, tenant_id: str, erasure_id: str, *, for_update: bool = False
) -> StoredErasure | None:
    query = sa.select(erasure).where(erasure.c.tenant_id == tenant_id, erasure.c.id == erasure_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return None if row is None else row_as(StoredErasure, row)


async def of_participant(session: AsyncSession, tenant_id: str, participant_id: str) -> StoredErasure | None:
    query = sa.select(erasure).where(erasure.c.tenant_id == tenant_id, erasure.c.participant_id == participant_id)
    row = (await session.execute(query)).first()
    return None if row is None else row_as(StoredErasure, row)


async def page(
    session: AsyncSession, tenant_id: str, request: contract.ListErasures
) -> tuple[list[StoredErasure], PageMeta]:
    query = sa.select(erasure).where(erasure.c.tenant_id == tenant_id)
    if request.participant_id is not None:
        query = query.where(erasure.c.participant_id == request.participant_id)
    rows, meta = await fetch_page(session, query, request, SORTABLE, erasure.c.id)
    return [row_as(StoredErasure, r) for r in rows], meta


async def receipts(session: AsyncSession, erasure_ids: list[str]) -> dict[str, list[ErasureReceipt]]:
    """Each erasure's receipts in the order they arrived."""
    found: dict[str, list[ErasureReceipt]] = {i: [] for i in erasure_ids}
    if not erasure_ids:
        return found
    c = erasure_receipt.c
    query = (
        sa.select(c.erasure_id, c.service, c.erased, c.anonymised)
        .where(c.erasure_id.in_(erasure_ids))
        .order_by(c.received_at, c.service)
    )
    for row in (await session.execute(query)).all():
        found[row.erasure_id].append(ErasureReceipt(service=row.service, erased=row.erased, anonymised=row.anonymised))
    return found


async def add_receipt(session: AsyncSession, tenant_id: str, erasure_id: str, receipt: ErasureReceipt) -> None:
    """Keep a service's receipt; the first one kept stays (a repeated part answers zeros)."""
    await session.execute(
        insert(erasure_receipt)
        .values(
            erasure_id=erasure_id,
            tenant_id=tenant_id,
            service=receipt.service,
            erased=receipt.erased,
            anonymised=receipt.anonymised,
        )
        .on_conflict_do_nothing()
    )


async def claim(
    session: AsyncSession, erasure_id: str | None, lease: timedelta, limit: int = 10
) -> list[StoredErasure]:
    """Unfinished erasures nobody holds (never claimed, or their lease ran out), now held for ``lease``: the
    one named, or the oldest ``limit``. Rows another transaction is claiming are passed over."""
    now = sa.func.now()
    free = sa.or_(erasure.c.lease_until.is_(None), erasure.c.lease_until < now)
    candidates = (
        sa.select(erasure.c.id)
        .where(erasure.c.status == contract.ErasureStatus.IN_PROGRESS, free)
        .order_by(erasure.c.started_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if erasure_id is not None:
        candidates = candidates.where(erasure.c.id == erasure_id)
    claimed = await session.execute(
        sa.update(erasure)
        .where(erasure.c.id.in_(candidates.scalar_subquery()))
        .values(lease_until=now + lease)
        .returning(erasure)
    )
    return [row_as(StoredErasure, r) for r in claimed.all()]


async def renew(session: AsyncSession, erasure_id: str, lease: timedelta) -> None:
    await session.execute(
        sa.update(erasure).where(erasure.c.id == erasure_id).values(lease_until=sa.func.now() + lease)
    )


async def complete(session: AsyncSession, erasure_id: str, now: datetime) -> None:
    await session.execute(
        sa.update(erasure)
        .where(erasure.c.id == erasure_id)
        .values(status=contract.ErasureStatus.COMPLETED, completed_at=now, lease_until=None)
    )


def to_report(row: StoredErasure, receipts: list[ErasureReceipt]) -> contract.ErasureReport:
    return contract.ErasureReport(
        id=row.id,
        participant_id=row.participant_id,
        event_id=row.event_id,
        status=row.status,
        receipts=receipts,
        requested_by=row.requested_by,
        started_at=row.started_at,
        completed_at=row.completed_at,
    )
