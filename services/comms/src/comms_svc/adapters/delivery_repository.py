"""Deliveries: every statement on ``message_delivery``.

Due deliveries are claimed ``FOR UPDATE SKIP LOCKED``, emergency (priority 1) first, and leased: the claim
moves them to SENDING with ``next_retry_at`` at the end of the lease and commits, so replicas never send one
delivery at the same time, and one a dead process held comes due again when its lease runs out. A result is
written only while the lease it was claimed under still holds (``next_retry_at`` unchanged), so an attempt
is counted once even when a lease ran out and another process took the delivery meanwhile.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import comms as contract
from plenary_contracts.enums import MessageChannel, MessageStatus
from plenary_contracts.listing import PageMeta
from plenary_kit.db import fetch_page
from plenary_kit.ids import new_id

from .tables import broadcast_message, event, message_delivery, participant, participant_type, recipient_user

Db = AsyncSession | AsyncConnection
d = message_delivery.c
SORTABLE = {"createdAt": d.created_at, "updatedAt": d.updated_at, "status": d.status, "sentAt": d.sent_at}
DELIVERY = f'"{message_delivery.schema}"."{message_delivery.name}"'
CANCELLED = "Broadcast cancelled"


@dataclass(frozen=True)
class NewDelivery:
    participant_id: str | None
    recipient: str
    user_id: str | None = None
    subject: str | None = None
    body: str | None = None
    about_participant_id: str | None = None  # a notice to a user about this participant


async def queue(
    session: AsyncSession,
    tenant_id: str,
    broadcast_id: str | None,
    channel: MessageChannel,
    priority: int,
    rows: Sequence[NewDelivery],
    now: datetime,
) -> int:
    """One multi-row insert; a recipient a broadcast already has on the channel is skipped. How many were new."""
    if not rows:
        return 0
    values = [
        {
            "id": new_id(),
            "tenant_id": tenant_id,
            "broadcast_id": broadcast_id,
            "participant_id": row.participant_id,
            "user_id": row.user_id,
            "about_participant_id": row.about_participant_id,
            "channel": channel,
            "recipient": row.recipient,
            "priority": priority,
            "subject": row.subject,
            "body": row.body,
            "status": MessageStatus.QUEUED,
            "next_retry_at": now,
        }
        for row in rows
    ]
    statement = insert(message_delivery).values(values).on_conflict_do_nothing().returning(d.id)
    return len((await session.execute(statement)).all())


@dataclass(frozen=True)
class Claimed:
    """A leased delivery with what rendering and sending it needs."""

    id: str
    tenant_id: str
    broadcast_id: str | None
    participant_id: str | None
    user_id: str | None
    channel: MessageChannel
    recipient: str
    retry_count: int
    lease_until: datetime
    subject: str | None  # the delivery's own (a platform message) or the broadcast's, not rendered yet
    body: str
    rendered: bool  # a platform message carries its rendering; a broadcast's is rendered per recipient
    first_name: str | None
    last_name: str | None
    email: str | None
    status: str | None
    extras: dict[str, Any] | None
    participant_type: str | None
    event_name: str | None
    event_start: datetime | None
    event_timezone: str | None
    recipient_user_id: str | None  # in-app: the user with the recipient's address


_CLAIM = sa.text(f"""
WITH due AS (
  SELECT id FROM {DELIVERY}
  WHERE status IN ('QUEUED', 'SENDING') AND next_retry_at <= now()
  ORDER BY priority, next_retry_at, id
  LIMIT :limit
  FOR UPDATE SKIP LOCKED
)
UPDATE {DELIVERY} AS d
SET status = 'SENDING', next_retry_at = now() + make_interval(secs => :lease), updated_at = now()
FROM due WHERE d.id = due.id
RETURNING d.id, d.next_retry_at
""")


async def claim(session: AsyncSession, limit: int, lease_seconds: float) -> list[Claimed]:
    leased = {
        row.id: row.next_retry_at for row in await session.execute(_CLAIM, {"limit": limit, "lease": lease_seconds})
    }
    if not leased:
        return []
    bm, pc, pt, ev, ru = broadcast_message.c, participant.c, participant_type.c, event.c, recipient_user.c
    query = (
        sa.select(
            d.id, d.tenant_id, d.broadcast_id, d.participant_id, d.user_id, d.channel, d.recipient, d.retry_count,
            sa.func.coalesce(d.subject, bm.subject).label("subject"),
            sa.func.coalesce(d.body, bm.body).label("body"),
            d.body.is_not(None).label("rendered"),
            pc.first_name, pc.last_name, pc.email, pc.status, pc.extras,
            pt.name.label("participant_type"),
            ev.name.label("event_name"), ev.start_date.label("event_start"), ev.timezone.label("event_timezone"),
            ru.id.label("recipient_user_id"),
        )
        .select_from(
            message_delivery.outerjoin(broadcast_message, bm.id == d.broadcast_id)
            .outerjoin(participant, sa.and_(pc.id == d.participant_id, pc.tenant_id == d.tenant_id))
            .outerjoin(participant_type, sa.and_(pt.id == pc.participant_type_id, pt.tenant_id == d.tenant_id))
            .outerjoin(event, sa.and_(ev.id == bm.event_id, ev.tenant_id == d.tenant_id))
            .outerjoin(
                recipient_user,
                sa.and_(
                    d.channel == MessageChannel.IN_APP,
                    d.user_id.is_(None),
                    ru.tenant_id == d.tenant_id,
                    ru.email == sa.func.lower(d.recipient),
                ),
            )
        )
        .where(d.id.in_(leased))
        .order_by(d.priority, d.id)
    )  # fmt: skip
    claimed: dict[str, Claimed] = {}
    for row in await session.execute(query):
        if row.id not in claimed:  # two users with one address: the first is enough
            claimed[row.id] = Claimed(**row._mapping, lease_until=leased[row.id])
    return list(claimed.values())


@dataclass(frozen=True)
class Outcome:
    """A delivery's new state after an attempt."""

    id: str
    lease_until: datetime
    status: MessageStatus
    retry_count: int
    next_retry_at: datetime | None
    external_id: str | None = None
    error_message: str | None = None
    error_code: str | None = None


