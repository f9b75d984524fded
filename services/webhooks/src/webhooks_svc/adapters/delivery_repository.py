"""Deliveries and their attempts: every statement on ``webhook_delivery`` and ``webhook_delivery_attempt``.

A delivery's id is derived from its subscription and its event id (``md5`` of both: 32 hex characters), so
the same event queued twice for one subscription is one row, whichever process queues it. Due deliveries are
claimed ``FOR UPDATE SKIP LOCKED`` and leased: the claim moves ``next_retry_at`` past the attempt's deadline
and commits, so a process that dies mid-attempt leaves a row that comes due again when the lease runs out,
and replicas never send one delivery at the same time.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import webhooks as contract
from plenary_contracts.enums import DeliveryStatus

from .tables import webhook_delivery, webhook_delivery_attempt, webhook_subscription

Db = AsyncSession | AsyncConnection
d = webhook_delivery.c
a = webhook_delivery_attempt.c
DELIVERY = f'"{webhook_delivery.schema}"."{webhook_delivery.name}"'
ATTEMPT = f'"{webhook_delivery_attempt.schema}"."{webhook_delivery_attempt.name}"'
SUBSCRIPTION = f'"{webhook_subscription.schema}"."{webhook_subscription.name}"'
WAITING = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
FINISHED = (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.DEAD_LETTER)
TOO_LARGE = f"the payload exceeds {contract.MAX_PAYLOAD_BYTES // 1024} KB: not sent"
Position = tuple[datetime, str]


@dataclass(frozen=True)
class Queued:
    """A public event to queue: its id, type, data and when it happened."""

    event_id: UUID
    type: str
    data: dict[str, Any]
    occurred_at: datetime


def _events_json(events: Sequence[Queued]) -> str:
    return json.dumps(
        [
            {"event_id": str(e.event_id), "type": e.type, "data": e.data, "occurred_at": e.occurred_at.isoformat()}
            for e in events
        ],
        separators=(",", ":"),
    )


_QUEUE = f"""
INSERT INTO {DELIVERY} (id, tenant_id, subscription_id, event_type, event_id, payload, status, max_attempts,
                        next_retry_at, occurred_at, error_message)
SELECT md5(s.id || e.event_id::text), s.tenant_id, s.id, e.type, e.event_id, e.data,
       CASE WHEN octet_length(e.data::text) > :max_bytes THEN 'DEAD_LETTER' ELSE 'PENDING' END,
       coalesce(array_length(s.retry_backoff_ms, 1), 0) + 1,
       CASE WHEN s.circuit_breaker_open AND s.circuit_breaker_reset_at > now()
            THEN s.circuit_breaker_reset_at ELSE now() END,
       e.occurred_at,
       CASE WHEN octet_length(e.data::text) > :max_bytes THEN :too_large END
FROM {SUBSCRIPTION} s
JOIN jsonb_to_recordset(CAST(:events AS jsonb)) AS e(event_id uuid, type text, data jsonb, occurred_at timestamptz)
  ON e.type = ANY(s.events) OR '*' = ANY(s.events)
