"""The index's statements: add a batch of entries, page a tenant's, find one event, forget a tenant."""

from dataclasses import asdict
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_kit.db import purge_tenant as purge

from ..domain.entries import Entry
from ..domain.filters import LogFilter
from .tables import audit_entry, messaging, metadata

_ORDER = (audit_entry.c.occurred_at, audit_entry.c.stream, audit_entry.c.stream_seq)


async def add_many(session: AsyncSession, entries: list[Entry]) -> None:
    """One statement for the batch; an entry already there (a redelivered batch) is left as it is."""
    if entries:
        await session.execute(insert(audit_entry).on_conflict_do_nothing(), [asdict(e) for e in entries])


async def page(session: AsyncSession, terms: LogFilter, limit: int) -> list[Entry]:
    """Up to ``limit`` entries of the tenant's window in the index's order, after the cursor's position."""
    return [Entry(**row._mapping) for row in await session.execute(page_query(terms, limit))]


def page_query(terms: LogFilter, limit: int) -> sa.Select[Any]:
    c = audit_entry.c
    where = [c.tenant_id == terms.tenant_id, c.occurred_at >= terms.window.since, c.occurred_at < terms.window.until]
    if terms.types:
        where.append(c.type.in_(terms.types))
    if terms.entity_id is not None:
        where.append(c.entity_id == terms.entity_id)
    if terms.actor_id is not None:
        where.append(c.actor_id == terms.actor_id)
    if terms.after is not None:
        position = sa.tuple_(*_ORDER)
        mark = sa.tuple_(
            sa.literal(terms.after.occurred_at, sa.DateTime(timezone=True)),
            sa.literal(terms.after.stream, sa.Text),
            sa.literal(terms.after.stream_seq, sa.BigInteger),
        )
        where.append(position < mark if terms.newest_first else position > mark)
    order = [col.desc() for col in _ORDER] if terms.newest_first else list(_ORDER)
    return sa.select(audit_entry).where(*where).order_by(*order).limit(limit)


async def find_event(session: AsyncSession, tenant_id: str, event_id: UUID) -> Entry | None:
    c = audit_entry.c
    query = sa.select(audit_entry).where(c.tenant_id == tenant_id, c.event_id == event_id).order_by(*_ORDER).limit(1)
    row = (await session.execute(query)).first()
    return Entry(**row._mapping) if row is not None else None


async def purge_tenant(session: AsyncSession, tenant_id: str) -> None:
    await purge(session, metadata, messaging, tenant_id)
