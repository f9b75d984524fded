"""Reading an event's access log: newest first, by keyset on ``(scanned_at, id)``, filtered.

A keyset page costs the same on page 1 and page 10,000 (the index ``(tenant_id, event_id, scanned_at, id)``
leads straight to it) and a scan logged meanwhile neither repeats nor skips a row of the next page, which
an offset would. The export walks the same keyset in chunks, so it never holds the whole log, needs no
transaction around a server-side cursor, and each chunk is one short statement.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.enums import ScanResult, ScanType

from .tables import access_log, checkpoint, participant

Db = AsyncSession | AsyncConnection
Position = tuple[datetime, str]  # (scanned_at, id) of the last row seen


@dataclass(frozen=True)
class LogFilter:
    tenant_id: str
    event_id: str
    checkpoint_id: str | None = None
    result: ScanResult | None = None
    participant_id: str | None = None
    since: datetime | None = None  # scanned at or after
    until: datetime | None = None  # scanned before


@dataclass(frozen=True)
class ExportedScan:
    """One access log row as the export writes it: the checkpoint and participant named, not only their ids."""

    id: str
    scanned_at: datetime
    checkpoint_name: str
    location: str | None
    first_name: str | None  # None: the participant is unknown or was deleted since
    last_name: str | None
    registration_code: str | None
    scan_type: ScanType
    scan_result: ScanResult
    override_reason: str | None
    scanned_by: str


def _where(filters: LogFilter, after: Position | None) -> list[sa.ColumnElement[bool]]:
    log = access_log.c
    conditions = [log.tenant_id == filters.tenant_id, log.event_id == filters.event_id]
    if filters.checkpoint_id is not None:
        conditions.append(log.checkpoint_id == filters.checkpoint_id)
    if filters.result is not None:
        conditions.append(log.scan_result == filters.result)
    if filters.participant_id is not None:
        conditions.append(log.participant_id == filters.participant_id)
    if filters.since is not None:
        conditions.append(log.scanned_at >= filters.since)
    if filters.until is not None:
        conditions.append(log.scanned_at < filters.until)
    if after is not None:
        position = sa.tuple_(sa.literal(after[0], log.scanned_at.type), sa.literal(after[1], log.id.type))
        conditions.append(sa.tuple_(log.scanned_at, log.id) < position)
    return conditions


_NEWEST_FIRST = (access_log.c.scanned_at.desc(), access_log.c.id.desc())


async def page(db: Db, filters: LogFilter, after: Position | None, limit: int) -> list[contract.AccessLogEntry]:
    """Up to ``limit`` rows older than ``after`` (from the newest when None), newest first."""
    query = sa.select(access_log).where(*_where(filters, after)).order_by(*_NEWEST_FIRST).limit(limit)
    return [_entry(row) for row in (await db.execute(query)).all()]


async def exported(db: Db, filters: LogFilter, *, chunk: int) -> AsyncIterator[list[ExportedScan]]:
    """Every matching row, newest first, ``chunk`` rows per statement."""
    log, point, person = access_log.c, checkpoint.c, participant.c
    columns = (
        log.id,
        log.scanned_at,
        point.name.label("checkpoint_name"),
        point.location,
        person.first_name,
        person.last_name,
        person.registration_code,
        log.scan_type,
        log.scan_result,
        log.override_reason,
        log.scanned_by,
    )
    joined = access_log.join(checkpoint, point.id == log.checkpoint_id).outerjoin(
        participant, sa.and_(person.id == log.participant_id, person.tenant_id == log.tenant_id)
    )
    after: Position | None = None
    while True:
        query = (
            sa.select(*columns).select_from(joined).where(*_where(filters, after)).order_by(*_NEWEST_FIRST).limit(chunk)
        )
        rows = (await db.execute(query)).all()
        if not rows:
            return
        yield [ExportedScan(**row._mapping) for row in rows]
        if len(rows) < chunk:
            return
        after = (rows[-1].scanned_at, rows[-1].id)


def _entry(row: sa.Row[Any]) -> contract.AccessLogEntry:
    values = row._mapping
    return contract.AccessLogEntry.model_validate({name: values[name] for name in contract.AccessLogEntry.model_fields})
