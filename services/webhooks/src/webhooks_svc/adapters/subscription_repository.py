"""Subscriptions: rows ↔ ``StoredSubscription`` (secrets still sealed). Every read names the tenant.

The breaker's trip count lives in ``metadata.breakerTrips``.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import webhooks as contract
from plenary_contracts.enums import WebhookStatus
from plenary_kit.db import fetch_page, purge_tenant

from .tables import messaging, metadata, webhook_subscription

Db = AsyncSession | AsyncConnection
s = webhook_subscription.c
SORTABLE = {"createdAt": s.created_at, "updatedAt": s.updated_at, "url": s.url, "status": s.status}
TRIPS = sa.cast(sa.func.coalesce(s.metadata["breakerTrips"].astext, "0"), sa.Integer)


@dataclass(frozen=True)
class StoredSubscription:
    id: str
    tenant_id: str
    url: str
    description: str | None
    events: list[str]
    secret: str  # sealed
    previous_secret: str | None  # sealed
    previous_secret_expires_at: datetime | None
    status: WebhookStatus
    version: str
    retry_backoff_ms: list[int]
    timeout_ms: int
    consecutive_failures: int
    circuit_breaker_open: bool
    circuit_breaker_reset_at: datetime | None
    breaker_trips: int
    headers: dict[str, str] | None
    created_by: str
    created_at: datetime
    updated_at: datetime

    def model(self) -> contract.WebhookSubscription:
        return contract.WebhookSubscription(
            id=self.id,
            tenant_id=self.tenant_id,
            url=self.url,
            description=self.description,
            events=self.events,
            status=self.status,
            version=self.version,  # type: ignore[arg-type]
            retry_schedule=[ms // 1000 for ms in self.retry_backoff_ms],
            timeout_ms=self.timeout_ms,
            headers=self.headers,
            consecutive_failures=self.consecutive_failures,
            circuit_breaker_open=self.circuit_breaker_open,
            circuit_breaker_reset_at=self.circuit_breaker_reset_at,
            breaker_trips=self.breaker_trips,
            previous_secret_expires_at=self.previous_secret_expires_at,
            created_by=self.created_by,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )


_COLUMNS = (*(c for c in webhook_subscription.columns if c.name != "metadata"), TRIPS.label("breaker_trips"))


def _stored(row: sa.Row[Any]) -> StoredSubscription:
    values = row._mapping
    return StoredSubscription(**{name: values[name] for name in StoredSubscription.__dataclass_fields__})


async def get(db: Db, tenant_id: str, subscription_id: str, *, for_update: bool = False) -> StoredSubscription | None:
    query = sa.select(*_COLUMNS).where(s.id == subscription_id, s.tenant_id == tenant_id)
    if for_update:
        query = query.with_for_update()
    row = (await db.execute(query)).first()
    return None if row is None else _stored(row)


async def lock_many(session: AsyncSession, ids: Iterable[str]) -> dict[str, StoredSubscription]:
    """The subscriptions (of any tenant) locked in id order, so two writers never wait on each other in a cycle."""
    query = sa.select(*_COLUMNS).where(s.id.in_(sorted(set(ids)))).order_by(s.id).with_for_update()
    return {row.id: _stored(row) for row in (await session.execute(query)).all()}


async def count(db: Db, tenant_id: str) -> int:
    return (await db.execute(sa.select(sa.func.count()).where(s.tenant_id == tenant_id))).scalar_one()


async def page(
    db: Db, tenant_id: str, request: contract.ListSubscriptions
) -> tuple[list[StoredSubscription], contract.SubscriptionPage]:
    query = sa.select(*_COLUMNS).where(s.tenant_id == tenant_id)
    if request.status is not None:
        query = query.where(s.status == request.status)
    rows, meta = await fetch_page(db, query, request, SORTABLE, s.id)
    found = [_stored(r) for r in rows]
    return found, contract.SubscriptionPage(data=[f.model() for f in found], meta=meta)


async def insert(session: AsyncSession, values: Mapping[str, Any]) -> StoredSubscription:
    result = await session.execute(sa.insert(webhook_subscription).values(**values).returning(*_COLUMNS))
    return _stored(result.one())


async def update(session: AsyncSession, subscription_id: str, values: Mapping[str, Any]) -> StoredSubscription:
    statement = (
        sa.update(webhook_subscription)
        .where(s.id == subscription_id)
        .values(**values, updated_at=sa.func.now())
        .returning(*_COLUMNS)
    )
    return _stored((await session.execute(statement)).one())


def breaker_values(
    *, failures: int, open_: bool, reset_at: datetime | None, trips: int, status: WebhookStatus | None = None
) -> dict[str, Any]:
    """The columns of a breaker state (and optionally a status), for ``update``."""
    values: dict[str, Any] = {
        "consecutive_failures": failures,
        "circuit_breaker_open": open_,
        "circuit_breaker_reset_at": reset_at,
        "metadata": sa.func.coalesce(s.metadata, sa.cast({}, JSONB)).op("||")(sa.cast({"breakerTrips": trips}, JSONB)),
    }
    if status is not None:
        values["status"] = status
    return values


async def take_probe(session: AsyncSession, subscription_id: str, until: datetime) -> bool:
    """Hold the half-open breaker's single probe until ``until``; False when another process took it first."""
    statement = (
        sa.update(webhook_subscription)
        .where(
            s.id == subscription_id,
            s.circuit_breaker_open,
            sa.or_(s.circuit_breaker_reset_at.is_(None), s.circuit_breaker_reset_at <= sa.func.now()),
        )
        .values(circuit_breaker_reset_at=until)
    )
    return (await session.execute(statement)).rowcount == 1


async def delete(session: AsyncSession, subscription_id: str) -> None:
    await session.execute(sa.delete(webhook_subscription).where(s.id == subscription_id))


async def purge(session: AsyncSession, tenant_id: str) -> None:
    await purge_tenant(session, metadata, messaging, tenant_id)
