"""What a scan reads and writes: the busiest path of an event day, so two statements per scan.

``scene`` loads everything the decision needs in one statement: the checkpoint, the participant (by the
badge's id, or by registration code for a manual entry), their event's end and timezone, their presence in
the checkpoint's zone, their latest entry at this checkpoint, the badge's public key (not retired), the
calling device, and the scan a repeated nonce already logged. ``record`` writes the outcome in one
statement: the access log row, the presence and the zone's head count (moved only when the row went in,
so a nonce's second arrival moves nothing), and the paired scanner's last contact. Both run on the driver's
connection as prepared statements.

Scans of one participant run one at a time (a transaction-level advisory lock, taken with the unit of
work's BEGIN at no extra round trip), so two gates reading the same badge at once cannot both see "not
yet admitted today" or both move the count.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.enums import CheckpointDirection, ParticipantStatus, ReentryPolicy, ScanResult, ScanType
from plenary_kit.db import fetch_one
from plenary_kit.db.raw import defer

from ..domain import scanning
from .occupancy_repository import Zone
from .tables import metadata

S = metadata.schema
# The latest entry at the checkpoint with one admitting result: one probe of the index (participant_id,
# checkpoint_id, scan_result, scanned_at) from its end, whatever the checkpoint's traffic.
_LATEST = f"""(SELECT a.scanned_at FROM {S}.access_log a
         WHERE a.participant_id = p.id AND a.checkpoint_id = cp.id AND a.scan_result = '{{result}}'
           AND a.scanned_at <= %(at)s::timestamptz AND a.movement = 'in'
         ORDER BY a.scanned_at DESC LIMIT 1)"""


@dataclass(frozen=True)
class LoggedScan:
    """An access log row as a replayed answer needs it."""

    id: str
    scan_type: ScanType
    result: ScanResult
    reason: str
    movement: str | None
    passback: bool
    participant_id: str | None
    participant_name: str | None
    registration_code: str | None
    nonce: str | None


@dataclass(frozen=True)
class Scene:
    """Everything a scan's decision reads, as of one statement."""

    checkpoint: scanning.Checkpoint
    participant: scanning.Participant | None
    participant_name: str | None
    registration_code: str | None
    event: scanning.Event | None
    history: scanning.History
    public_key: bytes | None  # the badge's key of the caller's tenant, unless unknown or retired
    device_id: str | None  # the paired scanner whose API key calls
    seen: LoggedScan | None  # what the request's nonce already logged


_SCENE = f"""
SELECT cp.event_id AS checkpoint_event_id, cp.is_active, cp.direction, cp.reentry, cp.zone_id,
       cp.allowed_participant_type_ids, cp.refuse_passback,
       p.id AS participant_id, p.event_id AS participant_event_id, p.status, p.participant_type_id,
       p.badge_generation, p.first_name, p.last_name, p.registration_code,
       e.id AS event_id, e.end_date, e.timezone,
       pr.inside,
       greatest({_LATEST.format(result=ScanResult.VALID)}, {_LATEST.format(result=ScanResult.MANUAL_OVERRIDE)})
           AS last_admitted_here,
       k.public_key,
       d.id AS device_id,
       s.id AS seen_id, s.nonce AS seen_nonce, s.scan_type AS seen_scan_type, s.scan_result AS seen_result,
       s.reason AS seen_reason, s.movement AS seen_movement, s.passback AS seen_passback,
       s.participant_id AS seen_participant_id, sp.first_name AS seen_first_name,
       sp.last_name AS seen_last_name, sp.registration_code AS seen_registration_code
FROM {S}.checkpoint cp
{{participant}}
LEFT JOIN {S}.event e ON e.id = {{event}} AND e.tenant_id = cp.tenant_id
LEFT JOIN {S}.presence pr ON pr.participant_id = p.id AND pr.tenant_id = cp.tenant_id
     AND (pr.zone_id = cp.zone_id OR (pr.zone_id IS NULL AND cp.zone_id IS NULL))
LEFT JOIN {S}.badge_key k ON k.tenant_id = cp.tenant_id AND k.key_id = %(key_id)s::text AND k.retired_at IS NULL
LEFT JOIN {S}.device d ON d.api_key_id = %(api_key_id)s::text AND d.tenant_id = cp.tenant_id
LEFT JOIN {S}.access_log s ON s.tenant_id = cp.tenant_id AND s.nonce = %(nonce)s::text
LEFT JOIN {S}.participant sp ON sp.id = s.participant_id AND sp.tenant_id = s.tenant_id
WHERE cp.id = %(checkpoint_id)s::text AND cp.tenant_id = %(tenant_id)s::text
"""
_BY_BADGE = _SCENE.format(
    participant=f"LEFT JOIN {S}.participant p ON p.id = %(participant_id)s::text AND p.tenant_id = cp.tenant_id",
    event="%(event_id)s::text",
)
# By registration code in the checkpoint's event. The code is not unique in the read model (two streams may
# briefly show two people with one code while it moves): the latest change wins.
_BY_CODE = _SCENE.format(
    participant=f"""LEFT JOIN LATERAL (
    SELECT * FROM {S}.participant q
    WHERE q.tenant_id = cp.tenant_id AND q.event_id = cp.event_id AND q.registration_code = %(code)s::text
    ORDER BY q.source_updated_at DESC, q.id LIMIT 1) p ON true""",
    event="cp.event_id",
)

