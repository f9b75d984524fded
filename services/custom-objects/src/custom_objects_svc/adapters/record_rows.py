"""A definition's records as a list query: its fields declared for the shared translator
(``plenary_kit.db.row_queries``), each one a key of the record's ``data``; the statements' scope (tenant and
definition) is set here.

Indexes: ``(tenant_id, definition_id, created_at, id)`` serves the natural order (createdAt descending) and
its keyset; a GIN ``jsonb_path_ops`` index on ``data`` serves ``eq`` / ``in`` on an ENUM field (the translator
writes them as ``data @> '{"key": "value"}'``). Other filters and a sort on a custom field read the
definition's rows: no index on a key of ``data`` can be declared ahead of the definitions."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import custom_objects as contract
from plenary_contracts.enums import FieldDataType as T
from plenary_contracts.row_queries import EntityFields, GroupPage, GroupQuery, RowPage, RowQuery, SortKey
from plenary_kit.db import RowField, RowSource, fetch_groups, fetch_rows

from .tables import custom_object_record as record

Db = AsyncSession | AsyncConnection
GROUPABLE = frozenset({T.ENUM, T.BOOLEAN})
NATURAL_ORDER = [SortKey(field="createdAt", direction="desc")]
OWN_FIELDS = [
    RowField.column("createdAt", "Created", T.DATETIME, record.c.created_at),
    RowField.column("updatedAt", "Updated", T.DATETIME, record.c.updated_at),
]


def source(of: contract.CustomObjectDefinition) -> RowSource:
    custom = [
        RowField.json(
            f.name,
            f.label,
            f.data_type,
            record.c.data,
            f.name,
            options=f.options or (),
            groupable=f.data_type in GROUPABLE,
        )
        for f in of.fields
        if f.data_type is not T.FORMULA
    ]
    return RowSource([*OWN_FIELDS, *custom], record.c.id, default_sort=NATURAL_ORDER)


def _scope(of: contract.CustomObjectDefinition) -> sa.Select[Any]:
    return sa.select().select_from(record).where(record.c.tenant_id == of.tenant_id, record.c.definition_id == of.id)


async def rows(db: Db, of: contract.CustomObjectDefinition, query: RowQuery) -> RowPage:
    return await fetch_rows(db, source(of), _scope(of), query)


async def groups(db: Db, of: contract.CustomObjectDefinition, query: GroupQuery) -> GroupPage:
    return await fetch_groups(db, source(of), _scope(of), query)


def fields(of: contract.CustomObjectDefinition) -> EntityFields:
    return source(of).describe()