WHERE s.tenant_id = :tenant_id AND s.status = 'ACTIVE' {{only}}
{{conflict}}
"""
_DISPATCH = sa.text(_QUEUE.format(only="", conflict="ON CONFLICT (subscription_id, event_id) DO NOTHING"))
# A replay sends again what was sent (or failed) already; a delivery still waiting is left as it is.
_REPLAY = sa.text(
    _QUEUE.replace("s.status = 'ACTIVE'", "TRUE").format(
        only="AND s.id = :subscription_id AND (CAST(:types AS text[]) IS NULL OR e.type = ANY(CAST(:types AS text[])))",
        conflict=f"""ON CONFLICT (subscription_id, event_id) DO UPDATE
  SET status = 'PENDING', attempts = 0, next_retry_at = now(), error_message = NULL, error_type = NULL,
      max_attempts = EXCLUDED.max_attempts, updated_at = now()
  WHERE {DELIVERY}.status NOT IN ('PENDING', 'RETRYING')""",
    )
)


async def queue(session: AsyncSession, tenant_id: str, events: Sequence[Queued]) -> int:
    """A delivery per event for every ACTIVE subscription of the tenant taking its type; how many were new."""
    if not events:
        return 0
    params = {
        "tenant_id": tenant_id,
        "events": _events_json(events),
        "max_bytes": contract.MAX_PAYLOAD_BYTES,
        "too_large": TOO_LARGE,
    }
    return (await session.execute(_DISPATCH, params)).rowcount


async def queue_replayed(
    session: AsyncSession, tenant_id: str, subscription_id: str, events: Sequence[Queued], types: list[str] | None
) -> int:
    """Queue events again for one subscription (``types``: only those); how many were queued or re-queued."""
    if not events:
        return 0
    params = {
        "tenant_id": tenant_id,
        "subscription_id": subscription_id,
        "types": types,
        "events": _events_json(events),
        "max_bytes": contract.MAX_PAYLOAD_BYTES,
        "too_large": TOO_LARGE,
    }
    return (await session.execute(_REPLAY, params)).rowcount


@dataclass(frozen=True)
class Due:
    """A claimed delivery with what sending it needs from its subscription."""

    id: str
    tenant_id: str
    subscription_id: str
    event_type: str
    event_id: UUID
    payload: dict[str, Any]
    occurred_at: datetime
    attempts: int
    max_attempts: int
    url: str
    version: str
    secret: str  # sealed
    previous_secret: str | None
    previous_secret_expires_at: datetime | None
    headers: dict[str, str] | None
    timeout_ms: int
    retry_backoff_ms: list[int]
    circuit_breaker_open: bool
    circuit_breaker_reset_at: datetime | None


_CLAIM = sa.text(f"""
WITH due AS (
  SELECT id, subscription_id FROM {DELIVERY}
  WHERE status IN ('PENDING', 'RETRYING') AND next_retry_at <= now()
    AND NOT (subscription_id = ANY(CAST(:busy AS text[])))
  ORDER BY next_retry_at
  LIMIT :limit
  FOR UPDATE SKIP LOCKED
), ranked AS (
  SELECT id, row_number() OVER (PARTITION BY subscription_id ORDER BY id) AS n FROM due
)
UPDATE {DELIVERY} AS d
SET next_retry_at = now() + make_interval(secs => s.timeout_ms / 1000.0 + :lease_margin)
FROM ranked r, {SUBSCRIPTION} s
WHERE d.id = r.id AND r.n <= :per_subscription AND s.id = d.subscription_id AND s.status = 'ACTIVE'
RETURNING d.id, d.tenant_id, d.subscription_id, d.event_type, d.event_id, d.payload, d.occurred_at, d.attempts,
          d.max_attempts, s.url, s.version, s.secret, s.previous_secret, s.previous_secret_expires_at, s.headers,
          s.timeout_ms, s.retry_backoff_ms, s.circuit_breaker_open, s.circuit_breaker_reset_at
