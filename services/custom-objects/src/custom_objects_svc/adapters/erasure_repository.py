"""Finding and erasing what custom-objects holds about a person: records that mention them, the published
events and stored replies that copy those records. Set-based: one statement per kind of change."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import custom_object_definition as definition
from .tables import custom_object_record as record
from .tables import messaging

outbox = messaging.outbox
idempotency = messaging.idempotency


@dataclass(frozen=True)
class Mentioning:
    """A record whose data names the person somewhere, with its definition's slug and field types."""

    id: str
    definition_id: str
    slug: str
    data: dict[str, Any]
    fields: list[dict[str, Any]]


def _mentions(document: Any, needles: Sequence[str]) -> sa.ColumnElement[bool]:
    """The JSON document's text holds one of the needles (lower case), case ignored."""
    text = sa.func.lower(sa.cast(document, sa.Text))
    return sa.or_(*(sa.func.strpos(text, needle) > 0 for needle in needles))


async def mentioning(session: AsyncSession, tenant_id: str, needles: Sequence[str]) -> list[Mentioning]:
    """The tenant's records whose data holds a needle, locked for the change (a coarse filter: the domain
    decides which values really name the person)."""
    query = (
        sa.select(record.c.id, record.c.definition_id, definition.c.slug, record.c.data, definition.c.fields)
        .join(definition, definition.c.id == record.c.definition_id)
        .where(record.c.tenant_id == tenant_id, _mentions(record.c.data, needles))
        .with_for_update(of=record)
    )
    return [Mentioning(r.id, r.definition_id, r.slug, r.data, r.fields) for r in (await session.execute(query)).all()]


async def delete_records(session: AsyncSession, ids: Sequence[str]) -> list[sa.Row[Any]]:
    """The records deleted, as they were (their columns)."""
    if not ids:
        return []
    return list((await session.execute(sa.delete(record).where(record.c.id.in_(ids)).returning(record))).all())


async def replace_data(session: AsyncSession, data_by_id: Mapping[str, dict[str, Any]]) -> list[sa.Row[Any]]:
    """Each record's new data in one statement (``updated_at`` moves: the record changed); the rows after."""
    if not data_by_id:
        return []
    changes = sa.values(sa.column("id", sa.String), sa.column("data", JSONB), name="erased").data(
        list(data_by_id.items())
    )
    statement = (
        sa.update(record)
        .where(record.c.id == changes.c.id)
        .values(
            data=changes.c.data,
            updated_at=sa.func.greatest(sa.func.now(), record.c.updated_at + sa.text("interval '1 microsecond'")),
        )
        .returning(record)
    )
    return list((await session.execute(statement)).all())
