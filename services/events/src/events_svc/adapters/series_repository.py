"""Event series and their editions: rows ↔ contract models."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import events as contract
from plenary_contracts.listing import PageMeta
from plenary_kit.db import execute_unique, fetch_page

from .tables import event_edition, event_series

Db = AsyncSession | AsyncConnection
Row = sa.Row[Any]

SERIES_NAME_TAKEN = "uq_event_series_tenant_id_name"
EVENT_IN_A_SERIES = "uq_event_edition_event_id"
EDITION_NUMBER_TAKEN = "uq_event_edition_series_id_edition_number"
_SERIES_CONFLICT = {SERIES_NAME_TAKEN: "another series of this tenant already has this name"}
_EDITION_CONFLICT = {
    EVENT_IN_A_SERIES: "this event is already an edition of a series",
    EDITION_NUMBER_TAKEN: "this series already has an edition with this number",
}

_EDITION_COUNT = (
    sa.select(sa.func.count())
    .where(event_edition.c.series_id == event_series.c.id)
    .scalar_subquery()
    .label("edition_count")
)
SORTABLE = {"createdAt": event_series.c.created_at, "name": event_series.c.name, "editionCount": _EDITION_COUNT}


@dataclass(frozen=True)
class SeriesRecord:
    id: str
    tenant_id: str
    name: str
    description: str | None
    created_at: datetime
    updated_at: datetime
    edition_count: int


@dataclass(frozen=True)
class EditionRecord:
    id: str
    tenant_id: str
    series_id: str
    event_id: str
    edition_number: int
    year: int
    host_country: str | None
    host_city: str | None
    notes: str | None
    created_at: datetime
    updated_at: datetime


def _edition(row: Row | None) -> EditionRecord | None:
    return EditionRecord(**row._mapping) if row is not None else None


def series_query(tenant_id: str) -> sa.Select[Any]:
    """The tenant's series, each with its number of editions."""
    return sa.select(event_series, _EDITION_COUNT).where(event_series.c.tenant_id == tenant_id)


async def get_series(db: Db, series_id: str, tenant_id: str, *, for_update: bool = False) -> SeriesRecord | None:
    query = series_query(tenant_id).where(event_series.c.id == series_id)
    if for_update:
        query = query.with_for_update(of=event_series)
    row = (await db.execute(query)).first()
    return SeriesRecord(**row._mapping) if row is not None else None


async def page_series(
    db: AsyncSession, tenant_id: str, request: contract.ListSeries
) -> tuple[list[contract.Series], PageMeta]:
    rows, meta = await fetch_page(db, series_query(tenant_id), request, SORTABLE, event_series.c.id)
    return [contract.Series.model_validate(dict(r._mapping) | {"editions": None}) for r in rows], meta


async def insert_series(db: AsyncSession, values: Mapping[str, Any]) -> None:
    """A name the tenant's series already use is a Conflict."""
    await execute_unique(db, sa.insert(event_series).values(**values), _SERIES_CONFLICT)


async def update_series(db: AsyncSession, series_id: str, values: Mapping[str, Any]) -> None:
    statement = sa.update(event_series).where(event_series.c.id == series_id).values(**values)
    await execute_unique(db, statement, _SERIES_CONFLICT)


async def delete_series(db: AsyncSession, series_id: str) -> None:
    await db.execute(sa.delete(event_series).where(event_series.c.id == series_id))


async def editions_of(db: Db, series_id: str) -> list[contract.Edition]:
    query = (
        sa.select(event_edition)
        .where(event_edition.c.series_id == series_id)
        .order_by(event_edition.c.edition_number, event_edition.c.id)
    )
    return [contract.Edition.model_validate(dict(r._mapping)) for r in await db.execute(query)]


async def get_edition(
    db: Db, edition_id: str, series_id: str, tenant_id: str, *, for_update: bool = False
) -> EditionRecord | None:
    query = sa.select(event_edition).where(
        event_edition.c.id == edition_id,
        event_edition.c.series_id == series_id,
        event_edition.c.tenant_id == tenant_id,
    )
    if for_update:
        query = query.with_for_update()
    return _edition((await db.execute(query)).first())


async def edition_of_event(db: Db, event_id: str, *, for_update: bool = False) -> EditionRecord | None:
    query = sa.select(event_edition).where(event_edition.c.event_id == event_id)
    if for_update:
        query = query.with_for_update()
    return _edition((await db.execute(query)).first())


async def insert_edition(db: AsyncSession, values: Mapping[str, Any]) -> None:
    """An event already in a series, or a number the series already uses, is a Conflict."""
    await execute_unique(db, sa.insert(event_edition).values(**values), _EDITION_CONFLICT)


async def update_edition(db: AsyncSession, edition_id: str, values: Mapping[str, Any]) -> None:
    statement = sa.update(event_edition).where(event_edition.c.id == edition_id).values(**values)
    await execute_unique(db, statement, _EDITION_CONFLICT)


async def delete_edition(db: AsyncSession, edition_id: str) -> None:
    await db.execute(sa.delete(event_edition).where(event_edition.c.id == edition_id))


def to_series(found: SeriesRecord, editions: list[contract.Edition] | None = None) -> contract.Series:
    return contract.Series.model_validate(asdict(found) | {"editions": editions})


def to_edition(found: EditionRecord) -> contract.Edition:
    return contract.Edition.model_validate(asdict(found))