_RECORD = f"""
WITH logged AS (
    INSERT INTO {S}.access_log (id, tenant_id, checkpoint_id, event_id, participant_id, scan_type, scan_result,
        reason, movement, passback, zone_id, nonce, qr_payload, scanned_by, device_id, override_reason, scanned_at)
    VALUES (%(id)s::text, %(tenant_id)s::text, %(checkpoint_id)s::text, %(event_id)s::text,
        %(participant_id)s::text, %(scan_type)s::text, %(scan_result)s::text, %(reason)s::text, %(movement)s::text,
        %(passback)s::boolean, %(zone_id)s::text, %(nonce)s::text, %(qr_payload)s::text, %(scanned_by)s::text,
        %(device_id)s::text, %(override_reason)s::text, %(scanned_at)s::timestamptz)
    ON CONFLICT (tenant_id, nonce) WHERE nonce IS NOT NULL DO NOTHING
    RETURNING id
), moved AS (
    INSERT INTO {S}.presence (tenant_id, event_id, participant_id, zone_id, inside, moved_at)
    SELECT %(tenant_id)s::text, %(event_id)s::text, %(participant_id)s::text, %(zone_id)s::text,
        %(inside)s::boolean, %(scanned_at)s::timestamptz
    FROM logged WHERE %(inside)s::boolean IS NOT NULL
    ON CONFLICT ON CONSTRAINT uq_presence_participant_id_zone_id DO UPDATE
        SET inside = excluded.inside, moved_at = excluded.moved_at, event_id = excluded.event_id
        WHERE presence.moved_at <= excluded.moved_at  -- a late offline scan never undoes a newer move
), heard AS (  -- the scanner's last contact, written at most every 30 s: not a write per scan on its row
    UPDATE {S}.device SET last_seen_at = now()
    WHERE id = %(device_id)s::text AND tenant_id = %(tenant_id)s::text
        AND (last_seen_at IS NULL OR last_seen_at < now() - interval '30 seconds')
), counted AS (
    UPDATE {S}.venue_occupancy o
    SET current_count = greatest(o.current_count + %(delta)s::integer, 0), last_updated = now()
    WHERE o.event_id = %(event_id)s::text AND o.tenant_id = %(tenant_id)s::text
        AND (o.zone_id = %(zone_id)s::text OR (o.zone_id IS NULL AND %(zone_id)s::text IS NULL))
        AND %(delta)s::integer <> 0 AND (%(delta)s::integer > 0 OR o.current_count > 0)
        AND EXISTS (SELECT FROM logged)
    RETURNING o.event_id, o.zone_id, o.current_count, o.max_capacity, o.last_updated
)
SELECT (SELECT id FROM logged) AS logged_id, c.event_id, c.zone_id, c.current_count, c.max_capacity, c.last_updated
FROM (SELECT) AS one LEFT JOIN counted c ON true
"""

