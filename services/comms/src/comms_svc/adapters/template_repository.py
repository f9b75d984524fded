"""Message templates: rows ↔ the contract's ``MessageTemplate``. Every read names the tenant."""

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import comms as contract
from plenary_contracts.enums import MessageChannel
from plenary_contracts.listing import PageMeta
from plenary_kit.db import contains_any, execute_unique, fetch_page
from plenary_kit.ids import new_id

from .tables import message_template

Db = AsyncSession | AsyncConnection
t = message_template.c
NAME_TAKEN = "uq_message_template_tenant_id_name_channel"
_NAME_CONFLICT = {NAME_TAKEN: "another template of this channel already has this name"}
SORTABLE = {"createdAt": t.created_at, "updatedAt": t.updated_at, "name": t.name, "channel": t.channel}


async def get(db: Db, tenant_id: str, template_id: str, *, for_update: bool = False) -> contract.MessageTemplate | None:
    query = sa.select(message_template).where(t.id == template_id, t.tenant_id == tenant_id)
    if for_update:
        query = query.with_for_update()
    row = (await db.execute(query)).first()
    return None if row is None else to_template(row)


async def by_name(db: Db, tenant_id: str, name: str, channel: MessageChannel) -> contract.MessageTemplate | None:
    query = sa.select(message_template).where(t.tenant_id == tenant_id, t.name == name, t.channel == channel)
    row = (await db.execute(query)).first()
    return None if row is None else to_template(row)


async def page(
    db: Db, tenant_id: str, request: contract.ListTemplates
) -> tuple[list[contract.MessageTemplate], PageMeta]:
    query = sa.select(message_template).where(t.tenant_id == tenant_id)
    if request.channel is not None:
        query = query.where(t.channel == request.channel)
    if request.q:
        query = query.where(contains_any(request.q, t.name))
    rows, meta = await fetch_page(db, query, request, SORTABLE, t.id)
    return [to_template(r) for r in rows], meta


async def insert(session: AsyncSession, values: Mapping[str, Any]) -> contract.MessageTemplate:
    """A name the channel's templates already use in the tenant is a Conflict."""
    statement = sa.insert(message_template).values(id=new_id(), **values).returning(message_template)
    return to_template((await execute_unique(session, statement, _NAME_CONFLICT)).one())


async def insert_system(session: AsyncSession, tenant_id: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """The tenant's system templates, those it lacks only (one the tenant already named the same is kept)."""
    if rows:
        values = [{"id": new_id(), "tenant_id": tenant_id, "is_system": True, **row} for row in rows]
        await session.execute(pg_insert(message_template).values(values).on_conflict_do_nothing())


async def update(session: AsyncSession, template_id: str, values: Mapping[str, Any]) -> contract.MessageTemplate:
    statement = sa.update(message_template).where(t.id == template_id).values(**values).returning(message_template)
    return to_template((await execute_unique(session, statement, _NAME_CONFLICT)).one())


async def delete(session: AsyncSession, template_id: str) -> None:
    """The template; broadcasts made from it keep their own copy of its text (their reference is cleared)."""
    await session.execute(sa.delete(message_template).where(t.id == template_id))


def to_template(row: sa.Row[Any]) -> contract.MessageTemplate:
    return contract.MessageTemplate.model_validate({c.name: row._mapping[c.name] for c in message_template.columns})
