"""Bulk operations and their items in PostgreSQL: the operation row, items written in bulk, the import's
cursor (the items still valid or warning, in row order), and the participant reads an import needs."""

import json
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import BulkItemStatus, BulkOperationStatus, BulkOperationType, ParticipantStatus
from plenary_contracts.files import StoredFile
from plenary_contracts.listing import PageMeta
from plenary_kit.db import fetch_page
from plenary_kit.db.copying import copy_rows
from plenary_kit.ids import new_id

from .rows import row_as
from .tables import bulk_operation, bulk_operation_item, participant

PENDING = (BulkItemStatus.VALID, BulkItemStatus.WARNING)
SORTABLE_OPERATIONS = {
    "createdAt": bulk_operation.c.created_at,
    "updatedAt": bulk_operation.c.updated_at,
    "status": bulk_operation.c.status,
    "type": bulk_operation.c.type,
}
SORTABLE_ITEMS = {
    "rowNumber": bulk_operation_item.c.row_number,
    "status": bulk_operation_item.c.status,
    "processedAt": bulk_operation_item.c.processed_at,
}


@dataclass(frozen=True)
class StoredOperation:
    """A bulk operation (an import or an export) as stored."""

    id: str
    tenant_id: str
    event_id: str
    type: BulkOperationType
    status: BulkOperationStatus
    description: str
    filters: dict[str, Any] | None
    total_items: int
    processed_items: int
    success_count: int
    failure_count: int
    input_file: dict[str, Any] | None
    output_file: dict[str, Any] | None
    headers: list[str] | None
    mappings: dict[str, str] | None
    counts: dict[str, Any] | None
    snapshot_data: Any
    undo_deadline: datetime | None
    error_log: list[str] | None
    started_at: datetime | None
    completed_at: datetime | None
    rolled_back_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PendingItem:
    """A row of an import still to register."""

    id: str
    row_number: int
    input_data: dict[str, Any]


@dataclass(frozen=True)
class ImportedParticipant:
    """A participant an import created, and whether it changed since."""

    row_number: int
    id: str
    event_id: str
    first_name: str
    last_name: str
    changed: bool


@dataclass(frozen=True)
class ExportedParticipant:
    """The columns of a participant an export writes."""

    first_name: str
    last_name: str
    email: str | None
    organization: str | None
    job_title: str | None
    nationality: str | None
    registration_code: str
    status: ParticipantStatus | None
    participant_type_id: str
    created_at: datetime
    extras: dict[str, Any] | None


def download_url(operation_id: str) -> str:
    return f"/api/v1/bulk-operations/{operation_id}/file"


