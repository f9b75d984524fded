"""Kiosks and their visitors' sessions: rows ↔ contract, the device-key lookup, the stale sweep's claims and
the session statistics."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.enums import KioskLanguage
from plenary_contracts.listing import PageMeta
from plenary_kit.db import fetch_page

from ..domain.kiosks import IDLE_TIMEOUT
from .tables import checkpoint, kiosk_device, kiosk_session, participant

Row = sa.Row[Any]
_KIOSK_COLUMNS = [kiosk_device.c[name] for name in contract.Kiosk.model_fields]
SORTABLE: dict[str, sa.ColumnElement[Any]] = {
    "createdAt": kiosk_device.c.created_at,
    "updatedAt": kiosk_device.c.updated_at,
    "name": kiosk_device.c.name,
    "location": kiosk_device.c.location,
    "lastHeartbeat": kiosk_device.c.last_heartbeat,
}


@dataclass(frozen=True)
class KioskDevice:
    """A kiosk as its own operations act for it: the tenant and event it serves, whatever the request says."""

    id: str
    tenant_id: str
    event_id: str
    language: KioskLanguage


@dataclass(frozen=True)
class LockedKiosk:
    kiosk: contract.Kiosk
    api_key_id: str | None


@dataclass(frozen=True)
class SessionCounts:
    total: int
    ended_seconds: float  # the ended sessions' durations, summed
    timed_out: int
    by_type: dict[str, int]


def _kiosk(row: Row) -> contract.Kiosk:
    return contract.Kiosk.model_validate(dict(row._mapping))


def _session(row: Row) -> contract.KioskSession:
    return contract.KioskSession.model_validate(dict(row._mapping))


# --- read models this area checks against ---------------------------------------------------------


async def first_active_checkpoint(db: AsyncSession, tenant_id: str, event_id: str) -> str | None:
    """The event's active checkpoint created first: where a kiosk checks people in."""
    c = checkpoint.c
    query = (
        sa.select(c.id)
        .where(c.tenant_id == tenant_id, c.event_id == event_id, c.is_active)
        .order_by(c.created_at, c.id)
        .limit(1)
    )
    return (await db.execute(query)).scalar()


async def find_participant(
    db: AsyncSession, tenant_id: str, event_id: str, *, email: str | None, registration_code: str | None
) -> contract.ParticipantCard | None:
    """The participant of the event with this e-mail (any case) or exactly this code. Should two match (an
    e-mail two registrations share, a code briefly held twice while it moves), the latest changed one."""
    p = participant.c
    match = p.registration_code == registration_code if email is None else sa.func.lower(p.email) == email.lower()
    query = (
        sa.select(p.id, p.first_name, p.last_name, p.registration_code, p.status)
        .where(p.tenant_id == tenant_id, p.event_id == event_id, match)
        .order_by(p.source_updated_at.desc(), p.id)
        .limit(1)
    )
    row = (await db.execute(query)).first()
    return None if row is None else contract.ParticipantCard.model_validate(dict(row._mapping))


# --- kiosks ---------------------------------------------------------------------------------------


async def name_taken(db: AsyncSession, tenant_id: str, event_id: str, name: str, *, other_than: str = "") -> bool:
    k = kiosk_device.c
    query = sa.select(k.id).where(k.tenant_id == tenant_id, k.event_id == event_id, k.name == name, k.id != other_than)
    return (await db.execute(query)).first() is not None


async def insert_kiosk(db: AsyncSession, values: dict[str, Any]) -> contract.Kiosk | None:
    """The new kiosk; None when the event has a kiosk of that name already (it was taken meanwhile)."""
    k = kiosk_device.c
    statement = (
        insert(kiosk_device)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[k.tenant_id, k.event_id, k.name])
        .returning(*_KIOSK_COLUMNS)
    )
    row = (await db.execute(statement)).first()
    return None if row is None else _kiosk(row)


async def get_kiosk(db: AsyncSession, tenant_id: str, kiosk_id: str) -> contract.Kiosk | None:
    query = sa.select(*_KIOSK_COLUMNS).where(kiosk_device.c.id == kiosk_id, kiosk_device.c.tenant_id == tenant_id)
    row = (await db.execute(query)).first()
    return None if row is None else _kiosk(row)


async def lock_kiosk(db: AsyncSession, tenant_id: str, kiosk_id: str) -> LockedKiosk | None:
    """The kiosk with its key's id, locked for a change or its removal."""
    query = (
        sa.select(*_KIOSK_COLUMNS, kiosk_device.c.api_key_id)
        .where(kiosk_device.c.id == kiosk_id, kiosk_device.c.tenant_id == tenant_id)
        .with_for_update()
    )
    row = (await db.execute(query)).first()
    return None if row is None else LockedKiosk(_kiosk(row), row.api_key_id)


async def update_kiosk(db: AsyncSession, kiosk_id: str, values: dict[str, Any]) -> contract.Kiosk:
    statement = sa.update(kiosk_device).where(kiosk_device.c.id == kiosk_id).values(**values).returning(*_KIOSK_COLUMNS)
    return _kiosk((await db.execute(statement)).one())


async def delete_kiosk(db: AsyncSession, kiosk_id: str) -> None:
    """The kiosk and (by the foreign key's cascade) its sessions."""
    await db.execute(sa.delete(kiosk_device).where(kiosk_device.c.id == kiosk_id))


