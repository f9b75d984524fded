"""Batch actions: one operation per run, one item per participant with its before-state."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import BulkOperationStatus
from plenary_kit.ids import new_id

from .records import BatchItem, from_row
from .tables import batch_item, batch_operation


async def start(db: AsyncSession, **values: Any) -> None:
    """A new operation, PROCESSING."""
    await db.execute(sa.insert(batch_operation).values(status=BulkOperationStatus.PROCESSING, **values))


async def get(
    db: AsyncSession, operation_id: str, *, tenant_id: str | None = None, for_update: bool = False
) -> contract.BatchOperation | None:
    query = sa.select(batch_operation).where(batch_operation.c.id == operation_id)
    if tenant_id is not None:
        query = query.where(batch_operation.c.tenant_id == tenant_id)
    if for_update:
        query = query.with_for_update()
    row = (await db.execute(query)).first()
    return contract.BatchOperation.model_validate(dict(row._mapping)) if row is not None else None


async def count_chunk(db: AsyncSession, operation_id: str, *, processed: int, succeeded: int, failed: int) -> None:
    await db.execute(
        sa.update(batch_operation)
        .where(batch_operation.c.id == operation_id)
        .values(
            processed_items=batch_operation.c.processed_items + processed,
            success_count=batch_operation.c.success_count + succeeded,
            failure_count=batch_operation.c.failure_count + failed,
            updated_at=sa.func.now(),
        )
    )


async def finish(db: AsyncSession, operation_id: str, status: BulkOperationStatus, undo_deadline: datetime) -> None:
    await db.execute(
        sa.update(batch_operation)
        .where(batch_operation.c.id == operation_id)
        .values(status=status, undo_deadline=undo_deadline, updated_at=sa.func.now())
    )


async def mark_undone(db: AsyncSession, operation_id: str) -> None:
    await db.execute(
        sa.update(batch_operation)
        .where(batch_operation.c.id == operation_id)
        .values(status=BulkOperationStatus.ROLLED_BACK, undone_at=sa.func.now(), updated_at=sa.func.now())
    )


_ITEM_OPTIONAL = ("after_version", "error", "previous_state")


async def add_items(db: AsyncSession, items: list[dict[str, Any]]) -> None:
    """Items in one multi-row insert; a value an item leaves out is SQL NULL (not JSON ``null``)."""
    if items:
        rows = [{"id": new_id(), **{k: sa.null() for k in _ITEM_OPTIONAL}, **item} for item in items]
        await db.execute(sa.insert(batch_item).values(rows))


async def items(db: AsyncSession, operation_id: str, *, succeeded_only: bool = False) -> list[BatchItem]:
    """The operation's items in order; ``succeeded_only`` gives the successful ones, last first (undo's order)."""
    query = sa.select(batch_item).where(batch_item.c.operation_id == operation_id)
    if succeeded_only:
        query = query.where(batch_item.c.status == "success").order_by(batch_item.c.position.desc())
    else:
        query = query.order_by(batch_item.c.position)
    return [from_row(BatchItem, r) for r in await db.execute(query)]


async def set_item(db: AsyncSession, item_id: str, status: str, error: str | None) -> None:
    await db.execute(sa.update(batch_item).where(batch_item.c.id == item_id).values(status=status, error=error))
