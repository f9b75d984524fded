"""The read models comms keeps of other services' records: registration's participants, the events service's
events and participant types, identity's users; and what goes when one of them, or a whole tenant, is deleted.

Changes are guarded by ``source_updated_at`` (the record's ``updatedAt``), so an older event never overwrites
a newer one. Every statement names the tenant: an id of another tenant's record never reaches this tenant's rows.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import events, identity, registration
from plenary_kit.db import purge_tenant, set_if_newer_version, upsert_if_newer

from .tables import (
    event,
    message_delivery,
    messaging,
    metadata,
    notification,
    opt_out,
    participant,
    participant_type,
    recipient_user,
)

Db = AsyncSession | AsyncConnection
p = participant.c
DELEGATION_KEY = "delegationId"  # the extra a delegation's participants carry their delegation's id in


@dataclass(frozen=True)
class Candidate:
    """A participant as an audience reads it (see ``domain.audience.Person``)."""

    id: str
    participant_type_id: str
    status: str
    registered_at: datetime
    delegation_id: str | None
    first_name: str
    last_name: str
    email: str | None
    extras: dict[str, Any]


@dataclass(frozen=True)
class HeldEvent:
    id: str
    name: str
    start_date: datetime
    timezone: str


async def get_event(db: Db, tenant_id: str, event_id: str) -> HeldEvent | None:
    query = sa.select(event.c.id, event.c.name, event.c.start_date, event.c.timezone).where(
        event.c.id == event_id, event.c.tenant_id == tenant_id
    )
    row = (await db.execute(query)).first()
    return None if row is None else HeldEvent(row.id, row.name, row.start_date, row.timezone)


async def candidates(
    db: Db,
    tenant_id: str,
    event_id: str,
    *,
    participant_types: Sequence[str] = (),
    statuses: Sequence[str] = (),
    registered_after: datetime | None = None,
    registered_before: datetime | None = None,
    delegation_ids: Sequence[str] = (),
    include_opted_out: bool = False,
) -> list[Candidate]:
    """The event's participants the plain criteria let through, oldest registration first, those who
    unsubscribed left out unless ``include_opted_out``; the audience's predicate then decides (custom fields
    and the condition included)."""
    query = sa.select(
        p.id, p.participant_type_id, p.status, p.registered_at, p.delegation_id, p.first_name, p.last_name,
        p.email, p.extras,
    ).where(p.tenant_id == tenant_id, p.event_id == event_id)  # fmt: skip
    if participant_types:
        query = query.where(p.participant_type_id.in_(participant_types))
    if statuses:
        query = query.where(p.status.in_(statuses))
    if registered_after is not None:
        query = query.where(p.registered_at >= registered_after)
    if registered_before is not None:
        query = query.where(p.registered_at < registered_before)
    if delegation_ids:
        query = query.where(p.delegation_id.in_(delegation_ids))
    if not include_opted_out:
        unsubscribed = sa.exists().where(opt_out.c.tenant_id == tenant_id, opt_out.c.participant_id == p.id)
        query = query.where(~unsubscribed)
    rows = await db.execute(query.order_by(p.registered_at, p.id))
    return [Candidate(**row._mapping) for row in rows]


async def opt_out_participant(session: AsyncSession, tenant_id: str, participant_id: str) -> None:
    """The participant receives no more non-emergency broadcasts (once is enough: a repeat changes nothing)."""
    statement = insert(opt_out).values(tenant_id=tenant_id, participant_id=participant_id)
    await session.execute(statement.on_conflict_do_nothing())


async def user_email(db: Db, tenant_id: str | None, user_id: str) -> str | None:
    query = sa.select(recipient_user.c.email).where(recipient_user.c.id == user_id)
    if tenant_id is not None:
        query = query.where(sa.or_(recipient_user.c.tenant_id == tenant_id, recipient_user.c.tenant_id.is_(None)))
    return (await db.execute(query)).scalar()


# --- kept from registration's participant events -------------------------------------------------


async def upsert_participant(session: AsyncSession, record: registration.ParticipantRecord) -> None:
    delegation = record.extras.get(DELEGATION_KEY)
    values = {
        "id": record.id,
        "tenant_id": record.tenant_id,
        "event_id": record.event_id,
        "participant_type_id": record.participant_type_id,
        "first_name": record.first_name,
        "last_name": record.last_name,
        "email": record.email,
        "status": record.status,
        "status_version": record.progress_version or 0,
        "extras": record.extras,
        "delegation_id": delegation if isinstance(delegation, str) else None,
        "registered_at": record.created_at,
        "source_updated_at": record.updated_at,
    }
    await upsert_if_newer(session, participant, values, versioned={"status": "status_version"})


async def mirror_status(session: AsyncSession, tenant_id: str, participant_id: str, status: str, version: int) -> None:
    """The status workflow decided, unless a decision as new or newer is already held."""
    await set_if_newer_version(
        session, participant, tenant_id, participant_id, {"status": status}, "status_version", version
    )


async def delete_participant(session: AsyncSession, tenant_id: str, participant_id: str) -> None:
    """The participant and the deliveries addressed to it (sent ones included: they name nobody any more)."""
    await session.execute(
        sa.delete(message_delivery).where(
            message_delivery.c.tenant_id == tenant_id, message_delivery.c.participant_id == participant_id
        )
    )
    await session.execute(sa.delete(participant).where(p.tenant_id == tenant_id, p.id == participant_id))


async def merge_participants(session: AsyncSession, tenant_id: str, survivor_id: str, merged_ids: list[str]) -> None:
    """The merged participants' deliveries now name the survivor; one that would give the survivor a second
    delivery of the same broadcast on the same channel is dropped, so a merged person is not messaged twice."""
    md = message_delivery.c
    survivor = sa.alias(message_delivery, "survivor")
    collides = sa.exists().where(
        survivor.c.participant_id == survivor_id,
        survivor.c.broadcast_id == md.broadcast_id,
        survivor.c.channel == md.channel,
    )
    await session.execute(
        sa.delete(message_delivery).where(md.tenant_id == tenant_id, md.participant_id.in_(merged_ids), collides)
    )
    # Two merged ones may share a broadcast: the first (by id) of each pair is kept.
    keep = (
        sa.select(sa.func.min(md.id))
        .where(md.tenant_id == tenant_id, md.participant_id.in_(merged_ids))
        .group_by(md.broadcast_id, md.channel)
    )
    await session.execute(
        sa.delete(message_delivery).where(
            md.tenant_id == tenant_id,
            md.participant_id.in_(merged_ids),
            md.broadcast_id.is_not(None),
            md.id.not_in(keep),
        )
    )
    await session.execute(
        sa.update(message_delivery)
        .where(md.tenant_id == tenant_id, md.participant_id.in_(merged_ids))
        .values(participant_id=survivor_id)
    )
    await session.execute(
        sa.update(message_delivery)
        .where(md.tenant_id == tenant_id, md.about_participant_id.in_(merged_ids))
        .values(about_participant_id=survivor_id)
    )
    await session.execute(sa.delete(participant).where(p.tenant_id == tenant_id, p.id.in_(merged_ids)))


# --- kept from the events service's events -------------------------------------------------------


async def upsert_event(session: AsyncSession, record: events.Event) -> None:
    values = {
        "id": record.id,
        "tenant_id": record.tenant_id,
        "name": record.name,
        "start_date": record.start_date,
        "timezone": record.timezone,
        "source_updated_at": record.updated_at,
    }
    await upsert_if_newer(session, event, values)


async def delete_event(session: AsyncSession, tenant_id: str, event_id: str) -> None:
    """The event, its participant types and participants; broadcasts keep their history (see the repository)."""
    for table in (participant, participant_type):
        await session.execute(sa.delete(table).where(table.c.tenant_id == tenant_id, table.c.event_id == event_id))
    await session.execute(sa.delete(event).where(event.c.tenant_id == tenant_id, event.c.id == event_id))


async def upsert_participant_type(session: AsyncSession, record: events.ParticipantType) -> None:
    values = {
        "id": record.id,
        "tenant_id": record.tenant_id,
        "event_id": record.event_id,
        "name": record.name,
        "source_updated_at": record.updated_at,
    }
    await upsert_if_newer(session, participant_type, values)


async def delete_participant_type(session: AsyncSession, tenant_id: str, type_id: str) -> None:
    pt = participant_type.c
    await session.execute(sa.delete(participant_type).where(pt.tenant_id == tenant_id, pt.id == type_id))


# --- kept from identity's users ------------------------------------------------------------------


async def upsert_user(session: AsyncSession, record: identity.User) -> None:
    values = {
        "id": record.id,
        "tenant_id": record.tenant_id,
        "email": record.email.lower(),
        "name": record.name,
        "source_updated_at": record.updated_at,
    }
    statement = insert(recipient_user).values(**values)
    changes = {name: statement.excluded[name] for name in values if name != "id"}
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[recipient_user.c.id],
            set_=changes,
            where=recipient_user.c.source_updated_at <= statement.excluded.source_updated_at,
        )
    )


async def delete_user(session: AsyncSession, user_id: str) -> None:
    """The user and their notifications."""
    await session.execute(sa.delete(notification).where(notification.c.user_id == user_id))
    await session.execute(sa.delete(recipient_user).where(recipient_user.c.id == user_id))


# --- a deleted tenant ----------------------------------------------------------------------------


async def purge(session: AsyncSession, tenant_id: str) -> None:
    """Every row of the tenant, dependents first; the messaging tables keep theirs (they are not the tenant's)."""
    await purge_tenant(session, metadata, messaging, tenant_id)