_LOGGED = f"""
SELECT s.id AS seen_id, s.nonce AS seen_nonce, s.scan_type AS seen_scan_type, s.scan_result AS seen_result,
       s.reason AS seen_reason, s.movement AS seen_movement, s.passback AS seen_passback,
       s.participant_id AS seen_participant_id, sp.first_name AS seen_first_name,
       sp.last_name AS seen_last_name, sp.registration_code AS seen_registration_code
FROM {S}.access_log s
LEFT JOIN {S}.participant sp ON sp.id = s.participant_id AND sp.tenant_id = s.tenant_id
WHERE s.tenant_id = %(tenant_id)s::text AND s.nonce = %(nonce)s::text
"""


def _lock_key(tenant_id: str, participant_id: str) -> int:
    digest = hashlib.blake2b(f"checkin.scan:{tenant_id}:{participant_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def serialize(
    session: AsyncSession, tenant_id: str, participant_ids: Iterable[str], *, upload: bool = False
) -> None:
    """Take the scan locks of these participants (and with ``upload``, the tenant's upload lock first) when the
    unit of work sends its next statement, in one order every caller shares, so two holders never wait on
    each other. An upload takes them all before its first scan: it then never waits for a participant while
    holding a head count's row. Uploads of a tenant run one at a time, so two never take the rows of two
    zones in opposite orders."""
    keys = sorted({_lock_key(tenant_id, p) for p in participant_ids})
    if upload:
        keys.insert(0, _lock_key(tenant_id, "*upload*"))
    if keys:
        connection = await session.connection()
        defer(connection.info, "SELECT " + ", ".join(f"pg_advisory_xact_lock({k})" for k in keys))


async def scene_by_badge(
    session: AsyncSession,
    *,
    tenant_id: str,
    checkpoint_id: str,
    participant_id: str | None,
    event_id: str | None,
    key_id: str | None,
    api_key_id: str | None,
    nonce: str | None,
    at: datetime,
) -> Scene | None:
    """The scene of a badge scan (participant and key unread when the badge named none of the caller's
    tenant); None when the checkpoint is not the tenant's."""
    params = {
        "tenant_id": tenant_id,
        "checkpoint_id": checkpoint_id,
        "participant_id": participant_id,
        "event_id": event_id,
        "key_id": key_id,
        "api_key_id": api_key_id,
        "nonce": nonce,
        "at": at,
    }
    row = await fetch_one(session, _BY_BADGE, params)
    return None if row is None else _scene(row, tenant_id, checkpoint_id)


async def scene_by_code(
    session: AsyncSession,
    *,
    tenant_id: str,
    checkpoint_id: str,
    registration_code: str,
    api_key_id: str | None,
    nonce: str | None,
    at: datetime,
) -> Scene | None:
    """The scene of a manual entry: the participant with this code in the checkpoint's event."""
    params = {
        "tenant_id": tenant_id,
        "checkpoint_id": checkpoint_id,
        "code": registration_code,
        "key_id": None,
        "api_key_id": api_key_id,
        "nonce": nonce,
        "at": at,
    }
    row = await fetch_one(session, _BY_CODE, params)
    return None if row is None else _scene(row, tenant_id, checkpoint_id)


