"""API keys: rows ↔ records and contract models, the expiry sweep's claim and batched usage."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import identity as contract
from plenary_contracts.enums import ApiKeyStatus, RateLimitTier
from plenary_contracts.listing import PageMeta
from plenary_contracts.usage import Usage
from plenary_kit.db import fetch_page

from .tables import api_key

SORTABLE = {
    "createdAt": api_key.c.created_at,
    "updatedAt": api_key.c.updated_at,
    "name": api_key.c.name,
    "expiresAt": api_key.c.expires_at,
    "lastUsedAt": api_key.c.last_used_at,
}
# Everything a key's replacement copies from it (rotation).
COPIED = (
    "tenant_id",
    "name",
    "description",
    "permissions",
    "scopes",
    "rate_limit_tier",
    "rate_limit_custom",
    "expires_at",
    "allowed_ips",
    "allowed_origins",
    "created_by",
)


@dataclass(frozen=True)
class ApiKeyRecord:
    """A key as stored: its secret's hash, settings, state and usage."""

    id: str
    tenant_id: str
    name: str
    description: str | None
    key_hash: str
    key_prefix: str
    lookup_id: str
    permissions: list[str]
    scopes: dict[str, Any] | None
    rate_limit_tier: RateLimitTier
    rate_limit_custom: int | None
    status: ApiKeyStatus
    expires_at: datetime | None
    last_used_at: datetime | None
    last_used_ip: str | None
    usage_count: int
    allowed_ips: list[str]
    allowed_origins: list[str]
    rotated_from_id: str | None
    rotation_grace_end: datetime | None
    created_by: str
    revoked_at: datetime | None
    created_at: datetime
    updated_at: datetime

    def copied(self) -> dict[str, Any]:
        """The settings a replacement made by rotation starts with."""
        return {name: getattr(self, name) for name in COPIED}


def _record(row: sa.Row[Any]) -> ApiKeyRecord:
    return ApiKeyRecord(**row._mapping)


def _first(row: sa.Row[Any] | None) -> ApiKeyRecord | None:
    return _record(row) if row is not None else None


def to_api_key(key: ApiKeyRecord) -> contract.ApiKey:
    return contract.ApiKey.model_validate(asdict(key))


def to_credential(key: ApiKeyRecord) -> contract.ApiKeyCredential:
    return contract.ApiKeyCredential.model_validate(asdict(key))


async def get(
    db: AsyncSession | AsyncConnection, key_id: str, tenant_id: str | None = None, *, for_update: bool = False
) -> ApiKeyRecord | None:
    """A key by id; within ``tenant_id`` when given (None only for internal, unscoped reads)."""
    query = sa.select(api_key).where(api_key.c.id == key_id)
    if tenant_id is not None:
        query = query.where(api_key.c.tenant_id == tenant_id)
    if for_update:
        query = query.with_for_update()
    return _first((await db.execute(query)).first())


async def by_lookup_id(db: AsyncSession, lookup_id: str) -> ApiKeyRecord | None:
    return _first((await db.execute(sa.select(api_key).where(api_key.c.lookup_id == lookup_id))).first())


async def update(db: AsyncSession, key_id: str, **values: object) -> ApiKeyRecord:
    result = await db.execute(sa.update(api_key).where(api_key.c.id == key_id).values(**values).returning(api_key))
    return _record(result.one())


async def insert(db: AsyncSession, **values: object) -> ApiKeyRecord:
    return _record((await db.execute(sa.insert(api_key).values(**values).returning(api_key))).one())


async def page(db: AsyncSession, tenant_id: str, request: contract.ListApiKeys) -> tuple[list[ApiKeyRecord], PageMeta]:
    """One page of the tenant's keys, of one status when the request names it."""
    query = sa.select(api_key).where(api_key.c.tenant_id == tenant_id)
    if request.status is not None:
        query = query.where(api_key.c.status == request.status)
    rows, meta = await fetch_page(db, query, request, SORTABLE, api_key.c.id)
    return [_record(r) for r in rows], meta


async def live_of_tenant(db: AsyncSession, tenant_id: str) -> list[ApiKeyRecord]:
    """Keys that are, or may still be, in the gateways' bucket: ACTIVE or ROTATED."""
    query = sa.select(api_key).where(
        api_key.c.tenant_id == tenant_id, api_key.c.status.in_([ApiKeyStatus.ACTIVE, ApiKeyStatus.ROTATED])
    )
    return [_record(r) for r in await db.execute(query)]


async def live_scoped_to_event(db: AsyncSession, tenant_id: str, event_id: str) -> list[ApiKeyRecord]:
    """The tenant's ACTIVE or ROTATED keys whose event scope names ``event_id``, locked."""
    query = (
        sa.select(api_key)
        .where(
            api_key.c.tenant_id == tenant_id,
            api_key.c.status.in_([ApiKeyStatus.ACTIVE, ApiKeyStatus.ROTATED]),
            api_key.c.scopes["eventIds"].contains(sa.cast([event_id], JSONB)),
        )
        .order_by(api_key.c.id)
        .with_for_update()
    )
    return [_record(r) for r in await db.execute(query)]


async def claim_expired(db: AsyncSession, now: datetime, limit: int) -> list[ApiKeyRecord]:
    """Keys due to become EXPIRED, locked; rows another replica holds are skipped, never done twice."""
    past_expiry = sa.and_(api_key.c.expires_at.is_not(None), api_key.c.expires_at <= now)
    due = sa.or_(
        sa.and_(api_key.c.status == ApiKeyStatus.ACTIVE, past_expiry),
        sa.and_(
            api_key.c.status == ApiKeyStatus.ROTATED,
            sa.or_(
                past_expiry, sa.and_(api_key.c.rotation_grace_end.is_not(None), api_key.c.rotation_grace_end <= now)
            ),
        ),
    )
    query = sa.select(api_key).where(due).order_by(api_key.c.id).limit(limit).with_for_update(skip_locked=True)
    return [_record(r) for r in await db.execute(query)]


async def add_usages(db: AsyncSession, usages: Sequence[Usage]) -> int:
    """Add batched usage in one statement; ``updated_at`` (the ETag) does not move for usage."""
    if not usages:
        return 0
    batch = sa.values(
        sa.column("id", sa.String),
        sa.column("count", sa.Integer),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("ip", sa.Text),
        name="usage",
    ).data([(u.key_id, u.count, u.last_used_at, u.last_used_ip) for u in usages])
    newer = sa.or_(api_key.c.last_used_at.is_(None), batch.c.at >= api_key.c.last_used_at)
    result = await db.execute(
        sa.update(api_key)
        .where(api_key.c.id == batch.c.id)
        .values(
            usage_count=api_key.c.usage_count + batch.c.count,
            last_used_at=sa.func.greatest(api_key.c.last_used_at, batch.c.at),
            last_used_ip=sa.case(
                (newer, sa.func.coalesce(batch.c.ip, api_key.c.last_used_ip)), else_=api_key.c.last_used_ip
            ),
            updated_at=api_key.c.updated_at,
        )
    )
    return result.rowcount  # type: ignore[attr-defined]


async def usable_candidates(db: AsyncSession | AsyncConnection) -> list[ApiKeyRecord]:
    query = sa.select(api_key).where(api_key.c.status.in_([ApiKeyStatus.ACTIVE, ApiKeyStatus.ROTATED]))
    return [_record(r) for r in await db.execute(query)]