""")


async def claim_due(
    session: AsyncSession, *, limit: int, per_subscription: int, busy: Iterable[str], lease_margin: float = 30.0
) -> list[Due]:
    """Lease up to ``limit`` due deliveries, at most ``per_subscription`` of one subscription, none of ``busy``."""
    params = {"busy": list(busy), "limit": limit, "per_subscription": per_subscription, "lease_margin": lease_margin}
    return [Due(**row._mapping) for row in (await session.execute(_CLAIM, params)).all()]


async def defer(session: AsyncSession, ids: Sequence[str], until: datetime) -> None:
    if ids:
        await session.execute(sa.update(webhook_delivery).where(d.id.in_(ids)).values(next_retry_at=until))


async def defer_subscription(session: AsyncSession, subscription_id: str, until: datetime | str) -> None:
    """Every waiting delivery of the subscription comes due no earlier than ``until`` (``'infinity'``: parked)."""
    when = sa.cast(until, d.next_retry_at.type) if isinstance(until, str) else until
    await session.execute(
        sa.update(webhook_delivery)
        .where(d.subscription_id == subscription_id, d.status.in_(WAITING), d.next_retry_at < when)
        .values(next_retry_at=when)
    )


async def unpark(session: AsyncSession, subscription_id: str) -> None:
    """The subscription's waiting deliveries come due now."""
    await session.execute(
        sa.update(webhook_delivery)
        .where(d.subscription_id == subscription_id, d.status.in_(WAITING))
        .values(next_retry_at=sa.func.now())
    )


@dataclass(frozen=True)
class Result:
    """What one attempt made of its delivery, to write back."""

    id: str
    attempt: int
    tenant_id: str
    attempted_at: datetime
    status: DeliveryStatus
    next_retry_at: datetime | None
    response_code: int | None
    response_body: str | None
    response_headers: dict[str, str] | None
    latency_ms: int | None
    error_type: str | None
    error_message: str | None


_RECORD = sa.text(f"""
WITH r AS (
  SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
    id text, attempt int, tenant_id text, attempted_at timestamptz, status text, next_retry_at timestamptz,
    response_code int, response_body text, response_headers jsonb, latency_ms int, error_type text,
    error_message text)
), updated AS (
  UPDATE {DELIVERY} AS d
  SET status = r.status, attempts = r.attempt, next_retry_at = r.next_retry_at, response_code = r.response_code,
      response_body = r.response_body, response_headers = r.response_headers, latency_ms = r.latency_ms,
      error_type = r.error_type, error_message = r.error_message, updated_at = now(),
      delivered_at = CASE WHEN r.status = 'DELIVERED' THEN r.attempted_at ELSE d.delivered_at END
  FROM r WHERE d.id = r.id
  RETURNING d.id
)
INSERT INTO {ATTEMPT} (delivery_id, attempt, tenant_id, attempted_at, response_code, latency_ms, error_type,
                       error_message)
SELECT r.id, r.attempt, r.tenant_id, r.attempted_at, r.response_code, r.latency_ms, r.error_type, r.error_message
FROM r JOIN updated u ON u.id = r.id
ON CONFLICT DO NOTHING
""")


async def record(session: AsyncSession, results: Sequence[Result]) -> None:
    """Write every result and its attempt in one statement (a delivery deleted meanwhile is skipped)."""
    if not results:
        return
    rows = [
        {
            **r.__dict__,
            "attempted_at": r.attempted_at.isoformat(),
            "next_retry_at": r.next_retry_at.isoformat() if r.next_retry_at else None,
            "status": r.status.value,
        }
        for r in results
    ]
    await session.execute(_RECORD, {"rows": json.dumps(rows, separators=(",", ":"))})


