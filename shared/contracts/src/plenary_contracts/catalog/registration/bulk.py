"""registration: bulk import (validate, preview, confirm, cancel, undo) and export of participants."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ...enums import (
    BulkItemStatus,
    BulkOperationStatus,
    BulkOperationType,
    ParticipantStatus,
)
from ...errors import ErrorCode
from ...fields import AwareDatetime, Id
from ...files import StoredFile
from ...flags import FlagKey
from ...listing import ListQuery, Page
from ...model import Model
from ...permissions import Permission
from ._common import _NOT_FOUND, _STATE_ERRORS, _WRITE_ERRORS, _cmd, _event, _qry, _route

UNDO_HOURS = 24
MAX_IMPORT_ROWS = 100_000
MAX_IMPORT_BYTES = 50 * 1024 * 1024
PREVIEW_ROWS = 20


class ImportCounts(Model):
    total: int = 0
    valid: int = 0
    warning: int = 0
    error: int = 0


class BulkOperation(Model):
    id: str
    tenant_id: str
    event_id: str
    type: BulkOperationType
    status: BulkOperationStatus
    description: str
    file_name: str | None = None
    mappings: dict[str, str] | None = Field(None, description="Column header → participant field.")
    counts: ImportCounts | None = None
    total_items: int
    processed_items: int
    success_count: int
    failure_count: int
    download_url: str | None = Field(None, description="An export's file, under /api/v1.")
    undo_deadline: datetime | None = None
    error_log: list[str] | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    rolled_back_at: datetime | None = None
    created_by: str
    created_at: datetime
    updated_at: datetime


class CreateImport(Model):
    """The file comes as the request body (CSV or XLSX); the gateway stores it and passes ``file``."""

    event_id: Id
    file: StoredFile
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] | None = None
    participant_type_id: Id | None = Field(
        None, description="The type every row registers as; the event's first if absent."
    )


class BulkOperationRef(Model):
    id: Id


class ValidateImport(Model):
    id: Id
    mappings: (
        dict[Annotated[str, StringConstraints(max_length=200)], Annotated[str, StringConstraints(max_length=64)]] | None
    ) = Field(
        None, description="Column header → participant field; suggested (names, aliases, Levenshtein ≤ 2) if absent."
    )


class PreviewRow(Model):
    row_number: int
    status: BulkItemStatus
    data: dict[str, Any]
    message: str | None = None


class ImportPreview(Model):
    operation: BulkOperation
    headers: list[str]
    mappings: dict[str, str]
    unmapped_required: list[str]
    counts: ImportCounts
    preview: list[PreviewRow]


class BulkItem(Model):
    id: str
    operation_id: str
    participant_id: str | None = None
    row_number: int | None = None
    status: BulkItemStatus
    input_data: dict[str, Any] | None = None
    error_message: str | None = None
    processed_at: datetime | None = None


class ListBulkItems(ListQuery):
    id: Id
    page_size: int = Field(50, ge=1, le=100)
    sort: str = Field("rowNumber:asc", pattern=r"^[A-Za-z][A-Za-z0-9_]*:(asc|desc)$")
    status: BulkItemStatus | None = None


class BulkItemPage(Page[BulkItem]):
    pass


class ListBulkOperations(ListQuery):
    event_id: Id
    type: BulkOperationType | None = None
    status: BulkOperationStatus | None = None


class BulkOperationPage(Page[BulkOperation]):
    pass


ExportField = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class ExportParticipants(Model):
    event_id: Id
    status: ParticipantStatus | None = None
    participant_type_id: Id | None = None
    created_from: AwareDatetime | None = None
    created_to: AwareDatetime | None = None
    fields: list[ExportField] | None = Field(None, description="Fixed and dynamic field names; default all.")


class BulkOperationChanged(Model):
    operation: BulkOperation


# --- domain events -------------------------------------------------------------------------------

BULK_OPERATION_CREATED = _event("bulk_operation", "created", BulkOperationChanged, "An import was uploaded.")
BULK_OPERATION_VALIDATED = _event("bulk_operation", "validated", BulkOperationChanged, "An import was checked.")
BULK_OPERATION_CONFIRMED = _event("bulk_operation", "confirmed", BulkOperationChanged, "An import will run.")
BULK_OPERATION_PROGRESSED = _event("bulk_operation", "progressed", BulkOperationChanged, "A chunk was imported.")
BULK_OPERATION_COMPLETED = _event("bulk_operation", "completed", BulkOperationChanged, "An import or export ended.")
BULK_OPERATION_FAILED = _event("bulk_operation", "failed", BulkOperationChanged, "An import failed entirely.")
BULK_OPERATION_ROLLED_BACK = _event("bulk_operation", "rolled_back", BulkOperationChanged, "An import was undone.")
BULK_OPERATION_CANCELLED = _event("bulk_operation", "cancelled", BulkOperationChanged, "An import was dropped.")
_BULK = Permission("bulk-operations", "execute")
_BULKY = {"flag": FlagKey.BULK_OPERATIONS, "permission": _BULK}


# --- operations ----------------------------------------------------------------------------------

CREATE_IMPORT = _cmd(
    "create_import", CreateImport, BulkOperation,
    "Upload a CSV or XLSX of participants (the request body; `fileName` in the query) for validation.",
    errors=_WRITE_ERRORS, **_BULKY,
    http=_route("POST", "/events/{eventId}/imports", "Upload an import", "bulk", 201, upload="file"),
)  # fmt: skip
VALIDATE_IMPORT = _cmd(
    "validate_import", ValidateImport, ImportPreview,
    "Map columns (given or suggested), check every row (errors and warnings), and preview the first 20.",
    errors=(*_STATE_ERRORS, ErrorCode.VALIDATION_ERROR), **_BULKY, timeout_seconds=180.0,
    http=_route("POST", "/bulk-operations/{id}/validate", "Validate an import", "bulk"),
)  # fmt: skip
CONFIRM_IMPORT = _cmd(
    "confirm_import", BulkOperationRef, BulkOperation,
    "Run a previewed import in the background, resumably; follow it with GET or `bulk_operation.progressed`.",
    errors=_STATE_ERRORS, **_BULKY, http=_route("POST", "/bulk-operations/{id}/confirm", "Run an import", "bulk"),
)  # fmt: skip
CANCEL_IMPORT = _cmd(
    "cancel_import", BulkOperationRef, BulkOperationRef,
    "Cancel an import: one not yet run is dropped; a running one stops after its chunk in flight and ends CANCELLED.",
    errors=_STATE_ERRORS, **_BULKY,
    http=_route("POST", "/bulk-operations/{id}/cancel", "Cancel an import", "bulk", 204),
)  # fmt: skip
UNDO_BULK_OPERATION = _cmd(
    "undo_bulk_operation", BulkOperationRef, BulkOperation,
    "Within 24 h of completion, delete what an import created (participants changed since are kept).",
    errors=_STATE_ERRORS, **_BULKY, timeout_seconds=120.0,
    http=_route("POST", "/bulk-operations/{id}/undo", "Undo an import", "bulk"),
)  # fmt: skip
GET_BULK_OPERATION = _qry(
    "get_bulk_operation", BulkOperationRef, BulkOperation, "One bulk operation with its progress.",
    errors=_NOT_FOUND, **_BULKY, http=_route("GET", "/bulk-operations/{id}", "Get a bulk operation", "bulk"),
)  # fmt: skip
LIST_BULK_OPERATIONS = _qry(
    "list_bulk_operations", ListBulkOperations, BulkOperationPage, "An event's imports and exports.",
    errors=_NOT_FOUND, **_BULKY,
    http=_route("GET", "/events/{eventId}/bulk-operations", "List bulk operations", "bulk"),
)  # fmt: skip
LIST_BULK_ITEMS = _qry(
    "list_bulk_items", ListBulkItems, BulkItemPage, "An import's rows with their status and messages.",
    errors=_NOT_FOUND, **_BULKY, http=_route("GET", "/bulk-operations/{id}/items", "List import rows", "bulk"),
)  # fmt: skip
EXPORT_PARTICIPANTS = _cmd(
    "export_participants", ExportParticipants, BulkOperation,
    "Write the event's participants to a CSV (UTF-8 BOM; fixed then dynamic columns) behind `downloadUrl`.",
    errors=_WRITE_ERRORS, **_BULKY, timeout_seconds=120.0,
    http=_route("POST", "/events/{eventId}/exports", "Export participants", "bulk", 201),
)  # fmt: skip
DOWNLOAD_BULK_FILE = _qry(
    "download_bulk_file", BulkOperationRef, StoredFile, "An export's file (or an import's upload), as a download.",
    errors=_NOT_FOUND, **_BULKY,
    http=_route("GET", "/bulk-operations/{id}/file", "Download the file", "bulk", download=True),
)  # fmt: skip
