"""checkin: scans at a checkpoint, manual entry by registration code, offline uploads, and the access log.

A scan with a client ``nonce`` is answered once: repeating the nonce (a retry after a dropped connection, an
offline batch uploaded twice) returns the first answer and writes nothing. Offline scans carry the device's
``scannedAt`` and are applied in that order, so re-entry rules and head counts see them as they happened.
"""

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ...enums import ScanResult, ScanType
from ...errors import ErrorCode
from ...fields import AwareDatetime, Id
from ...files import StoredFile
from ...model import Model
from ...personal import Personal
from ._common import _MANAGING, _NOT_FOUND, _SCANNING, _cmd, _event, _qry, _route

Nonce = Annotated[str, StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Payload = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
RegistrationCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
MAX_UPLOAD = 500


class ScanOutcome(Model):
    result: ScanResult
    reason: str = Field(description="Why, machine-readable: admitted, already_today, participant_revoked, ...")
    message: str
    participant_id: str | None = None
    participant_name: str | None = None
    registration_code: str | None = None
    access_log_id: str
    movement: str | None = Field(None, description="`in` or `out` for an admitted scan.")
    passback: bool = Field(False, description="An entry while the person was already inside: an alert was raised.")
    nonce: str | None = None


class ProcessScan(Model):
    checkpoint_id: Id
    payload: Payload
    scan_type: ScanType = ScanType.QR_SCAN
    override_reason: Reason | None = Field(None, description="Admits past the re-entry policy; logged as such.")
    nonce: Nonce | None = Field(None, description="The device's id for this scan: a repeat returns the first answer.")
    scanned_at: AwareDatetime | None = Field(None, description="The device's time of an offline scan; now if absent.")


class ManualEntry(Model):
    checkpoint_id: Id
    registration_code: RegistrationCode
    override_reason: Reason | None = None
    nonce: Nonce | None = None


class OfflineScan(Model):
    checkpoint_id: Id
    payload: Payload
    scan_type: ScanType = ScanType.QR_SCAN
    override_reason: Reason | None = None
    nonce: Nonce
    scanned_at: AwareDatetime


class UploadScans(Model):
    scans: list[OfflineScan] = Field(min_length=1, max_length=MAX_UPLOAD)


class UploadedScans(Model):
    outcomes: list[ScanOutcome] = Field(description="One per scan, in the order sent (applied in device time order).")


class AccessLogEntry(Model):
    id: str
    tenant_id: str
    event_id: str
    checkpoint_id: str
    participant_id: str | None = None
    scan_type: ScanType
    scan_result: ScanResult
    reason: str
    movement: str | None = None
    qr_payload: str
    scanned_by: str
    device_id: str | None = None
    override_reason: str | None = None
    nonce: str | None = None
    scanned_at: datetime


class ListAccessLog(Model):
    """Newest first, by keyset: pass the reply's ``nextCursor`` as ``after`` for the next page."""

    event_id: Id
    checkpoint_id: Id | None = None
    result: ScanResult | None = None
    participant_id: Id | None = None
    since: AwareDatetime | None = Field(None, description="Scanned at or after.")
    until: AwareDatetime | None = Field(None, description="Scanned before.")
    after: Annotated[str, StringConstraints(max_length=200)] | None = None
    limit: int = Field(50, ge=1, le=500)


class AccessLogPage(Model):
    data: list[AccessLogEntry]
    next_cursor: str | None = None


class ExportAccessLog(Model):
    event_id: Id
    checkpoint_id: Id | None = None
    result: ScanResult | None = None
    participant_id: Id | None = None
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None


class ScanCompleted(Model):
    scan: AccessLogEntry


class AlertCreated(Model):
    kind: str = Field(description="`passback`: an entry while the access log has the person inside.")
    event_id: str
    checkpoint_id: str
    participant_id: str
    access_log_id: str
    refused: bool
    at: datetime


# --- domain events -------------------------------------------------------------------------------

SCAN_COMPLETED = _event(
    "scan",
    "completed",
    ScanCompleted,
    "A scan was answered and logged (every outcome).",
    # what was scanned or typed (a manual entry's registration code), sealed with the participant's key
    personal=Personal("scan.participantId", ("scan.qrPayload", "scan.overrideReason")),
)
ALERT_CREATED = _event("alert", "created", AlertCreated, "Anti-passback: an entry while already inside.")

# --- operations ----------------------------------------------------------------------------------

PROCESS_SCAN = _cmd(
    "process_scan", ProcessScan, ScanOutcome,
    "Decide a scan at a checkpoint and log it: VALID, INVALID, EXPIRED, REVOKED, ALREADY_SCANNED or MANUAL_OVERRIDE.",
    errors=(ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_ERROR), **_SCANNING,
    http=_route("POST", "/checkpoints/{checkpointId}/scans", "Scan a badge", "check-in"),
)  # fmt: skip
MANUAL_ENTRY = _cmd(
    "manual_entry", ManualEntry, ScanOutcome, "Admit by registration code, with the same checks as a scan.",
    errors=(ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_ERROR), **_SCANNING,
    http=_route("POST", "/checkpoints/{checkpointId}/manual-entry", "Admit by registration code", "check-in"),
)  # fmt: skip
UPLOAD_SCANS = _cmd(
    "upload_scans", UploadScans, UploadedScans,
    "Offline scans uploaded late: applied in device time order; a nonce already seen returns its first answer.",
    errors=(ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_ERROR), **_SCANNING, timeout_seconds=30.0,
    http=_route("POST", "/checkin/scans/upload", "Upload offline scans", "check-in"),
)  # fmt: skip
LIST_ACCESS_LOG = _qry(
    "list_access_log", ListAccessLog, AccessLogPage, "An event's access log, newest first, filtered.",
    errors=(ErrorCode.NOT_FOUND, ErrorCode.BAD_REQUEST), **_MANAGING,
    http=_route("GET", "/events/{eventId}/access-log", "List the access log", "check-in"),
)  # fmt: skip
EXPORT_ACCESS_LOG = _qry(
    "export_access_log", ExportAccessLog, StoredFile, "The filtered access log as CSV, every cell quoted.",
    errors=_NOT_FOUND, **_MANAGING, timeout_seconds=120.0,
    http=_route("GET", "/events/{eventId}/access-log/export", "Export the access log", "check-in", download=True),
)  # fmt: skip
