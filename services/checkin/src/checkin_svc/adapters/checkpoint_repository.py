"""Checkpoints of an event: rows ↔ the contract's ``Checkpoint``. Every read names the tenant."""

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
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


def to_checkpoint(row: sa.Row[Any]) -> contract.Checkpoint:
    return contract.Checkpoint.model_validate({c.name: row._mapping[c.name] for c in checkpoint.columns})
