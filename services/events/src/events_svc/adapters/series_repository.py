"""Event series and their editions: rows ↔ contract models."""

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import events as contract

from .tables import event_edition, event_series

Db = AsyncSession | AsyncConnection
Row = sa.Row[Any]

SERIES_NAME_TAKEN = "uq_event_series_tenant_id_name"
EVENT_IN_A_SERIES = "uq_event_edition_event_id"
EDITION_NUMBER_TAKEN = "uq_event_edition_series_id_edition_number"

_EDITION_COUNT = (
    sa.select(sa.func.count())
    .where(event_edition.c.series_id == event_series.c.id)
    .scalar_subquery()
    .label("edition_count")
)
SORTABLE = {"createdAt": event_series.c.created_at, "name": event_series.c.name, "editionCount": _EDITION_COUNT}


def series_query(tenant_id: str) -> sa.Select[Any]:
    """The tenant's series, each with its number of editions."""
    return sa.select(event_series, _EDITION_COUNT).where(event_series.c.tenant_id == tenant_id)


async def get_series(db: Db, series_id: str, tenant_id: str, *, for_update: bool = False) -> Row | None:
    query = series_query(tenant_id).where(event_series.c.id == series_id)
    if for_update:
        query = query.with_for_update(of=event_series)
    return (await db.execute(query)).first()


async def editions_of(db: Db, series_id: str) -> list[Row]:
    query = (
        sa.select(event_edition)
        .where(event_edition.c.series_id == series_id)
        .order_by(event_edition.c.edition_number, event_edition.c.id)
    )
    return list((await db.execute(query)).all())


async def get_edition(
    db: Db, edition_id: str, series_id: str, tenant_id: str, *, for_update: bool = False
) -> Row | None:
    query = sa.select(event_edition).where(
        event_edition.c.id == edition_id,
        event_edition.c.series_id == series_id,
        event_edition.c.tenant_id == tenant_id,
    )
    if for_update:
        query = query.with_for_update()
    return (await db.execute(query)).first()


async def edition_of_event(db: Db, event_id: str, *, for_update: bool = False) -> Row | None:
    query = sa.select(event_edition).where(event_edition.c.event_id == event_id)
    if for_update:
        query = query.with_for_update()
    return (await db.execute(query)).first()


def to_series(row: Row, editions: Iterable[Row] | None = None) -> contract.Series:
    values = dict(row._mapping)
    values["editions"] = None if editions is None else [to_edition(e) for e in editions]
    return contract.Series.model_validate(values)


def to_edition(row: Row) -> contract.Edition:
    return contract.Edition.model_validate(dict(row._mapping))
