"""Participant imports: upload, validate (map columns, check rows, preview), confirm, cancel,
undo; and reading bulk operations, their rows and their files.

VALIDATING → PREVIEW → CONFIRMED → PROCESSING → COMPLETED | FAILED; COMPLETED → ROLLED_BACK by undo
within 24 h. Cancelling an import not yet confirmed drops it; cancelling a confirmed or running one
ends it CANCELLED (the runner stops after the chunk in flight; what it imported stays, counted, and can
be undone within 24 h like a completed import's). The import itself runs in ``import_runner``.
"""

import asyncio
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from nats.js import JetStreamContext
from pydantic import ValidationError

from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import BulkItemStatus, BulkOperationStatus, BulkOperationType, FieldDataType
from plenary_contracts.errors import BadRequest, NotFound, ValidationFailed
from plenary_contracts.files import StoredFile
from plenary_contracts.permissions import Permission
from plenary_contracts.streams import BULK_LANE
from plenary_kit import context as ctx
from plenary_kit.acting import actor, field_error, refuse, require_grant, tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.files import FileMissing, belongs_to, read_file
from plenary_kit.ids import new_id

from ..adapters import bulk_repository as bulk
from ..adapters import commit_hooks
from ..adapters.spreadsheets import TooManyRows, UnreadableWorkbook, read_xlsx
from ..domain.column_mapping import Target, mapping_problems, missing_required, suggest_mapping, with_dynamic
from ..domain.extras import CONVENTIONAL, FieldSpec
from ..domain.import_rows import CheckedRow, Known, check_rows
from ..domain.tabular import Format, Table, decode_text, file_format, parse_csv
from .directory import EventDirectory, field_specs

BULK = Permission("bulk-operations", "execute")
SNIFF_BYTES = 4096
UNDO_CHUNK = 500
KEPT_LISTED = 100  # error_log names at most this many participants kept by an undo

JetStream = Callable[[], JetStreamContext]
Kick = Callable[[], None]


async def operation_for(uow: UnitOfWork, operation_id: str, *, for_update: bool = False) -> bulk.StoredOperation:
    """The caller's tenant's operation, once the caller may act on its event (event-scoped roles)."""
    row = await bulk.get(uow.session, operation_id, tenant(), for_update=for_update)
    if row is None:
        raise NotFound(f"bulk operation {operation_id} not found")
    require_grant(BULK, row.event_id)
    return row


def publish(uow: UnitOfWork, spec: Any, row: bulk.StoredOperation) -> contract.BulkOperation:
    operation = bulk.to_operation(row)
    uow.publish(spec, contract.BulkOperationChanged(operation=operation), subject=operation.id)
    return operation


async def reloaded(uow: UnitOfWork, operation_id: str) -> bulk.StoredOperation:
    row = await bulk.get_any_tenant(uow.session, operation_id)
    assert row is not None
    return row


def import_targets(specs: list[FieldSpec]) -> list[Target]:
    """Fixed targets, the event's fields (not formulas: they are computed), then the conventional
    passport number, phone and date of birth unless a field already has the name."""
    settable = [s for s in specs if s.data_type is not FieldDataType.FORMULA]
    named = {s.name for s in settable}
    extra = [s for s in CONVENTIONAL.values() if s.name not in named]
    return with_dynamic([Target(s.name, s.label, s.required) for s in [*settable, *extra]])


def after_commit(uow: UnitOfWork, callback: Kick) -> None:
    commit_hooks.after_commit(uow.session, callback)


