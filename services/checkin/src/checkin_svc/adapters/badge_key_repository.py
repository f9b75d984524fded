"""Each tenant's badge keys, and the badge columns of checkin's participant read model.

A key's private half arrives here sealed and leaves sealed: this module never sees a key in clear. Exactly
one key per tenant signs (a partial unique index on the tenant where ``signing``), which is what makes the
lazy creation of a tenant's first key safe when two requests race for it: one insert wins, the other does
nothing and reads the winner's.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.enums import ParticipantStatus

from .tables import badge_key, participant

Session = AsyncSession | AsyncConnection


@dataclass(frozen=True)
class StoredKey:
    key_id: str  # 8 hex digits
    tenant_id: str
    public_key: bytes
    sealed_private_key: bytes
    signing: bool
    created_at: datetime
    retired_at: datetime | None


@dataclass(frozen=True)
class BadgeHolder:
    """A participant as their badge needs them."""

    id: str
    tenant_id: str
    event_id: str
    status: ParticipantStatus
    generation: int
    issued_at: datetime | None
    key_id: str | None


_KEY_COLUMNS = (
    badge_key.c.key_id,
    badge_key.c.tenant_id,
    badge_key.c.public_key,
    badge_key.c.sealed_private_key,
    badge_key.c.signing,
    badge_key.c.created_at,
    badge_key.c.retired_at,
)
_HOLDER_COLUMNS = (
    participant.c.id,
    participant.c.tenant_id,
    participant.c.event_id,
    participant.c.status,
    participant.c.badge_generation.label("generation"),
    participant.c.badge_issued_at.label("issued_at"),
    participant.c.badge_key_id.label("key_id"),
)


def _key(row: sa.Row[Any]) -> StoredKey:
    return StoredKey(**row._mapping)


def _holder(row: sa.Row[Any]) -> BadgeHolder:
    return BadgeHolder(**row._mapping)


# --- keys ----------------------------------------------------------------------------------------


async def signing_key(session: Session, tenant_id: str) -> StoredKey | None:
    query = sa.select(*_KEY_COLUMNS).where(badge_key.c.tenant_id == tenant_id, badge_key.c.signing)
    row = (await session.execute(query)).first()
    return None if row is None else _key(row)


async def get_key(session: Session, tenant_id: str, key_id: str, *, for_update: bool = False) -> StoredKey | None:
    query = sa.select(*_KEY_COLUMNS).where(badge_key.c.tenant_id == tenant_id, badge_key.c.key_id == key_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).first()
    return None if row is None else _key(row)


async def verifying_keys(session: Session, tenant_id: str) -> list[StoredKey]:
    """The tenant's keys that still verify: the signing one first, then the newest."""
    query = (
        sa.select(*_KEY_COLUMNS)
        .where(badge_key.c.tenant_id == tenant_id, badge_key.c.retired_at.is_(None))
        .order_by(badge_key.c.signing.desc(), badge_key.c.created_at.desc(), badge_key.c.key_id)
    )
    return [_key(row) for row in await session.execute(query)]


async def add_signing_key(
    session: AsyncSession, *, tenant_id: str, key_id: str, public_key: bytes, sealed_private_key: bytes
) -> StoredKey | None:
    """Insert a tenant's signing key; None when the tenant already has one (another request's, just made)
    or, as unlikely as it is with 32 random bits, the key id is taken."""
    statement = (
        insert(badge_key)
        .values(
            tenant_id=tenant_id,
            key_id=key_id,
            public_key=public_key,
            sealed_private_key=sealed_private_key,
            signing=True,
        )
        .on_conflict_do_nothing()
        .returning(*_KEY_COLUMNS)
    )
    row = (await session.execute(statement)).first()
    return None if row is None else _key(row)


async def stop_signing(session: AsyncSession, tenant_id: str) -> None:
    """The tenant's signing key becomes an ordinary verifying one."""
    await session.execute(
        sa.update(badge_key).where(badge_key.c.tenant_id == tenant_id, badge_key.c.signing).values(signing=False)
    )


async def retire(session: AsyncSession, tenant_id: str, key_id: str, now: datetime) -> StoredKey:
    statement = (
        sa.update(badge_key)
        .where(badge_key.c.tenant_id == tenant_id, badge_key.c.key_id == key_id)
        .values(retired_at=now)
        .returning(*_KEY_COLUMNS)
    )
    return _key((await session.execute(statement)).one())


async def serialize_key_changes(session: AsyncSession, tenant_id: str) -> None:
    """Hold the tenant's badge key lock to the end of the transaction: two rotations run one after the other."""
    key = f"checkin.badge_key:{tenant_id}"
    await session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0))))


# --- badges --------------------------------------------------------------------------------------


async def holder(session: Session, tenant_id: str, participant_id: str) -> BadgeHolder | None:
    query = sa.select(*_HOLDER_COLUMNS).where(participant.c.id == participant_id, participant.c.tenant_id == tenant_id)
    row = (await session.execute(query)).first()
    return None if row is None else _holder(row)


async def record_issue(
    session: AsyncSession, seen: BadgeHolder, *, issued_at: datetime, key_id: str
) -> BadgeHolder | None:
    """Note the badge issued to ``seen`` (same generation), unless someone issued one since it was read:
    then None, and the caller reads what they stored (so every caller hands out one payload)."""
    statement = (
        sa.update(participant)
        .where(
            participant.c.id == seen.id,
            participant.c.tenant_id == seen.tenant_id,
            participant.c.badge_generation == seen.generation,
            participant.c.badge_issued_at.is_not_distinct_from(seen.issued_at),
            participant.c.badge_key_id.is_not_distinct_from(seen.key_id),
        )
        .values(badge_issued_at=issued_at, badge_key_id=key_id)
        .returning(*_HOLDER_COLUMNS)
    )
    row = (await session.execute(statement)).first()
    return None if row is None else _holder(row)


async def record_reissue(
    session: AsyncSession, tenant_id: str, participant_id: str, *, issued_at: datetime, key_id: str
) -> BadgeHolder | None:
    """A new generation of the participant's badge: every older one is void from now on."""
    statement = (
        sa.update(participant)
        .where(participant.c.id == participant_id, participant.c.tenant_id == tenant_id)
        .values(badge_generation=participant.c.badge_generation + 1, badge_issued_at=issued_at, badge_key_id=key_id)
        .returning(*_HOLDER_COLUMNS)
    )
    row = (await session.execute(statement)).first()
    return None if row is None else _holder(row)
