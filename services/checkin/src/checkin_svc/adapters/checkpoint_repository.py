"""Checkpoints of an event: rows ↔ the contract's ``Checkpoint``. Every read names the tenant."""

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.listing import PageMeta
from plenary_kit.db import execute_unique, fetch_page

from .tables import checkpoint

Db = AsyncSession | AsyncConnection

NAME_TAKEN = "uq_checkpoint_tenant_id_event_id_name"
_NAME_CONFLICT = {NAME_TAKEN: "another checkpoint of this event already has this name"}
SORTABLE = {
    "createdAt": checkpoint.c.created_at,
    "updatedAt": checkpoint.c.updated_at,
    "name": checkpoint.c.name,
    "type": checkpoint.c.type,
}


async def get(db: Db, tenant_id: str, checkpoint_id: str, *, for_update: bool = False) -> contract.Checkpoint | None:
    """The tenant's checkpoint, or None (unknown, or another tenant's)."""
    query = sa.select(checkpoint).where(checkpoint.c.id == checkpoint_id, checkpoint.c.tenant_id == tenant_id)
    if for_update:
        query = query.with_for_update()
    row = (await db.execute(query)).first()
    return None if row is None else to_checkpoint(row)


async def page(db: Db, tenant_id: str, request: contract.ListCheckpoints) -> tuple[list[contract.Checkpoint], PageMeta]:
    query = sa.select(checkpoint).where(checkpoint.c.tenant_id == tenant_id, checkpoint.c.event_id == request.event_id)
    if request.is_active is not None:
        query = query.where(checkpoint.c.is_active.is_(request.is_active))
    if request.type is not None:
        query = query.where(checkpoint.c.type == request.type)
    rows, meta = await fetch_page(db, query, request, SORTABLE, checkpoint.c.id)
    return [to_checkpoint(r) for r in rows], meta


async def insert(session: AsyncSession, values: Mapping[str, Any]) -> contract.Checkpoint:
    """A name the event's checkpoints already use is a Conflict."""
    result = await execute_unique(session, sa.insert(checkpoint).values(**values).returning(checkpoint), _NAME_CONFLICT)
    return to_checkpoint(result.one())


async def update(session: AsyncSession, checkpoint_id: str, values: Mapping[str, Any]) -> contract.Checkpoint:
    statement = sa.update(checkpoint).where(checkpoint.c.id == checkpoint_id).values(**values).returning(checkpoint)
    result = await execute_unique(session, statement, _NAME_CONFLICT)
    return to_checkpoint(result.one())


async def delete(session: AsyncSession, checkpoint_id: str) -> None:
    """The checkpoint; its access log goes with it (the foreign key cascades)."""
    await session.execute(sa.delete(checkpoint).where(checkpoint.c.id == checkpoint_id))


# --- an event's checkpoints, for the clone saga ---------------------------------------------------


async def of_event(db: Db, tenant_id: str, event_id: str) -> list[contract.Checkpoint]:
    query = (
        sa.select(checkpoint)
        .where(checkpoint.c.tenant_id == tenant_id, checkpoint.c.event_id == event_id)
        .order_by(checkpoint.c.id)
    )
    return [to_checkpoint(r) for r in await db.execute(query)]


async def insert_copies(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> list[contract.Checkpoint]:
    """The copies inserted now; one already there (a repeated copy, under the same id) is left out."""
    if not rows:
        return []
    statement = pg_insert(checkpoint).values(list(rows)).on_conflict_do_nothing().returning(checkpoint)
    return [to_checkpoint(r) for r in await session.execute(statement)]


async def delete_for_event(session: AsyncSession, tenant_id: str, event_id: str) -> list[contract.Checkpoint]:
    """The event's checkpoints as they were; their access log goes with them (the foreign key cascades)."""
    statement = (
        sa.delete(checkpoint)
        .where(checkpoint.c.tenant_id == tenant_id, checkpoint.c.event_id == event_id)
        .returning(checkpoint)
    )
    return [to_checkpoint(r) for r in await session.execute(statement)]


def to_checkpoint(row: sa.Row[Any]) -> contract.Checkpoint:
    return contract.Checkpoint.model_validate({c.name: row._mapping[c.name] for c in checkpoint.columns})