async def insert_test(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(sa.insert(webhook_delivery).values(**values))


# --- the log ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilter:
    tenant_id: str
    subscription_id: str | None = None
    event_id: UUID | None = None
    status: DeliveryStatus | None = None
    event_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None


_NEWEST_FIRST = (d.created_at.desc(), d.id.desc())
_LISTED = [c for c in webhook_delivery.columns if c.name not in ("payload", "response_headers", "tenant_id")]


async def page(db: Db, filters: LogFilter, after: Position | None, limit: int) -> list[contract.WebhookDelivery]:
    conditions = [d.tenant_id == filters.tenant_id]
    if filters.subscription_id is not None:
        conditions.append(d.subscription_id == filters.subscription_id)
    if filters.event_id is not None:
        conditions.append(d.event_id == filters.event_id)
    if filters.status is not None:
        conditions.append(d.status == filters.status)
    if filters.event_type is not None:
        conditions.append(d.event_type == filters.event_type)
    if filters.since is not None:
        conditions.append(d.created_at >= filters.since)
    if filters.until is not None:
        conditions.append(d.created_at < filters.until)
    if after is not None:
        position = sa.tuple_(sa.literal(after[0], d.created_at.type), sa.literal(after[1], d.id.type))
        conditions.append(sa.tuple_(d.created_at, d.id) < position)
    query = sa.select(*_LISTED).where(*conditions).order_by(*_NEWEST_FIRST).limit(limit)
    return [_delivery(row) for row in (await db.execute(query)).all()]


def _delivery(row: sa.Row[Any]) -> contract.WebhookDelivery:
    values = dict(row._mapping)
    values["event_id"] = str(values["event_id"])
    return contract.WebhookDelivery.model_validate(values)


async def get(db: Db, tenant_id: str, delivery_id: str) -> contract.DeliveryDetail | None:
    row = (await db.execute(sa.select(webhook_delivery).where(d.id == delivery_id, d.tenant_id == tenant_id))).first()
    if row is None:
        return None
    attempts = await db.execute(
        sa.select(webhook_delivery_attempt).where(a.delivery_id == delivery_id).order_by(a.attempt)
    )
    values = dict(row._mapping)
    values["event_id"] = str(values["event_id"])
    values["attempt_log"] = [contract.DeliveryAttempt.model_validate(dict(r._mapping)) for r in attempts.all()]
    return contract.DeliveryDetail.model_validate(values)


async def resend(session: AsyncSession, tenant_id: str, delivery_id: str) -> contract.WebhookDelivery | None:
    """Send a finished delivery again with a fresh set of attempts; None when it is not finished (or not found)."""
    statement = (
        sa.update(webhook_delivery)
        .where(d.id == delivery_id, d.tenant_id == tenant_id, d.status.in_(FINISHED), d.event_type != "test.ping")
        .values(status=DeliveryStatus.PENDING, attempts=0, next_retry_at=sa.func.now(), updated_at=sa.func.now())
        .returning(*_LISTED)
    )
    row = (await session.execute(statement)).first()
    return None if row is None else _delivery(row)


async def resend_failed(
    session: AsyncSession,
    subscription_id: str,
    since: datetime | None,
    until: datetime | None,
    types: list[str] | None,
) -> int:
    conditions = [
        d.subscription_id == subscription_id,
        d.status.in_((DeliveryStatus.DEAD_LETTER, DeliveryStatus.FAILED)),
        d.event_type != "test.ping",
    ]
    if since is not None:
        conditions.append(d.created_at >= since)
    if until is not None:
        conditions.append(d.created_at < until)
    if types:
        conditions.append(d.event_type.in_(types))
    statement = (
        sa.update(webhook_delivery)
        .where(*conditions)
        .values(status=DeliveryStatus.PENDING, attempts=0, next_retry_at=sa.func.now(), updated_at=sa.func.now())
    )
    return (await session.execute(statement)).rowcount


async def purge_finished(session: AsyncSession, before: datetime, limit: int = 5000) -> int:
    """Delete up to ``limit`` finished deliveries last changed before ``before`` (their attempts go with them)."""
    doomed = (
        sa.select(d.id)
        .where(d.status.in_(FINISHED), d.updated_at < before)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return (await session.execute(sa.delete(webhook_delivery).where(d.id.in_(doomed)))).rowcount


async def of_event_ids(db: Db, tenant_id: str, event_ids: Sequence[UUID], limit: int) -> list[contract.WebhookDelivery]:
    """The tenant's deliveries of any of ``event_ids``, newest first."""
    conditions = [d.tenant_id == tenant_id, d.event_id.in_(event_ids)]
    query = sa.select(*_LISTED).where(*conditions).order_by(*_NEWEST_FIRST).limit(limit)
    return [_delivery(row) for row in (await db.execute(query)).all()]