class Imports:
    def __init__(
        self, directory: EventDirectory, new_uow: Callable[[], UnitOfWork], jetstream: JetStream, kick: Kick
    ) -> None:
        self.directory = directory
        self.new_uow = new_uow  # undo commits chunk by chunk
        self.jetstream = jetstream
        self.kick = kick  # wakes this process's import runner

    # --- upload ----------------------------------------------------------------------------------

    async def create_import(self, request: contract.CreateImport, uow: UnitOfWork) -> contract.BulkOperation:
        tenant_id = tenant()
        schema = await self.directory.schema(uow, tenant_id, request.event_id)
        if request.participant_type_id is not None and request.participant_type_id not in {
            t.id for t in schema.participant_types
        }:
            refuse(
                "unknown participant type",
                [field_error(["participantTypeId"], "is not a participant type of this event")],
            )
        upload = request.file
        if not belongs_to(upload, tenant_id):
            raise _invalid_file("not an upload of this tenant", "was not uploaded by this tenant")
        if upload.size > contract.MAX_IMPORT_BYTES:
            raise _invalid_file("file too large", f"is larger than {contract.MAX_IMPORT_BYTES:,} bytes")
        try:
            data = await read_file(self.jetstream(), upload.key)
        except FileMissing:
            raise _invalid_file("no such upload", "was not found in the file store") from None
        kind = file_format(upload.file_name, upload.content_type, data[:SNIFF_BYTES])
        if kind is None:
            raise _invalid_file("not a CSV or XLSX file", "must be a CSV file or an XLSX workbook")
        operation_id = new_id()
        await bulk.insert(
            uow.session,
            id=operation_id,
            tenant_id=tenant_id,
            event_id=request.event_id,
            type=BulkOperationType.IMPORT_PARTICIPANTS,
            status=BulkOperationStatus.VALIDATING,
            description=request.description or f"Import of {upload.file_name}"[:500],
            filters={"format": kind, "participantTypeId": request.participant_type_id},
            input_file=upload.model_dump(mode="json"),
            created_by=actor(),
        )
        return publish(uow, contract.BULK_OPERATION_CREATED, await reloaded(uow, operation_id))

    # --- validation ------------------------------------------------------------------------------

    async def validate_import(self, request: contract.ValidateImport, uow: UnitOfWork) -> contract.ImportPreview:
        row = await operation_for(uow, request.id, for_update=True)
        _require_import(row)
        if row.status not in (BulkOperationStatus.VALIDATING, BulkOperationStatus.PREVIEW):
            raise BadRequest(f"only an import being validated or previewed can be validated (this one is {row.status})")
        schema = await self.directory.schema(uow, row.tenant_id, row.event_id)
        try:
            data = await read_file(self.jetstream(), row.input_file["key"])
        except FileMissing:
            raise BadRequest("the uploaded file is no longer stored; upload it again") from None
        table = await asyncio.to_thread(_read_table, row.filters["format"], data)
        if not table.rows:
            raise BadRequest("the file has no rows to import")
        specs = field_specs(schema)
        targets = import_targets(specs)
        if request.mappings is not None:
            refuse(
                "the column mapping cannot be used",
                (field_error(["mappings", header], message) for header, message in
                 mapping_problems(request.mappings, table.headers, targets)),
            )  # fmt: skip
            mapping = dict(request.mappings)
        else:
            mapping = suggest_mapping(table.headers, targets)
        known = await self._known(uow, row, table, mapping)
        checked = await asyncio.to_thread(check_rows, table.rows, table.headers, mapping, specs, known, [_shape])
        counts = contract.ImportCounts(
            total=len(checked),
            valid=sum(c.status is BulkItemStatus.VALID for c in checked),
            warning=sum(c.status is BulkItemStatus.WARNING for c in checked),
            error=sum(c.status is BulkItemStatus.ERROR for c in checked),
        )
        await bulk.replace_items(
            uow.session, row.id, row.tenant_id, ((c.row_number, c.status, c.data, c.message) for c in checked)
        )
        await bulk.update(
            uow.session,
            row.id,
            status=BulkOperationStatus.PREVIEW,
            headers=table.headers,
            mappings=mapping,
            counts=counts.model_dump(mode="json"),
            filters={**row.filters, "delimiter": table.delimiter},
            total_items=counts.valid + counts.warning,
        )
        operation = publish(uow, contract.BULK_OPERATION_VALIDATED, await reloaded(uow, row.id))
        return contract.ImportPreview(
            operation=operation,
            headers=table.headers,
            mappings=mapping,
            unmapped_required=missing_required(mapping, targets),
            counts=counts,
            preview=[_preview(c) for c in checked[: contract.PREVIEW_ROWS]],
        )

    async def _known(
        self, uow: UnitOfWork, row: bulk.StoredOperation, table: Table, mapping: Mapping[str, str]
    ) -> Known:
        by_target = {target: table.headers.index(header) for header, target in mapping.items()}
        codes = _column(table, by_target.get("registrationCode"))
        taken = await bulk.taken_codes(uow.session, row.tenant_id, row.event_id, sorted(codes))
        emails = (
            await bulk.registered_emails(uow.session, row.tenant_id, row.event_id) if "email" in by_target else set()
        )
        return Known(codes=taken, emails=emails)

    # --- the state machine -----------------------------------------------------------------------

    async def confirm_import(self, request: contract.BulkOperationRef, uow: UnitOfWork) -> contract.BulkOperation:
        row = await operation_for(uow, request.id, for_update=True)
        _require_import(row)
        if row.status is not BulkOperationStatus.PREVIEW:
            raise BadRequest(f"only a previewed import can be confirmed (this one is {row.status})")
        if row.total_items == 0:
            raise BadRequest("no row of this import can be imported: every row has errors")
        schema = await self.directory.schema(uow, row.tenant_id, row.event_id)
        if not schema.participant_types:
            raise BadRequest("the event has no participant type to import participants as")
        await bulk.update(uow.session, row.id, status=BulkOperationStatus.CONFIRMED)
        after_commit(uow, self.kick)
        return publish(uow, contract.BULK_OPERATION_CONFIRMED, await reloaded(uow, row.id))

    async def cancel_import(self, request: contract.BulkOperationRef, uow: UnitOfWork) -> contract.BulkOperationRef:
        row = await operation_for(uow, request.id, for_update=True)
        _require_import(row)
        if row.status in (BulkOperationStatus.VALIDATING, BulkOperationStatus.PREVIEW):
            publish(uow, contract.BULK_OPERATION_CANCELLED, row)
            await bulk.delete(uow.session, row.id)  # its items go with it (ON DELETE CASCADE)
        elif row.status in (BulkOperationStatus.CONFIRMED, BulkOperationStatus.PROCESSING):
            now = utcnow()
            await bulk.update(
                uow.session,
                row.id,
                status=BulkOperationStatus.CANCELLED,
                completed_at=now,
                undo_deadline=now + timedelta(hours=contract.UNDO_HOURS),
            )
            publish(uow, contract.BULK_OPERATION_CANCELLED, await reloaded(uow, row.id))
        else:
            raise BadRequest(f"only an import not yet finished can be cancelled (this one is {row.status})")
        return contract.BulkOperationRef(id=row.id)

    async def undo(self, request: contract.BulkOperationRef, uow: UnitOfWork) -> contract.BulkOperation:
        """Hard-delete what the import created, in chunks that each commit with their
        ``participant.deleted`` events (an interrupted undo is resumed by undoing again); a participant
        changed since the import is kept and named in the error log."""
        row = await operation_for(uow, request.id, for_update=True)
        if row.type is not BulkOperationType.IMPORT_PARTICIPANTS:
            raise BadRequest("only an import can be undone")
        if row.status not in (BulkOperationStatus.COMPLETED, BulkOperationStatus.CANCELLED):
            raise BadRequest(f"only a completed or cancelled import can be undone (this one is {row.status})")
        if row.undo_deadline is None or utcnow() > row.undo_deadline:
            raise BadRequest(f"the {contract.UNDO_HOURS} h undo window of this import has closed")
        kept: list[str] = []
        after = 0
        while True:
            async with self.new_uow() as work:
                chunk = await bulk.imported_participants(work.session, row.id, after=after, limit=UNDO_CHUNK)
                if not chunk:
                    break
                gone = [p for p in chunk if not p.changed]
                await bulk.delete_participants(work.session, [p.id for p in gone])
                with ctx.acting(lane=BULK_LANE):  # never queued ahead of other callers' events
                    for p in gone:
                        work.publish(
                            contract.PARTICIPANT_DELETED,
                            contract.ParticipantDeleted(participant_id=p.id, event_id=p.event_id),
                            subject=p.id,
                        )
                await work.commit()
            kept += [f"row {p.row_number}: {p.first_name} {p.last_name} ({p.id}) changed since the import; kept"
                     for p in chunk if p.changed]  # fmt: skip
            after = chunk[-1].row_number
        log = kept[:KEPT_LISTED] + ([f"… and {len(kept) - KEPT_LISTED} more kept"] if len(kept) > KEPT_LISTED else [])
        await bulk.mark_rolled_back(uow.session, row.id, [*(row.error_log or []), *log] or None)
        return publish(uow, contract.BULK_OPERATION_ROLLED_BACK, await reloaded(uow, row.id))

    # --- reading ---------------------------------------------------------------------------------

    async def get_operation(self, request: contract.BulkOperationRef, uow: UnitOfWork) -> contract.BulkOperation:
        return bulk.to_operation(await operation_for(uow, request.id))

    async def list_operations(
        self, request: contract.ListBulkOperations, uow: UnitOfWork
    ) -> contract.BulkOperationPage:
        await self.directory.schema(uow, tenant(), request.event_id)  # another tenant's event is not found
        found, meta = await bulk.operations_page(uow.session, tenant(), request)
        return contract.BulkOperationPage(data=found, meta=meta)

    async def list_items(self, request: contract.ListBulkItems, uow: UnitOfWork) -> contract.BulkItemPage:
        row = await operation_for(uow, request.id)
        found, meta = await bulk.items_page(uow.session, row.id, request)
        return contract.BulkItemPage(data=found, meta=meta)

    async def download_file(self, request: contract.BulkOperationRef, uow: UnitOfWork) -> StoredFile:
        """An export's file, or an import's upload."""
        row = await operation_for(uow, request.id)
        stored = bulk.stored_file(row.output_file) or bulk.stored_file(row.input_file)
        if stored is None:
            raise NotFound(f"bulk operation {request.id} has no file")
        return stored


