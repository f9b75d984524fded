"""The tenant's events as a list query: their fields and the statements."""

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.enums import EventStatus
from plenary_contracts.enums import FieldDataType as T
from plenary_contracts.row_queries import EntityFields, GroupPage, GroupQuery, RowPage, RowQuery, SortKey
from plenary_kit.db import RowField, RowSource, fetch_groups, fetch_rows

from .tables import event

_e = event.c
SOURCE = RowSource(
    [
        RowField.column("name", "Name", T.TEXT, _e.name),
        RowField.column("description", "Description", T.LONG_TEXT, _e.description, sortable=False),
        RowField.column("status", "Status", T.ENUM, _e.status, options=[s.value for s in EventStatus], groupable=True),
        RowField.column("startDate", "Starts", T.DATETIME, _e.start_date),
        RowField.column("endDate", "Ends", T.DATETIME, _e.end_date),
        RowField.column("timezone", "Time zone", T.TEXT, _e.timezone, groupable=True),
        RowField.column("createdAt", "Created at", T.DATETIME, _e.created_at),
        RowField.column("updatedAt", "Updated at", T.DATETIME, _e.updated_at),
    ],
    _e.id,
    [SortKey(field="startDate", direction="desc")],
)


def _base(tenant_id: str, reach: Collection[str] | None) -> sa.Select[tuple[()]]:
    """The tenant's live events; only those in ``reach`` (an event-scoped caller's) when it is given."""
    base = sa.select().select_from(event).where(_e.tenant_id == tenant_id, _e.deleted_at.is_(None))
    return base if reach is None else base.where(_e.id.in_(list(reach)))


async def rows(session: AsyncSession, tenant_id: str, reach: Collection[str] | None, query: RowQuery) -> RowPage:
    return await fetch_rows(session, SOURCE, _base(tenant_id, reach), query)


async def groups(session: AsyncSession, tenant_id: str, reach: Collection[str] | None, query: GroupQuery) -> GroupPage:
    return await fetch_groups(session, SOURCE, _base(tenant_id, reach), query)


def fields() -> EntityFields:
    return SOURCE.describe()