def to_operation(row: StoredOperation) -> contract.BulkOperation:
    stored = row.output_file or row.input_file
    is_export = row.type == BulkOperationType.EXPORT_PARTICIPANTS
    return contract.BulkOperation(
        id=row.id,
        tenant_id=row.tenant_id,
        event_id=row.event_id,
        type=row.type,
        status=row.status,
        description=row.description,
        file_name=stored["fileName"] if stored else None,
        mappings=row.mappings,
        counts=contract.ImportCounts.model_validate(row.counts) if row.counts else None,
        total_items=row.total_items,
        processed_items=row.processed_items,
        success_count=row.success_count,
        failure_count=row.failure_count,
        download_url=download_url(row.id) if is_export and row.output_file else None,
        undo_deadline=row.undo_deadline,
        error_log=row.error_log,
        started_at=row.started_at,
        completed_at=row.completed_at,
        rolled_back_at=row.rolled_back_at,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def stored_file(value: dict[str, Any] | None) -> StoredFile | None:
    return StoredFile.model_validate(value) if value else None


async def get(
    session: AsyncSession, operation_id: str, tenant_id: str, *, for_update: bool = False
) -> StoredOperation | None:
    query = sa.select(bulk_operation).where(
        bulk_operation.c.id == operation_id, bulk_operation.c.tenant_id == tenant_id
    )
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return None if row is None else row_as(StoredOperation, row)


async def get_any_tenant(
    session: AsyncSession, operation_id: str, *, for_update: bool = False
) -> StoredOperation | None:
    """For the background runner, which acts for whichever tenant the operation belongs to."""
    query = sa.select(bulk_operation).where(bulk_operation.c.id == operation_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return None if row is None else row_as(StoredOperation, row)


async def status_of(session: AsyncSession, operation_id: str) -> BulkOperationStatus | None:
    return await session.scalar(sa.select(bulk_operation.c.status).where(bulk_operation.c.id == operation_id))


async def insert(session: AsyncSession, **values: Any) -> None:
    await session.execute(sa.insert(bulk_operation).values(**values))


async def update(session: AsyncSession, operation_id: str, **values: Any) -> None:
    await session.execute(
        sa.update(bulk_operation).where(bulk_operation.c.id == operation_id).values(**values, updated_at=sa.func.now())
    )


async def mark_rolled_back(session: AsyncSession, operation_id: str, error_log: list[str] | None) -> None:
    """The import was undone now (the database's clock, as ``updated_at``)."""
    await update(
        session,
        operation_id,
        status=BulkOperationStatus.ROLLED_BACK,
        rolled_back_at=sa.func.now(),
        error_log=error_log,
    )


async def delete(session: AsyncSession, operation_id: str) -> None:
    await session.execute(sa.delete(bulk_operation).where(bulk_operation.c.id == operation_id))


def operations_query(tenant_id: str, event_id: str) -> sa.Select[Any]:
    return sa.select(bulk_operation).where(
        bulk_operation.c.tenant_id == tenant_id, bulk_operation.c.event_id == event_id
    )


async def operations_page(
    session: AsyncSession, tenant_id: str, request: contract.ListBulkOperations
) -> tuple[list[contract.BulkOperation], PageMeta]:
    """One page of the event's operations, filtered by type and status."""
    query = operations_query(tenant_id, request.event_id)
    if request.type is not None:
        query = query.where(bulk_operation.c.type == request.type)
    if request.status is not None:
        query = query.where(bulk_operation.c.status == request.status)
    rows, meta = await fetch_page(session, query, request, SORTABLE_OPERATIONS, bulk_operation.c.id)
    return [to_operation(row_as(StoredOperation, r)) for r in rows], meta


async def runnable(session: AsyncSession) -> list[str]:
    """Imports confirmed or running, oldest first, of every tenant."""
    rows = await session.execute(
        sa.select(bulk_operation.c.id)
        .where(
            bulk_operation.c.type == BulkOperationType.IMPORT_PARTICIPANTS,
            bulk_operation.c.status.in_((BulkOperationStatus.CONFIRMED, BulkOperationStatus.PROCESSING)),
        )
        .order_by(bulk_operation.c.created_at)
    )
    return list(rows.scalars())


# --- items ---------------------------------------------------------------------------------------


async def replace_items(
    session: AsyncSession,
    operation_id: str,
    tenant_id: str,
    items: Iterable[tuple[int, BulkItemStatus, dict[str, Any], str | None]],
) -> None:
    """The operation's items become ``(row_number, status, input_data, error_message)``, written with
    COPY in the session's transaction: a 100k-row import's items take a few seconds."""
    await session.execute(sa.delete(bulk_operation_item).where(bulk_operation_item.c.operation_id == operation_id))
    columns = ("id", "tenant_id", "operation_id", "row_number", "status", "input_data", "error_message")
    rows = (
        (new_id(), tenant_id, operation_id, row_number, status, data, message)
        for row_number, status, data, message in items
    )
    await copy_rows(session, bulk_operation_item, columns, rows)


def items_query(operation_id: str, status: BulkItemStatus | None) -> sa.Select[Any]:
    query = sa.select(bulk_operation_item).where(bulk_operation_item.c.operation_id == operation_id)
    return query.where(bulk_operation_item.c.status == status) if status is not None else query


async def items_page(
    session: AsyncSession, operation_id: str, request: contract.ListBulkItems
) -> tuple[list[contract.BulkItem], PageMeta]:
    """One page of the operation's items, of one status when the request names one."""
    query = items_query(operation_id, request.status)
    rows, meta = await fetch_page(session, query, request, SORTABLE_ITEMS, bulk_operation_item.c.id)
    return [contract.BulkItem.model_validate(dict(r._mapping)) for r in rows], meta


async def claim_pending(
    session: AsyncSession, operation_id: str, *, after: int, limit: int, ids: Sequence[str] | None = None
) -> list[PendingItem]:
    """The next rows still to import after row ``after``, locked until the caller's unit of work ends;
    rows another worker holds are skipped. Scans (operation_id, row_number) from ``after``, so each
    chunk reads about ``limit`` rows whatever the import's size."""
    query = sa.select(
        bulk_operation_item.c.id, bulk_operation_item.c.row_number, bulk_operation_item.c.input_data
    ).where(
        bulk_operation_item.c.operation_id == operation_id,
        bulk_operation_item.c.status.in_(PENDING),
        bulk_operation_item.c.row_number > after,
    )
    if ids is not None:
        query = query.where(bulk_operation_item.c.id.in_(ids))
    query = query.order_by(bulk_operation_item.c.row_number).limit(limit).with_for_update(skip_locked=True)
    return [row_as(PendingItem, r) for r in await session.execute(query)]


async def has_pending(session: AsyncSession, operation_id: str) -> bool:
    """Rows not yet imported, including those another worker holds right now."""
    found = await session.execute(
        sa.select(bulk_operation_item.c.id)
        .where(bulk_operation_item.c.operation_id == operation_id, bulk_operation_item.c.status.in_(PENDING))
        .limit(1)
    )
    return found.first() is not None


async def mark_done(
    session: AsyncSession, succeeded: Sequence[tuple[str, str]], failed: Sequence[tuple[str, str]]
) -> None:
    """``succeeded``: (item id, participant id); ``failed``: (item id, message). ``processed_at`` is the
    clock at marking, after the participants were written in the same transaction, so undo can tell a
    participant changed since (``updated_at`` later) from one as imported. One statement for all."""
    done = [{"item_id": i, "status": BulkItemStatus.SUCCESS.value, "participant_id": p} for i, p in succeeded]
    done += [{"item_id": i, "status": BulkItemStatus.ERROR.value, "message": m} for i, m in failed]
    if done:
        await session.execute(_MARK_DONE, {"marks": json.dumps(done)})


def _mark_done_statement() -> sa.Update:
    marks = (
        sa.func.json_to_recordset(sa.cast(sa.bindparam("marks", type_=sa.Text), sa.JSON))
        .table_valued(
            sa.column("item_id", sa.Text),
            sa.column("status", sa.Text),
            sa.column("participant_id", sa.Text),
            sa.column("message", sa.Text),
        )
        .render_derived("marks", with_types=True)
    )
    item = bulk_operation_item.c
    succeeded_mark = marks.c.status == BulkItemStatus.SUCCESS.value
    return (
        sa.update(bulk_operation_item)
        .where(item.id == marks.c.item_id)
        .values(
            status=marks.c.status,
            participant_id=sa.case((succeeded_mark, marks.c.participant_id), else_=item.participant_id),
            error_message=sa.case((succeeded_mark, item.error_message), else_=marks.c.message),
            processed_at=sa.func.clock_timestamp(),
        )
    )


# Built once; the marks as one JSON text rather than four arrays psycopg escapes string by string.
_MARK_DONE = _mark_done_statement()


async def add_progress(session: AsyncSession, operation_id: str, *, succeeded: int, failed: int) -> None:
    op = bulk_operation.c
    await update(
        session,
        operation_id,
        processed_items=op.processed_items + succeeded + failed,
        success_count=op.success_count + succeeded,
        failure_count=op.failure_count + failed,
    )


# --- participants as an import sees them ---------------------------------------------------------


async def taken_codes(session: AsyncSession, tenant_id: str, event_id: str, codes: Sequence[str]) -> set[str]:
    """Which of ``codes`` the event already uses (deleted participants keep theirs)."""
    if not codes:
        return set()
    rows = await session.execute(
        sa.select(participant.c.registration_code).where(
            participant.c.tenant_id == tenant_id,
            participant.c.event_id == event_id,
            participant.c.registration_code == sa.func.any(sa.literal(list(codes), sa.ARRAY(sa.Text))),
        )
    )
    return set(rows.scalars())


async def registered_emails(session: AsyncSession, tenant_id: str, event_id: str) -> set[str]:
    """The event's participants' e-mails, lower-cased."""
    rows = await session.execute(
        sa.select(sa.func.lower(participant.c.email))
        .distinct()
        .where(
            participant.c.tenant_id == tenant_id,
            participant.c.event_id == event_id,
            participant.c.deleted_at.is_(None),
            participant.c.email.is_not(None),
        )
    )
    return set(rows.scalars())


async def count_participants(session: AsyncSession, tenant_id: str, event_id: str) -> int:
    found = await session.execute(
        sa.select(sa.func.count()).where(
            participant.c.tenant_id == tenant_id,
            participant.c.event_id == event_id,
            participant.c.deleted_at.is_(None),
        )
    )
    return found.scalar_one()


async def imported_participants(
    session: AsyncSession, operation_id: str, *, after: int, limit: int
) -> list[ImportedParticipant]:
    """The next participants the import created (row order from ``after``), locked, with whether each
    changed since it was imported."""
    item = bulk_operation_item.c
    rows = await session.execute(
        sa.select(
            item.row_number,
            participant.c.id,
            participant.c.event_id,
            participant.c.first_name,
            participant.c.last_name,
            (participant.c.updated_at > item.processed_at).label("changed"),
        )
        .join(participant, participant.c.id == item.participant_id)
        .where(item.operation_id == operation_id, item.status == BulkItemStatus.SUCCESS, item.row_number > after)
        .order_by(item.row_number)
        .limit(limit)
        .with_for_update(of=participant)
    )
    return [row_as(ImportedParticipant, r) for r in rows]


async def delete_participants(session: AsyncSession, ids: Sequence[str]) -> None:
    if ids:
        await session.execute(sa.delete(participant).where(participant.c.id.in_(ids)))


async def exported_participants(
    session: AsyncSession,
    tenant_id: str,
    event_id: str,
    *,
    batch: int,
    status: Any = None,
    participant_type_id: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> AsyncIterator[list[ExportedParticipant]]:
    """The event's live participants (filtered) in creation order, ``batch`` at a time from a server-side
    cursor: an export never holds them all."""
    query = export_query(
        tenant_id,
        event_id,
        status=status,
        participant_type_id=participant_type_id,
        created_from=created_from,
        created_to=created_to,
    )
    result = await session.stream(query.execution_options(yield_per=batch))
    async for rows in result.partitions():
        yield [row_as(ExportedParticipant, r) for r in rows]


def export_query(
    tenant_id: str,
    event_id: str,
    *,
    status: Any = None,
    participant_type_id: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> sa.Select[Any]:
    p = participant.c
    query = sa.select(
        p.first_name,
        p.last_name,
        p.email,
        p.organization,
        p.job_title,
        p.nationality,
        p.registration_code,
        p.status,
        p.participant_type_id,
        p.created_at,
        p.extras,
    ).where(p.tenant_id == tenant_id, p.event_id == event_id, p.deleted_at.is_(None))
    if status is not None:
        query = query.where(p.status == status)
    if participant_type_id is not None:
        query = query.where(p.participant_type_id == participant_type_id)
    if created_from is not None:
        query = query.where(p.created_at >= created_from)
    if created_to is not None:
        query = query.where(p.created_at <= created_to)
    return query.order_by(p.created_at, p.id)
