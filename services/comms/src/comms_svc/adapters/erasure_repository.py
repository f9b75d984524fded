"""What erasing a participant does to comms' rows: each statement is set-based (one per table, whatever the
number of deliveries) and touches only rows that still hold something of the person, so a repeat changes
nothing and counts zero.

- deliveries addressed to the participant, notices to a user about them (their name is in the text), and
  messages to their address naming nobody else (an invite, a waitlist offer made before they registered):
  kept with their channel, status, times and retry count (a broadcast's counts stay right), the address,
  rendering, provider id and error text blanked. One still waiting keeps its place in the queue with no
  address: the delivery job fails it unsent (``ERASED_RECIPIENT``).
- in-app notifications about the participant (their id in the notification's data, or the notification of a
  delivery to them): kept, read or not, with their title and text replaced and only the ids of their data.
- the ``notification.created`` events of those notifications in the outbox: deleted, sent or not (the event
  names a notification that no longer says anything).
- the participant's read model: kept (an audience still counts it) with no name, address or extras.
- stored idempotent replies that name the participant's id or address: deleted.

Opt-outs hold ids only and stay: an erased person's opt-out still means no more broadcasts.
"""

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import comms as contract

from ..domain.messages import ERASED_RECIPIENT
from .tables import message_delivery, messaging, notification, participant

ERASED_TEXT = "[erased]"  # a notification's title and text once erased

d = message_delivery.c
n = notification.c
p = participant.c
outbox = messaging.outbox


async def held_email(session: AsyncSession, tenant_id: str, participant_id: str) -> str | None:
    query = sa.select(p.email).where(p.tenant_id == tenant_id, p.id == participant_id)
    return (await session.execute(query)).scalar()


def _of_person(tenant_id: str, participant_id: str, emails: Collection[str]) -> sa.ColumnElement[bool]:
    """Deliveries to the participant, notices to a user about them, and messages to one of their addresses
    (lower-case) that name no participant or user."""
    to_address = sa.and_(d.participant_id.is_(None), d.user_id.is_(None), sa.func.lower(d.recipient).in_(list(emails)))
    return sa.and_(
        d.tenant_id == tenant_id,
        sa.or_(d.participant_id == participant_id, d.about_participant_id == participant_id, to_address),
    )


async def anonymise_deliveries(
    session: AsyncSession, tenant_id: str, participant_id: str, emails: Collection[str]
) -> list[str]:
    """Blank the personal columns of the person's deliveries not blanked yet; the ids of those blanked."""
    statement = (
        sa.update(message_delivery)
        .where(_of_person(tenant_id, participant_id, emails), d.recipient != ERASED_RECIPIENT)
        .values(
            recipient=ERASED_RECIPIENT,
            subject=None,
            # a platform message must keep a body (it has no broadcast to render from): an empty one
            body=sa.case((d.broadcast_id.is_(None), ""), else_=None),
            external_id=None,
            error_message=None,
            updated_at=sa.func.now(),
        )
        .returning(d.id)
    )
    return list((await session.execute(statement)).scalars())


_ANONYMISE_NOTIFICATIONS = sa.text(f"""
UPDATE "{notification.schema}"."{notification.name}" AS n
SET title = :erased, message = :erased,
    data = (SELECT coalesce(jsonb_object_agg(e.key, e.value), '{{}}'::jsonb)
            FROM jsonb_each(n.data) AS e WHERE e.key ~ '(^id|Ids?)$')
WHERE n.tenant_id = :tenant_id
  AND (n.data ->> 'participantId' = :participant_id OR n.data ->> 'deliveryId' = ANY(CAST(:delivery_ids AS text[])))
  AND NOT (n.title = :erased AND n.message = :erased)
RETURNING n.id
""")


async def anonymise_notifications(
    session: AsyncSession, tenant_id: str, participant_id: str, delivery_ids: Collection[str]
) -> list[str]:
    """Notifications about the participant or of one of ``delivery_ids``: their text replaced, their data down to
    its ids. The ids of those changed."""
    values = {
        "erased": ERASED_TEXT,
        "tenant_id": tenant_id,
        "participant_id": participant_id,
        "delivery_ids": list(delivery_ids),
    }
    return list((await session.execute(_ANONYMISE_NOTIFICATIONS, values)).scalars())


async def delivery_ids(session: AsyncSession, tenant_id: str, participant_id: str) -> list[str]:
    """Every delivery to the participant (blanked already or not): their in-app notifications name them."""
    query = sa.select(d.id).where(d.tenant_id == tenant_id, d.participant_id == participant_id)
    return list((await session.execute(query)).scalars())


async def delete_notification_events(session: AsyncSession, notification_ids: Collection[str]) -> int:
    if not notification_ids:
        return 0
    envelope = outbox.c.envelope
    statement = sa.delete(outbox).where(
        envelope["type"].astext == contract.NOTIFICATION_CREATED.type,
        envelope["data"]["notification"]["id"].astext.in_(list(notification_ids)),
    )
    return (await session.execute(statement)).rowcount


async def anonymise_participant(session: AsyncSession, tenant_id: str, participant_id: str) -> int:
    statement = (
        sa.update(participant)
        .where(
            p.tenant_id == tenant_id,
            p.id == participant_id,
            sa.or_(
                p.first_name != "",
                p.last_name != "",
                p.email.is_not(None),
                p.extras != sa.literal_column("'{}'::jsonb"),
            ),
        )
        # stamped now: an update registration made before the erasure, still on its way, is older and ignored
        .values(first_name="", last_name="", email=None, extras={}, source_updated_at=sa.func.now())
    )
    return (await session.execute(statement)).rowcount