_RECORD = sa.text(f"""
UPDATE {DELIVERY} AS d
SET status = o.status, retry_count = o.retry_count, next_retry_at = o.next_retry_at,
    external_id = coalesce(o.external_id, d.external_id),
    sent_at = CASE WHEN o.status = 'SENT' THEN now() ELSE d.sent_at END,
    error_message = o.error_message, error_code = o.error_code, updated_at = now()
FROM jsonb_to_recordset(CAST(:outcomes AS jsonb)) AS o(
  id text, lease_until timestamptz, status text, retry_count int, next_retry_at timestamptz,
  external_id text, error_message text, error_code text)
WHERE d.id = o.id AND d.status = 'SENDING' AND d.next_retry_at = o.lease_until
RETURNING d.id, d.broadcast_id, d.status
""")


async def record(session: AsyncSession, outcomes: Sequence[Outcome]) -> list[tuple[str, str | None, str]]:
    """Write attempts back, those still under their lease only: (id, broadcast, new status) of each written."""
    if not outcomes:
        return []
    payload = json.dumps(
        [
            {
                "id": o.id,
                "lease_until": o.lease_until.isoformat(),
                "status": o.status.value,
                "retry_count": o.retry_count,
                "next_retry_at": o.next_retry_at.isoformat() if o.next_retry_at else None,
                "external_id": o.external_id,
                "error_message": o.error_message,
                "error_code": o.error_code,
            }
            for o in outcomes
        ]
    )
    rows = await session.execute(_RECORD, {"outcomes": payload})
    return [(row.id, row.broadcast_id, row.status) for row in rows]


async def release(session: AsyncSession, leases: Sequence[tuple[str, datetime]]) -> None:
    """Claimed deliveries a stopping process did not attempt: due again now, for any process."""
    for delivery_id, lease_until in leases:
        await session.execute(
            sa.update(message_delivery)
            .where(d.id == delivery_id, d.status == MessageStatus.SENDING, d.next_retry_at == lease_until)
            .values(status=MessageStatus.QUEUED, next_retry_at=sa.func.now())
        )


async def fail_queued(session: AsyncSession, broadcast_id: str) -> int:
    """A cancelled broadcast's deliveries still waiting, and those a dead process held (their lease ran out):
    FAILED, never sent again. How many. The ones being sent right now finish and are written by their job."""
    waiting = sa.or_(
        d.status == MessageStatus.QUEUED,
        sa.and_(d.status == MessageStatus.SENDING, d.next_retry_at <= sa.func.now()),
    )
    result = await session.execute(
        sa.update(message_delivery)
        .where(d.broadcast_id == broadcast_id, waiting)
        .values(status=MessageStatus.FAILED, error_message=CANCELLED, error_code="CANCELLED", next_retry_at=None)
    )
    return result.rowcount


async def page(db: Db, broadcast_id: str, request: contract.ListDeliveries) -> tuple[list[contract.Delivery], PageMeta]:
    query = sa.select(message_delivery).where(d.broadcast_id == broadcast_id)
    if request.status is not None:
        query = query.where(d.status == request.status)
    rows, meta = await fetch_page(db, query, request, SORTABLE, d.id)
    return [to_delivery(r) for r in rows], meta


def to_delivery(row: sa.Row[Any]) -> contract.Delivery:
    return contract.Delivery.model_validate({name: row._mapping[name] for name in contract.Delivery.model_fields})


@dataclass(frozen=True)
class Reported:
    id: str
    tenant_id: str
    broadcast_id: str | None
    status: MessageStatus


async def find(db: Db, delivery_id: str, *, for_update: bool = False) -> Reported | None:
    """A delivery by id in any tenant (a provider's report names no tenant)."""
    query = sa.select(d.id, d.tenant_id, d.broadcast_id, d.status).where(d.id == delivery_id)
    if for_update:
        query = query.with_for_update()
    row = (await db.execute(query)).first()
    return None if row is None else Reported(row.id, row.tenant_id, row.broadcast_id, MessageStatus(row.status))


async def mark_reported(
    session: AsyncSession, delivery_id: str, status: MessageStatus, at: datetime, reason: str | None
) -> None:
    values: dict[str, Any] = {"status": status}
    if status is MessageStatus.DELIVERED:
        values["delivered_at"] = at
    else:
        values.update(bounced_at=at, error_message=reason, error_code="BOUNCED")
    await session.execute(sa.update(message_delivery).where(d.id == delivery_id).values(**values))
