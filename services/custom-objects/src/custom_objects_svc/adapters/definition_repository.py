"""Definitions: rows ↔ the contract's ``CustomObjectDefinition``. Every read names the tenant; a definition
is found by its id or, failing that, its slug."""

from collections.abc import Mapping
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import custom_objects as contract
from plenary_contracts.listing import PageMeta
from plenary_kit.db import execute_unique, fetch_page

from .tables import custom_object_definition as definition
from .tables import custom_object_record as record

Db = AsyncSession | AsyncConnection
Lock = Literal["update", "share"] | None

_SLUG_TAKEN = {"uq_custom_object_definition_tenant_id_slug": "the tenant already has a custom object with this slug"}
SORTABLE = {
    "name": definition.c.name,
    "slug": definition.c.slug,
    "createdAt": definition.c.created_at,
    "updatedAt": definition.c.updated_at,
}


async def get(db: Db, tenant_id: str, key: str, *, lock: Lock = None) -> contract.CustomObjectDefinition | None:
    """The tenant's definition whose id (first) or slug is ``key``; ``lock`` "share" keeps its fields as read
    until the transaction ends (records are checked against them; FOR KEY SHARE, the lock a record's foreign
    key takes anyway, which only FOR UPDATE waits for), "update" to change them."""
    query = (
        sa.select(definition)
        .where(definition.c.tenant_id == tenant_id, sa.or_(definition.c.id == key, definition.c.slug == key))
        .order_by((definition.c.id == key).desc())
        .limit(1)
    )
    if lock is not None:
        query = query.with_for_update(read=lock == "share", key_share=lock == "share")
    row = (await db.execute(query)).first()
    return None if row is None else to_definition(row)


async def lock_slugs(session: AsyncSession, tenant_id: str) -> None:
    """One definition made at a time per tenant, so the free slug found is still free at the insert."""
    key = f"custom-objects:slugs:{tenant_id}"
    await session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0))))


async def slugs_like(db: Db, tenant_id: str, base: str) -> set[str]:
    """The tenant's slugs that are ``base`` or ``base`` with a suffix."""
    prefix = base.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = sa.select(definition.c.slug).where(
        definition.c.tenant_id == tenant_id,
        sa.or_(definition.c.slug == base, definition.c.slug.like(prefix + "-%", escape="\\")),
    )
    return set((await db.execute(query)).scalars())


async def page(
    db: Db, tenant_id: str, request: contract.ListDefinitions
) -> tuple[list[contract.CustomObjectDefinition], PageMeta]:
    query = sa.select(definition).where(definition.c.tenant_id == tenant_id)
    if not request.include_inactive:
        query = query.where(definition.c.is_active.is_(True))
    rows, meta = await fetch_page(db, query, request, SORTABLE, definition.c.id)
    return [to_definition(r) for r in rows], meta


async def record_count(db: Db, tenant_id: str, definition_id: str) -> int:
    query = sa.select(sa.func.count()).where(record.c.tenant_id == tenant_id, record.c.definition_id == definition_id)
    return (await db.execute(query)).scalar_one()


async def has_records(db: Db, tenant_id: str, definition_id: str) -> bool:
    query = sa.select(sa.exists().where(record.c.tenant_id == tenant_id, record.c.definition_id == definition_id))
    return bool((await db.execute(query)).scalar_one())


async def insert(session: AsyncSession, values: Mapping[str, Any]) -> contract.CustomObjectDefinition:
    """A slug the tenant already has is a Conflict."""
    statement = sa.insert(definition).values(**values).returning(definition)
    return to_definition((await execute_unique(session, statement, _SLUG_TAKEN)).one())


async def update(
    session: AsyncSession, definition_id: str, values: Mapping[str, Any]
) -> contract.CustomObjectDefinition:
    statement = sa.update(definition).where(definition.c.id == definition_id).values(**values).returning(definition)
    return to_definition((await session.execute(statement)).one())


async def delete(session: AsyncSession, definition_id: str) -> None:
    await session.execute(sa.delete(definition).where(definition.c.id == definition_id))


def to_definition(row: sa.Row[Any]) -> contract.CustomObjectDefinition:
    return contract.CustomObjectDefinition.model_validate({c.name: row._mapping[c.name] for c in definition.columns})
