"""Quotas: rows ↔ ``StoredQuota``. Every read names the tenant. A place is taken and given back in one
statement each, so concurrent acceptances never overdraw a quota (the CHECK constraints back it)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import delegation as contract
from plenary_contracts.enums import DelegationInviteStatus
from plenary_kit.db import fetch_page

from .tables import delegation_invite, delegation_quota

q = delegation_quota.c
i = delegation_invite.c
SORTABLE = {
    "createdAt": q.created_at,
    "updatedAt": q.updated_at,
    "organizationId": q.organization_id,
    "maxParticipants": q.max_participants,
    "usedCount": q.used_count,
}


@dataclass(frozen=True)
class StoredQuota:
    id: str
    tenant_id: str
    event_id: str
    organization_id: str
    max_participants: int
    used_count: int
    created_at: datetime
    updated_at: datetime

    def model(self) -> contract.Quota:
        return contract.Quota(
            id=self.id,
            tenant_id=self.tenant_id,
            event_id=self.event_id,
            organization_id=self.organization_id,
            max_participants=self.max_participants,
            used_count=self.used_count,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )


def _stored(row: Any) -> StoredQuota:
    return StoredQuota(**{name: getattr(row, name) for name in StoredQuota.__dataclass_fields__})


async def get(session: AsyncSession, tenant_id: str, quota_id: str, *, for_update: bool = False) -> StoredQuota | None:
    query = sa.select(delegation_quota).where(q.id == quota_id, q.tenant_id == tenant_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).first()
    return _stored(row) if row else None


async def find(
    session: AsyncSession, tenant_id: str, event_id: str, organization_id: str, *, for_update: bool = False
) -> StoredQuota | None:
    query = sa.select(delegation_quota).where(
        q.tenant_id == tenant_id, q.event_id == event_id, q.organization_id == organization_id
    )
    row = (await session.execute(query.with_for_update() if for_update else query)).first()
    return _stored(row) if row else None


async def insert_new(session: AsyncSession, values: dict[str, Any]) -> StoredQuota | None:
    """The new quota; None when the organisation already has one at the event (a concurrent upsert won)."""
    statement = insert(delegation_quota).values(**values).on_conflict_do_nothing().returning(delegation_quota)
    row = (await session.execute(statement)).first()
    return _stored(row) if row else None


async def resize(session: AsyncSession, quota_id: str, new_max: int, now: datetime) -> StoredQuota | None:
    """The quota with its new size; None when more places are in use than ``new_max``."""
    statement = (
        sa.update(delegation_quota)
        .where(q.id == quota_id, q.used_count <= new_max)
        .values(max_participants=new_max, updated_at=now)
        .returning(delegation_quota)
    )
    row = (await session.execute(statement)).first()
    return _stored(row) if row else None


async def take_place(session: AsyncSession, quota_id: str, now: datetime) -> StoredQuota | None:
    """One place taken, ``used_count = used_count + 1 WHERE used_count < max_participants``; None when full.
    Concurrent takers queue on the row and each re-checks the condition on the value the one before left."""
    statement = (
        sa.update(delegation_quota)
        .where(q.id == quota_id, q.used_count < q.max_participants)
        .values(used_count=q.used_count + 1, updated_at=now)
        .returning(delegation_quota)
    )
    row = (await session.execute(statement)).first()
    return _stored(row) if row else None


async def give_back_place(session: AsyncSession, quota_id: str, now: datetime) -> StoredQuota | None:
    statement = (
        sa.update(delegation_quota)
        .where(q.id == quota_id, q.used_count > 0)
        .values(used_count=q.used_count - 1, updated_at=now)
        .returning(delegation_quota)
    )
    row = (await session.execute(statement)).first()
    return _stored(row) if row else None


async def delete(session: AsyncSession, quota_id: str) -> None:
    await session.execute(sa.delete(delegation_quota).where(q.id == quota_id))


async def delete_for_event(session: AsyncSession, tenant_id: str, event_id: str) -> list[StoredQuota]:
    statement = (
        sa.delete(delegation_quota).where(q.tenant_id == tenant_id, q.event_id == event_id).returning(delegation_quota)
    )
    return [_stored(row) for row in (await session.execute(statement)).all()]


async def of_event(session: AsyncSession, tenant_id: str, event_id: str) -> list[StoredQuota]:
    query = sa.select(delegation_quota).where(q.tenant_id == tenant_id, q.event_id == event_id).order_by(q.id)
    return [_stored(row) for row in (await session.execute(query)).all()]


async def insert_copies(session: AsyncSession, rows: list[dict[str, Any]]) -> list[StoredQuota]:
    """The copies inserted now; one already there (a repeated copy, under the same id) is left out."""
    if not rows:
        return []
    statement = insert(delegation_quota).values(rows).on_conflict_do_nothing().returning(delegation_quota)
    return [_stored(row) for row in (await session.execute(statement)).all()]


async def invite_counts(session: AsyncSession, quota_ids: list[str]) -> dict[str, dict[DelegationInviteStatus, int]]:
    counts: dict[str, dict[DelegationInviteStatus, int]] = {qid: {} for qid in quota_ids}
    if not quota_ids:
        return counts
    query = (
        sa.select(i.quota_id, i.status, sa.func.count()).where(i.quota_id.in_(quota_ids)).group_by(i.quota_id, i.status)
    )
    for quota_id, status, count in (await session.execute(query)).all():
        counts[quota_id][DelegationInviteStatus(status)] = count
    return counts


async def page(session: AsyncSession, tenant_id: str, request: contract.ListQuotas) -> contract.QuotaPage:
    query = sa.select(delegation_quota).where(q.tenant_id == tenant_id)
    if request.event_id is not None:
        query = query.where(q.event_id == request.event_id)
    if request.organization_id is not None:
        query = query.where(q.organization_id == request.organization_id)
    rows, meta = await fetch_page(session, query, request, SORTABLE, q.id)
    stored = [_stored(row) for row in rows]
    counts = await invite_counts(session, [s.id for s in stored])
    summaries = [
        contract.QuotaSummary(
            **s.model().model_dump(),
            invite_counts={status: counts[s.id].get(status, 0) for status in DelegationInviteStatus},
        )
        for s in stored
    ]
    return contract.QuotaPage(data=summaries, meta=meta)
