"""workflow: batch actions over many participants, their dry run and undo."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from ...enums import (
    ApprovalAction,
    BulkOperationStatus,
)
from ...errors import ErrorCode
from ...fields import Id
from ...flags import FlagKey
from ...model import Model
from ...permissions import Permission
from ._common import _NOT_FOUND, _cmd, _event, _qry, _route

BATCH_CHUNK_SIZE = 20
BATCH_UNDO_HOURS = 24
MAX_BATCH_PARTICIPANTS = 10_000

BatchActionKind = Literal[ApprovalAction.APPROVE, ApprovalAction.REJECT, ApprovalAction.BYPASS, ApprovalAction.RETURN]


class BatchActionRequest(Model):
    event_id: Id
    action: BatchActionKind
    participant_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_BATCH_PARTICIPANTS)]
    remarks: Annotated[str, StringConstraints(max_length=500)] | None = None


class Ineligible(Model):
    id: str
    name: str | None = None
    reason: str


class BatchCounts(Model):
    total: int
    eligible: int
    ineligible: int


class BatchDryRun(Model):
    eligible: list[str]
    ineligible: list[Ineligible]
    counts: BatchCounts


class BatchOperation(Model):
    id: str
    event_id: str
    action: ApprovalAction
    status: BulkOperationStatus
    total_items: int
    processed_items: int
    success_count: int
    failure_count: int
    remarks: str | None = None
    created_by: str | None = None
    undo_deadline: datetime | None = None
    undone_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class BatchOperationRef(Model):
    id: Id


class BatchItem(Model):
    participant_id: str
    status: Literal["success", "error", "undone", "undo_failed"]
    error: str | None = None
    previous_state: dict[str, Any] | None = None


class BatchOperationDetail(Model):
    operation: BatchOperation
    items: list[BatchItem]


class BatchProgress(Model):
    operation: BatchOperation


# --- domain events -------------------------------------------------------------------------------

BATCH_STARTED = _event("batch", "started", BatchProgress, "A batch action began.")
BATCH_PROGRESSED = _event("batch", "progressed", BatchProgress, "A chunk of a batch action finished.")
BATCH_COMPLETED = _event("batch", "completed", BatchProgress, "A batch action finished.")
BATCH_UNDONE = _event("batch", "undone", BatchProgress, "A batch action was undone from its before-state.")
_BULK = Permission("bulk-operations", "execute")

_BATCH: dict[str, Any] = {"permission": _BULK, "flag": FlagKey.BULK_OPERATIONS}

# --- operations ----------------------------------------------------------------------------------

DRY_RUN_BATCH_ACTION = _qry(
    "dry_run_batch_action", BatchActionRequest, BatchDryRun, "Who a batch action would act on, and why not the rest.",
    errors=(ErrorCode.VALIDATION_ERROR, ErrorCode.NOT_FOUND), **_BATCH,
    http=_route("POST", "/batch-actions/dry-run", "Dry-run a batch action", "batch"),
)  # fmt: skip
EXECUTE_BATCH_ACTION = _cmd(
    "execute_batch_action", BatchActionRequest, BatchOperation,
    "Act on many participants through the engine, in chunks of 20, keeping each one's before-state for undo.",
    errors=(ErrorCode.VALIDATION_ERROR, ErrorCode.NOT_FOUND), timeout_seconds=120.0, **_BATCH,
    http=_route("POST", "/batch-actions", "Execute a batch action", "batch", 201),
)  # fmt: skip
GET_BATCH_OPERATION = _qry(
    "get_batch_operation", BatchOperationRef, BatchOperationDetail, "A batch action and its items.",
    errors=_NOT_FOUND, **_BATCH,
    http=_route("GET", "/batch-actions/{id}", "Get a batch action", "batch"),
)  # fmt: skip
UNDO_BATCH_OPERATION = _cmd(
    "undo_batch_operation", BatchOperationRef, BatchOperation,
    "Put every participant of a batch action back to its before-state (within 24 h).",
    errors=(ErrorCode.NOT_FOUND, ErrorCode.BAD_REQUEST, ErrorCode.CONFLICT), timeout_seconds=120.0, **_BATCH,
    http=_route("POST", "/batch-actions/{id}/undo", "Undo a batch action", "batch"),
)  # fmt: skip
