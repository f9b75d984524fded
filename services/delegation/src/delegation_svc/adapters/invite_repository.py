"""Invites: rows ↔ ``StoredInvite``, each with its quota's event and organisation. The token column holds
the token's SHA-256, never the token. Due and waiting invites are claimed ``FOR UPDATE SKIP LOCKED`` so
replicas never act on one twice."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import delegation as contract
from plenary_contracts.enums import DelegationInviteStatus as Status
from plenary_kit.db import fetch_page

from .tables import delegation_invite, delegation_quota

i = delegation_invite.c
q = delegation_quota.c
SORTABLE = {
    "createdAt": i.created_at,
    "updatedAt": i.updated_at,
    "expiresAt": i.expires_at,
    "email": i.email,
    "status": i.status,
}
_COLUMNS = [
    i.id,
    i.tenant_id,
    i.quota_id,
    q.event_id,
    q.organization_id,
    i.email,
    i.status,
    i.invited_by,
    i.accepted_at,
    i.expires_at,
    i.waitlisted_at,
    i.participant_id,
    i.place_released_at,
    i.created_at,
    i.updated_at,
]
_JOINED = delegation_invite.join(delegation_quota, q.id == i.quota_id)


@dataclass(frozen=True)
class StoredInvite:
    id: str
    tenant_id: str
    quota_id: str
    event_id: str
    organization_id: str
    email: str
    status: Status
    invited_by: str
    accepted_at: datetime | None
    expires_at: datetime
    waitlisted_at: datetime | None
    participant_id: str | None
    place_released_at: datetime | None
    created_at: datetime
    updated_at: datetime

    def model(self) -> contract.Invite:
        return contract.Invite(**{name: getattr(self, name) for name in StoredInvite.__dataclass_fields__})


def _stored(row: Any) -> StoredInvite:
    values = {name: getattr(row, name) for name in StoredInvite.__dataclass_fields__}
    return StoredInvite(**values | {"status": Status(values["status"])})


def _select(*where: Any, for_update: bool = False, skip_locked: bool = False) -> sa.Select[Any]:
    query = sa.select(*_COLUMNS).select_from(_JOINED).where(*where)
    if for_update:  # the invite's row only: its quota is locked by the statements that change it
        query = query.with_for_update(of=delegation_invite, skip_locked=skip_locked)
    return query


async def _one(session: AsyncSession, query: sa.Select[Any]) -> StoredInvite | None:
    row = (await session.execute(query)).first()
    return _stored(row) if row else None


async def insert_new(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(sa.insert(delegation_invite).values(**values))


async def get(
    session: AsyncSession, tenant_id: str, invite_id: str, *, for_update: bool = False
) -> StoredInvite | None:
    return await _one(session, _select(i.id == invite_id, i.tenant_id == tenant_id, for_update=for_update))


async def by_token_hash(session: AsyncSession, hashed: str, *, for_update: bool = False) -> StoredInvite | None:
    """Whichever tenant's it is: the token is the credential of a caller who has no tenant yet."""
    return await _one(session, _select(i.token == hashed, for_update=for_update))


async def by_participant(session: AsyncSession, tenant_id: str, participant_id: str) -> StoredInvite | None:
    query = _select(i.tenant_id == tenant_id, i.participant_id == participant_id, for_update=True)
    return await _one(session, query.order_by(i.created_at).limit(1))


async def change(session: AsyncSession, invite_id: str, **values: Any) -> None:
    await session.execute(sa.update(delegation_invite).where(i.id == invite_id).values(**values))


async def release_place(session: AsyncSession, invite_id: str, now: datetime) -> bool:
    """Mark the ACCEPTED invite's place given back; False when it was already (exactly once per invite)."""
    statement = (
        sa.update(delegation_invite)
        .where(i.id == invite_id, i.status == Status.ACCEPTED, i.place_released_at.is_(None))
        .values(place_released_at=now, updated_at=now)
        .returning(i.id)
    )
    return (await session.execute(statement)).first() is not None


async def of_quota(session: AsyncSession, quota_id: str, *, for_update: bool = False) -> list[StoredInvite]:
    """The quota's invites, newest first."""
    query = _select(i.quota_id == quota_id, for_update=for_update).order_by(i.created_at.desc(), i.id.desc())
    return [_stored(row) for row in (await session.execute(query)).all()]


async def claim_overdue(session: AsyncSession, now: datetime, invite_id: str | None = None) -> StoredInvite | None:
    """One PENDING invite past its expiry (this one, when named), locked; others' claims are skipped."""
    where = [i.status == Status.PENDING, i.expires_at <= now]
    if invite_id is not None:
        where.append(i.id == invite_id)
    query = _select(*where, for_update=True, skip_locked=True).order_by(i.expires_at).limit(1)
    return await _one(session, query)


async def first_waiting(session: AsyncSession, quota_id: str, now: datetime) -> StoredInvite | None:
    """The live PENDING invite of the quota waiting longest for a place, locked (a busy one is passed over)."""
    where = [i.quota_id == quota_id, i.status == Status.PENDING, i.waitlisted_at.is_not(None), i.expires_at > now]
    query = _select(*where, for_update=True, skip_locked=True).order_by(i.waitlisted_at, i.id).limit(1)
    return await _one(session, query)


# --- erasure of a person ------------------------------------------------------------------------

ERASED_EMAIL = ""


async def of_person(
    session: AsyncSession, tenant_id: str, participant_id: str, event_id: str, email: str | None
) -> list[StoredInvite]:
    """The invites that still name the person, locked: the one they registered with, and those addressed to
    their e-mail (any case) at the event. One already erased (no e-mail left) is not theirs any more."""
    theirs = [i.participant_id == participant_id]
    if email:
        theirs.append(sa.and_(q.event_id == event_id, sa.func.lower(i.email) == email.lower()))
    query = _select(i.tenant_id == tenant_id, sa.or_(*theirs), i.email != ERASED_EMAIL, for_update=True)
    return [_stored(row) for row in (await session.execute(query.order_by(i.id))).all()]


async def anonymise(session: AsyncSession, invite_ids: list[str], now: datetime) -> None:
    """No e-mail, a token no link can carry (a SHA-256 is 64 hex digits: ``erased:<id>`` never matches one),
    no place in the waiting line. Status, quota, participant and times stay: the quota's count holds."""
    if invite_ids:
        await session.execute(
            sa.update(delegation_invite)
            .where(i.id.in_(invite_ids))
            .values(email=ERASED_EMAIL, token="erased:" + i.id, waitlisted_at=None, updated_at=now)
        )


async def cancel_all(session: AsyncSession, invite_ids: list[str], now: datetime) -> None:
    if invite_ids:
        await session.execute(
            sa.update(delegation_invite).where(i.id.in_(invite_ids)).values(status=Status.CANCELLED, updated_at=now)
        )


async def page(session: AsyncSession, tenant_id: str, request: contract.ListInvites) -> contract.InvitePage:
    query = _select(i.tenant_id == tenant_id)
    for column, value in (
        (i.quota_id, request.quota_id),
        (q.event_id, request.event_id),
        (q.organization_id, request.organization_id),
        (i.status, request.status),
    ):
        if value is not None:
            query = query.where(column == value)
    rows, meta = await fetch_page(session, query, request, SORTABLE, i.id)
    return contract.InvitePage(data=[_stored(row).model() for row in rows], meta=meta)