def _scene(row: dict[str, Any], tenant_id: str, checkpoint_id: str) -> Scene:
    allowed = row["allowed_participant_type_ids"]
    checkpoint = scanning.Checkpoint(
        id=checkpoint_id,
        tenant_id=tenant_id,
        event_id=row["checkpoint_event_id"],
        is_active=row["is_active"],
        direction=CheckpointDirection(row["direction"]),
        reentry=ReentryPolicy(row["reentry"]),
        zone_id=row["zone_id"],
        allowed_type_ids=None if allowed is None else frozenset(allowed),
        refuse_passback=row["refuse_passback"],
    )
    participant = None
    if row["participant_id"] is not None:
        participant = scanning.Participant(
            id=row["participant_id"],
            tenant_id=tenant_id,
            event_id=row["participant_event_id"],
            status=ParticipantStatus(row["status"]),
            type_id=row["participant_type_id"],
            badge_generation=row["badge_generation"],
        )
    event = None
    if row["end_date"] is not None:
        event = scanning.Event(id=row["event_id"], ends_at=row["end_date"], timezone=row["timezone"])
    return Scene(
        checkpoint=checkpoint,
        participant=participant,
        participant_name=None if participant is None else f"{row['first_name']} {row['last_name']}",
        registration_code=row["registration_code"],
        event=event,
        history=scanning.History(last_admitted_here=row["last_admitted_here"], inside=bool(row["inside"])),
        public_key=None if row["public_key"] is None else bytes(row["public_key"]),
        device_id=row["device_id"],
        seen=_seen(row),
    )


def _seen(row: dict[str, Any]) -> LoggedScan | None:
    if row["seen_id"] is None:
        return None
    named = row["seen_first_name"] is not None
    return LoggedScan(
        id=row["seen_id"],
        scan_type=ScanType(row["seen_scan_type"]),
        result=ScanResult(row["seen_result"]),
        reason=row["seen_reason"],
        movement=row["seen_movement"],
        passback=row["seen_passback"],
        participant_id=row["seen_participant_id"],
        participant_name=f"{row['seen_first_name']} {row['seen_last_name']}" if named else None,
        registration_code=row["seen_registration_code"],
        nonce=row["seen_nonce"],
    )


async def logged(session: AsyncSession, tenant_id: str, nonce: str) -> LoggedScan | None:
    """The scan a nonce logged (another request's, committed while this one waited on the nonce)."""
    row = await fetch_one(session, _LOGGED, {"tenant_id": tenant_id, "nonce": nonce})
    return None if row is None else _seen(row)


@dataclass(frozen=True)
class Entry:
    """One access log row to write, with what it moves."""

    id: str
    tenant_id: str
    checkpoint_id: str
    event_id: str
    participant_id: str | None
    scan_type: ScanType
    scan_result: ScanResult
    reason: str
    movement: scanning.Movement | None
    passback: bool
    zone_id: str | None
    nonce: str | None
    qr_payload: str
    scanned_by: str
    device_id: str | None
    override_reason: str | None
    scanned_at: datetime


@dataclass(frozen=True)
class Recorded:
    logged: bool  # False: the nonce was logged by another request first, and nothing was written
    zone: Zone | None  # the head count the scan moved, if it moved one


async def record(session: AsyncSession, entry: Entry) -> Recorded:
    """Write the scan's row, and for an admitted one the presence and the zone's count (floored at 0; a zone
    without a row is not counted), in one statement."""
    moves = entry.movement is not None and entry.participant_id is not None
    params = {
        "id": entry.id,
        "tenant_id": entry.tenant_id,
        "checkpoint_id": entry.checkpoint_id,
        "event_id": entry.event_id,
        "participant_id": entry.participant_id,
        "scan_type": entry.scan_type.value,
        "scan_result": entry.scan_result.value,
        "reason": entry.reason,
        "movement": None if entry.movement is None else entry.movement.value,
        "passback": entry.passback,
        "zone_id": entry.zone_id if moves else None,
        "nonce": entry.nonce,
        "qr_payload": entry.qr_payload,
        "scanned_by": entry.scanned_by,
        "device_id": entry.device_id,
        "override_reason": entry.override_reason,
        "scanned_at": entry.scanned_at,
        "inside": (entry.movement is scanning.Movement.IN) if moves else None,
        "delta": 0 if not moves else 1 if entry.movement is scanning.Movement.IN else -1,
    }
    row = await fetch_one(session, _RECORD, params)
    assert row is not None
    zone = None
    if row["current_count"] is not None:
        zone = Zone(row["event_id"], row["zone_id"], row["current_count"], row["max_capacity"], row["last_updated"])
    return Recorded(logged=row["logged_id"] is not None, zone=zone)
