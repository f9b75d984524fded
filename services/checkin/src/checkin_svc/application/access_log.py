"""An event's access log: listed newest first by keyset, and exported as CSV behind a download link.

The list's cursor is opaque to callers: pass a reply's ``nextCursor`` as ``after``; anything else is a 400.

The export writes every row the filters match, whatever their number: rows come from the database a chunk
at a time and the CSV goes to the files bucket a chunk at a time as it is written, so neither the rows nor
the file are ever held whole. Every cell is quoted. A cell that begins with ``=``, ``+``, ``-`` or ``@`` (or
a tab or carriage return) gets a leading apostrophe: a spreadsheet would otherwise run it as a formula
(CSV injection), and names, locations and override reasons are typed by people who may not mean well.
Times are written in the event's timezone, with their offset.
"""

import base64
import binascii
import csv
import io
from collections.abc import AsyncGenerator, Callable, Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from nats.js import JetStreamContext

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.errors import BadRequest
from plenary_contracts.files import StoredFile
from plenary_kit.acting import tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.files import file_key, put_streamed

from ..adapters import access_log_repository as access_logs
from .directory import known_event

CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"  # spreadsheet programs then read the file as UTF-8
CHUNK = 5000
HEADER = (
    "Scanned At",
    "Checkpoint",
    "Location",
    "Participant Name",
    "Registration Code",
    "Scan Type",
    "Result",
    "Override Reason",
    "Scanned By",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- the list ------------------------------------------------------------------------------------


def _filters(tenant_id: str, request: contract.ListAccessLog | contract.ExportAccessLog) -> access_logs.LogFilter:
    return access_logs.LogFilter(
        tenant_id=tenant_id,
        event_id=request.event_id,
        checkpoint_id=request.checkpoint_id,
        result=request.result,
        participant_id=request.participant_id,
        since=request.since,
        until=request.until,
    )


def encode_cursor(scanned_at: datetime, row_id: str) -> str:
    return base64.urlsafe_b64encode(f"{scanned_at.isoformat()}|{row_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> access_logs.Position:
    """The position a cursor names; 400 for anything this list did not give."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, row_id = text.partition("|")
        scanned_at = datetime.fromisoformat(at)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        scanned_at, row_id = None, ""
    if scanned_at is None or scanned_at.tzinfo is None or not row_id:
        raise BadRequest("after is not a cursor this list gave (pass a reply's nextCursor)")
    return scanned_at, row_id


async def list_access_log(request: contract.ListAccessLog, uow: UnitOfWork) -> contract.AccessLogPage:
    tenant_id = tenant()
    await known_event(uow, tenant_id, request.event_id)
    after = decode_cursor(request.after) if request.after else None
    rows = await access_logs.page(uow.session, _filters(tenant_id, request), after, request.limit + 1)
    shown = rows[: request.limit]
    more = len(rows) > request.limit
    return contract.AccessLogPage(
        data=shown, next_cursor=encode_cursor(shown[-1].scanned_at, shown[-1].id) if more else None
    )


# --- the export ----------------------------------------------------------------------------------


def _cell(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_row(scan: access_logs.ExportedScan, zone: ZoneInfo) -> list[str]:
    name = " ".join(part for part in (scan.first_name, scan.last_name) if part)
    return [
        _cell(scan.scanned_at.astimezone(zone).isoformat(timespec="seconds")),
        _cell(scan.checkpoint_name),
        _cell(scan.location),
        _cell(name),
        _cell(scan.registration_code),
        _cell(scan.scan_type.value),
        _cell(scan.scan_result.value),
        _cell(scan.override_reason),
        _cell(scan.scanned_by),
    ]


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    """Rows as CSV: every cell quoted (inner quotes doubled), each line ended by LF."""
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return out.getvalue()


class AccessLogExports:
    def __init__(self, jetstream: Callable[[], JetStreamContext]) -> None:
        self.jetstream = jetstream

    async def export_access_log(self, request: contract.ExportAccessLog, uow: UnitOfWork) -> StoredFile:
        tenant_id = tenant()
        event = await known_event(uow, tenant_id, request.event_id)
        zone = ZoneInfo(event.timezone)
        filters = _filters(tenant_id, request)

        async def chunks() -> AsyncGenerator[bytes, None]:
            yield (BOM + csv_text([HEADER])).encode()
            async for scans in access_logs.exported(uow.session, filters, chunk=CHUNK):
                yield csv_text(csv_row(scan, zone) for scan in scans).encode()

        name = f"access-log-{request.event_id}-{utcnow():%Y%m%dT%H%M%SZ}.csv"
        key = file_key(tenant_id, "exports", name)
        size, digest = await put_streamed(self.jetstream(), key, chunks())
        return StoredFile(key=key, file_name=name, content_type=CONTENT_TYPE, size=size, sha256=digest)
