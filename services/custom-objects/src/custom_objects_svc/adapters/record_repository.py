"""Records: rows ↔ the contract's ``CustomObjectRecord``, and the statements a change of a definition's fields
runs over all its records. Every read names the tenant and the definition."""

from collections.abc import AsyncIterator, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import custom_objects as contract
from plenary_contracts.listing import PageMeta
from plenary_kit.db import fetch_page

from .tables import custom_object_record as record

Db = AsyncSession | AsyncConnection
SORTABLE = {"createdAt": record.c.created_at, "updatedAt": record.c.updated_at}


@dataclass(frozen=True)
class Kept:
    """A record's id and data, as a change of its definition reads them."""

    id: str
    data: dict[str, Any]


async def get(
    db: Db, of: contract.CustomObjectDefinition, record_id: str, *, for_update: bool = False
) -> contract.CustomObjectRecord | None:
    query = sa.select(record).where(
        record.c.id == record_id, record.c.tenant_id == of.tenant_id, record.c.definition_id == of.id
    )
    if for_update:
        query = query.with_for_update()
    row = (await db.execute(query)).first()
    return None if row is None else to_record(row, of.slug)


async def page(
    db: Db, of: contract.CustomObjectDefinition, request: contract.ListRecords
) -> tuple[list[contract.CustomObjectRecord], PageMeta]:
    query = sa.select(record).where(record.c.tenant_id == of.tenant_id, record.c.definition_id == of.id)
    rows, meta = await fetch_page(db, query, request, SORTABLE, record.c.id)
    return [to_record(r, of.slug) for r in rows], meta


async def insert(
    session: AsyncSession, of: contract.CustomObjectDefinition, values: Mapping[str, Any]
) -> contract.CustomObjectRecord:
    statement = sa.insert(record).values(**values, definition_id=of.id, tenant_id=of.tenant_id).returning(record)
    return to_record((await session.execute(statement)).one(), of.slug)


async def update(
    session: AsyncSession, of: contract.CustomObjectDefinition, record_id: str, values: Mapping[str, Any]
) -> contract.CustomObjectRecord:
    statement = sa.update(record).where(record.c.id == record_id).values(**values).returning(record)
    return to_record((await session.execute(statement)).one(), of.slug)


async def delete(session: AsyncSession, record_id: str) -> None:
    await session.execute(sa.delete(record).where(record.c.id == record_id))


async def kept(
    session: AsyncSession, of: contract.CustomObjectDefinition, *, batch: int = 1000
) -> AsyncIterator[list[Kept]]:
    """Every record of the definition, in batches, read through a server-side cursor."""
    query = (
        sa.select(record.c.id, record.c.data)
        .where(record.c.tenant_id == of.tenant_id, record.c.definition_id == of.id)
        .execution_options(yield_per=batch)
    )
    result = await session.stream(query)
    async for rows in result.partitions(batch):
        yield [Kept(r.id, r.data) for r in rows]


async def remove_values(session: AsyncSession, of: contract.CustomObjectDefinition, names: Collection[str]) -> None:
    """Removed fields' values leave every record that has one (``updated_at`` stays: no record was edited)."""
    gone = sa.literal(list(names), sa.ARRAY(sa.Text))
    await session.execute(
        sa.update(record)
        .where(
            record.c.tenant_id == of.tenant_id,
            record.c.definition_id == of.id,
            record.c.data.has_any(gone),
        )
        .values(data=record.c.data.op("-")(gone))
    )


async def give_defaults(
    session: AsyncSession, of: contract.CustomObjectDefinition, defaults: Mapping[str, Any]
) -> None:
    """Each field's default to the records that have no value for it."""
    for name, value in defaults.items():
        await session.execute(
            sa.update(record)
            .where(
                record.c.tenant_id == of.tenant_id,
                record.c.definition_id == of.id,
                sa.not_(record.c.data.has_key(name)),
            )
            .values(data=record.c.data.op("||")(sa.literal({name: value}, JSONB)))
        )


def to_record(row: sa.Row[Any], slug: str) -> contract.CustomObjectRecord:
    return contract.CustomObjectRecord.model_validate(
        {**{c.name: row._mapping[c.name] for c in record.columns}, "definition_slug": slug}
    )