async def page(db: AsyncSession, tenant_id: str, request: contract.ListKiosks) -> tuple[list[contract.Kiosk], PageMeta]:
    k = kiosk_device.c
    query = sa.select(*_KIOSK_COLUMNS).where(k.tenant_id == tenant_id, k.event_id == request.event_id)
    if request.is_online is not None:
        query = query.where(k.is_online == request.is_online)
    rows, meta = await fetch_page(db, query, request, SORTABLE, k.id)
    return [_kiosk(r) for r in rows], meta


async def by_api_key(db: AsyncSession, api_key_id: str) -> KioskDevice | None:
    """The kiosk that authenticates with this identity API key (unique), in whatever tenant."""
    k = kiosk_device.c
    query = sa.select(k.id, k.tenant_id, k.event_id, k.language).where(k.api_key_id == api_key_id)
    row = (await db.execute(query)).first()
    return None if row is None else KioskDevice(row.id, row.tenant_id, row.event_id, row.language)


async def heartbeat(db: AsyncSession, kiosk_id: str, now: datetime) -> tuple[contract.Kiosk, bool] | None:
    """Mark the kiosk online as of ``now``; returns it and whether it was online before (None when it was
    removed meanwhile). Its ``updatedAt`` moves only when it comes back online: a heartbeat every 30 seconds
    changes nothing else of the record."""
    k = kiosk_device.c
    before = sa.select(k.is_online).where(k.id == kiosk_id).scalar_subquery()  # the statement's snapshot: the old row
    statement = (
        sa.update(kiosk_device)
        .where(k.id == kiosk_id)
        .values(is_online=True, last_heartbeat=now, updated_at=sa.case((k.is_online, k.updated_at), else_=now))
        .returning(*_KIOSK_COLUMNS, before.label("was_online"))
    )
    row = (await db.execute(statement)).first()
    return None if row is None else (_kiosk(row), row.was_online)


async def claim_stale(db: AsyncSession, cutoff: datetime, now: datetime) -> contract.Kiosk | None:
    """Mark one online kiosk silent since before ``cutoff`` offline and return it; None when none is. The
    row is claimed ``FOR UPDATE SKIP LOCKED``: a replica sweeping at the same time passes over it, and a row
    it already marked no longer matches (PostgreSQL re-checks a locked row's latest version), so no kiosk
    goes offline twice."""
    k = kiosk_device.c
    stale = (
        sa.select(k.id)
        .where(k.is_online, k.last_heartbeat < cutoff)
        .order_by(k.last_heartbeat, k.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        sa.update(kiosk_device).where(k.id == stale).values(is_online=False, updated_at=now).returning(*_KIOSK_COLUMNS)
    )
    row = (await db.execute(statement)).first()
    return None if row is None else _kiosk(row)


# --- sessions -------------------------------------------------------------------------------------


async def insert_session(db: AsyncSession, values: dict[str, Any]) -> contract.KioskSession:
    statement = sa.insert(kiosk_session).values(**values).returning(*kiosk_session.c)
    return _session((await db.execute(statement)).one())


async def lock_session(db: AsyncSession, device_id: str, session_id: str) -> contract.KioskSession | None:
    """One of this kiosk's sessions, locked (another kiosk's is not found)."""
    s = kiosk_session.c
    query = sa.select(kiosk_session).where(s.id == session_id, s.device_id == device_id).with_for_update()
    row = (await db.execute(query)).first()
    return None if row is None else _session(row)


async def end_session(db: AsyncSession, session_id: str, values: dict[str, Any]) -> contract.KioskSession:
    statement = (
        sa.update(kiosk_session).where(kiosk_session.c.id == session_id).values(**values).returning(*kiosk_session.c)
    )
    return _session((await db.execute(statement)).one())


async def end_idle_sessions(db: AsyncSession, cutoff: datetime, limit: int) -> int:
    """End up to ``limit`` open sessions started before ``cutoff`` as timed out, each at its start plus the
    idle time-out (domain.kiosks); returns how many. Rows another replica holds are skipped, and one it
    ended no longer matches, so two sweeps never end a session twice. No event is published for sessions, so
    one statement ends a whole batch."""
    s = kiosk_session.c
    idle = (
        sa.select(s.id)
        .where(s.ended_at.is_(None), s.started_at < cutoff)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        sa.update(kiosk_session)
        .where(s.id.in_(idle.scalar_subquery()), s.ended_at.is_(None))
        .values(ended_at=s.started_at + IDLE_TIMEOUT, timed_out=True)
    )
    result = await db.execute(statement)
    return result.rowcount  # type: ignore[attr-defined, no-any-return]


async def session_counts(db: AsyncSession, tenant_id: str, event_id: str) -> SessionCounts:
    """The sessions of the event's kiosks: how many, the ended ones' total duration, how many timed out, and
    how many of each type, in one statement."""
    s, k = kiosk_session.c, kiosk_device.c
    per_type = (
        sa.select(
            s.session_type,
            sa.func.count().label("sessions"),
            sa.func.coalesce(sa.func.sum(sa.extract("epoch", s.ended_at - s.started_at)), 0).label("ended_seconds"),
            sa.func.count().filter(s.timed_out).label("timed_out"),
        )
        .join(kiosk_device, k.id == s.device_id)
        .where(k.tenant_id == tenant_id, k.event_id == event_id, s.tenant_id == tenant_id)
        .group_by(s.session_type)
    )
    rows = (await db.execute(per_type)).all()
    return SessionCounts(
        total=sum(r.sessions for r in rows),
        ended_seconds=float(sum(r.ended_seconds for r in rows)),
        timed_out=sum(r.timed_out for r in rows),
        by_type={str(r.session_type): r.sessions for r in rows},
    )
