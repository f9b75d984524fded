"""The read models checkin keeps of other services' records: registration's participants (details and status),
workflow's status decisions on them, and the events service's events (end and timezone); and what goes when
one of them, or a whole tenant, is deleted.

Changes from registration and events are guarded by ``source_updated_at`` (the record's ``updatedAt``), so an
older event never overwrites a newer one; workflow's decisions by ``status_version``. Every statement names
the tenant: an id of another tenant's record never reaches this tenant's rows.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import events, registration
from plenary_contracts.enums import ParticipantStatus
from plenary_kit.db import purge_tenant, set_if_newer_version, upsert_if_newer

from .tables import (
    access_log,
    checkpoint,
    device,
    event,
    kiosk_device,
    kiosk_session,
    messaging,
    metadata,
    participant,
    presence,
    queue_ticket,
    venue_occupancy,
)

Db = AsyncSession | AsyncConnection


@dataclass(frozen=True)
class HeldEvent:
    """An event as checkin knows it: when it ends (a later scan is EXPIRED) and its timezone ("today")."""

    id: str
    tenant_id: str
    end_date: datetime
    timezone: str


async def get_event(db: Db, tenant_id: str, event_id: str) -> HeldEvent | None:
    """The tenant's event, or None when checkin has not heard of it there (unknown, deleted, another tenant's)."""
    query = sa.select(event.c.id, event.c.tenant_id, event.c.end_date, event.c.timezone).where(
        event.c.id == event_id, event.c.tenant_id == tenant_id
    )
    row = (await db.execute(query)).first()
    return None if row is None else HeldEvent(row.id, row.tenant_id, row.end_date, row.timezone)


# --- kept from the events service's events -------------------------------------------------------


async def upsert_event(session: AsyncSession, record: events.Event) -> None:
    values = {
        "id": record.id,
        "tenant_id": record.tenant_id,
        "end_date": record.end_date,
        "timezone": record.timezone,
        "source_updated_at": record.updated_at,
    }
    await upsert_if_newer(session, event, values)


async def delete_event(session: AsyncSession, tenant_id: str, event_id: str) -> None:
    """Every check-in row of the event, dependents first: its checkpoints (their access log cascades), head
    counts, presence, kiosks (their sessions cascade), queue tickets, scanners, participants, the event."""
    for table in (checkpoint, venue_occupancy, presence, kiosk_device, queue_ticket, device, participant):
        await session.execute(sa.delete(table).where(table.c.tenant_id == tenant_id, table.c.event_id == event_id))
    await session.execute(sa.delete(event).where(event.c.tenant_id == tenant_id, event.c.id == event_id))


# --- kept from registration's participant events -------------------------------------------------


async def upsert_participant(session: AsyncSession, record: registration.ParticipantRecord) -> None:
    values = {
        "id": record.id,
        "tenant_id": record.tenant_id,
        "event_id": record.event_id,
        "participant_type_id": record.participant_type_id,
        "registration_code": record.registration_code,
        "first_name": record.first_name,
        "last_name": record.last_name,
        "email": record.email,
        "status": record.status,
        "status_version": record.progress_version or 0,
        "source_updated_at": record.updated_at,
    }
    await upsert_if_newer(session, participant, values, versioned={"status": "status_version"})


async def delete_participant(session: AsyncSession, tenant_id: str, participant_id: str) -> None:
    """The participant, where it stands and its queue tickets go; its scans and kiosk sessions stay, no
    longer naming anyone (the scan trail is kept)."""
    await _forget_participants(session, tenant_id, [participant_id])


async def merge_participants(session: AsyncSession, tenant_id: str, survivor_id: str, merged_ids: list[str]) -> None:
    """The merged participants' scans, queue tickets and kiosk sessions now name the survivor; where the
    merged ones stood (presence) and their rows go. The survivor's own row came with registration's
    ``participant.updated``, published just before ``participant.merged``."""
    for table in (access_log, queue_ticket, kiosk_session):
        await session.execute(
            sa.update(table)
            .where(table.c.tenant_id == tenant_id, table.c.participant_id.in_(merged_ids))
            .values(participant_id=survivor_id)
        )
    await _forget_participants(session, tenant_id, merged_ids)


async def _forget_participants(session: AsyncSession, tenant_id: str, participant_ids: list[str]) -> None:
    for table in (access_log, kiosk_session):
        await session.execute(
            sa.update(table)
            .where(table.c.tenant_id == tenant_id, table.c.participant_id.in_(participant_ids))
            .values(participant_id=None)
        )
    for table in (presence, queue_ticket):
        await session.execute(
            sa.delete(table).where(table.c.tenant_id == tenant_id, table.c.participant_id.in_(participant_ids))
        )
    await session.execute(
        sa.delete(participant).where(participant.c.tenant_id == tenant_id, participant.c.id.in_(participant_ids))
    )


# --- kept from workflow's status decisions -------------------------------------------------------


async def mirror_status(
    session: AsyncSession, tenant_id: str, participant_id: str, status: ParticipantStatus, version: int
) -> bool:
    """Set the status workflow decided, unless a decision as new or newer is already held (a redelivered or
    reordered one); False when nothing changed, a participant checkin does not hold included."""
    changed = {"status": status}
    return await set_if_newer_version(
        session, participant, tenant_id, participant_id, changed, "status_version", version
    )


# --- a deleted tenant ----------------------------------------------------------------------------


async def purge(session: AsyncSession, tenant_id: str) -> None:
    """Every row of the tenant, dependents first; the messaging tables keep theirs (they are not the tenant's)."""
    await purge_tenant(session, metadata, messaging, tenant_id)