def _require_import(row: bulk.StoredOperation) -> None:
    if row.type is not BulkOperationType.IMPORT_PARTICIPANTS:
        raise BadRequest(f"bulk operation {row.id} is not an import")


def _read_table(kind: Format, data: bytes) -> Table:
    """The upload as a table; 422 when it cannot be read or holds more rows than an import takes."""
    limit = contract.MAX_IMPORT_ROWS
    try:
        table = read_xlsx(data, limit) if kind == "xlsx" else parse_csv(decode_text(data))
    except TooManyRows:
        raise _invalid_file("too many rows", f"has more than {limit:,} rows; split it into several imports") from None
    except UnreadableWorkbook as error:
        raise _invalid_file("unreadable file", str(error)) from None
    if len(table.rows) > limit:
        raise _invalid_file("too many rows", f"has {len(table.rows):,} rows, more than {limit:,}; split it")
    return table


def _invalid_file(message: str, problem: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[field_error(["file"], problem)])


def _column(table: Table, index: int | None) -> set[str]:
    return {r[index] for r in table.rows if r[index]} if index is not None else set()


_PROBE_TYPE = "probe"  # stands in for the participant type, which is not a row's to give


def _shape(data: Mapping[str, str]) -> list[tuple[str, str]]:
    """What the registration contract would refuse of a row's fixed fields (lengths, code characters)."""
    fixed = {k: v for k, v in data.items() if k in _FIXED_FIELDS}
    try:
        contract.ParticipantDetails.model_validate({**fixed, "participantTypeId": _PROBE_TYPE})
    except ValidationError as error:
        return [(str(e["loc"][0]), _message(e)) for e in error.errors() if e["loc"]]
    return []


_FIXED_FIELDS = frozenset(t.name for t in with_dynamic([]))


def _message(error: Any) -> str:
    if error["type"] == "string_pattern_mismatch":
        return "may hold only letters, digits and _ . - /"
    return str(error["msg"]).replace("String should have", "must have").replace("String should", "must")


def _preview(checked: CheckedRow) -> contract.PreviewRow:
    return contract.PreviewRow(
        row_number=checked.row_number, status=checked.status, data=checked.data, message=checked.message
    )
