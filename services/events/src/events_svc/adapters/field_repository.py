"""Field definitions: rows ↔ contract models, and the queries for each listing scope."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import events as contract
from plenary_contracts.enums import FieldDataType
from plenary_contracts.listing import PageMeta
from plenary_kit.db import execute_unique, fetch_page

from .tables import event, field_definition

Db = AsyncSession | AsyncConnection
Row = sa.Row[Any]

NAME_TAKEN = "uq_field_definition_tenant_id_event_id_entity_type_name"
_NAME_CONFLICT = {NAME_TAKEN: "a field of this entity already has this name here"}
SORTABLE = {
    "sortOrder": field_definition.c.sort_order,
    "name": field_definition.c.name,
    "label": field_definition.c.label,
    "createdAt": field_definition.c.created_at,
}
ORDER = (field_definition.c.sort_order, field_definition.c.name, field_definition.c.id)

Scope = Literal["effective", "event", "global"]


@dataclass(frozen=True)
class FieldRecord:
    """A field definition as stored: ``config`` and ``validation`` by wire name, as JSON."""

    id: str
    tenant_id: str
    event_id: str | None
    entity_type: str
    name: str
    label: str
    description: str | None
    data_type: FieldDataType
    sort_order: int
    is_required: bool
    is_unique: bool
    is_searchable: bool
    is_filterable: bool
    default_value: str | None
    config: dict[str, Any]
    validation: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


def fields_query(tenant_id: str, entity_type: str, scope: Scope, event_id: str | None) -> sa.Select[Any]:
    """The tenant's fields of one entity: global ones, the event's, or both (effective)."""
    query = sa.select(field_definition).where(
        field_definition.c.tenant_id == tenant_id, field_definition.c.entity_type == entity_type
    )
    if scope == "global" or event_id is None:
        return query.where(field_definition.c.event_id.is_(None))
    if scope == "event":
        return query.where(field_definition.c.event_id == event_id)
    return query.where(sa.or_(field_definition.c.event_id.is_(None), field_definition.c.event_id == event_id))


async def effective_fields(
    db: Db, tenant_id: str, event_id: str, entity_type: str = "Participant"
) -> list[contract.FieldDefinition]:
    query = fields_query(tenant_id, entity_type, "effective", event_id).order_by(*ORDER)
    return [_field(r) for r in await db.execute(query)]


async def page(
    db: AsyncSession, tenant_id: str, request: contract.ListFieldDefinitions
) -> tuple[list[contract.FieldDefinition], PageMeta]:
    query = fields_query(tenant_id, request.entity_type, request.scope, request.event_id)
    rows, meta = await fetch_page(db, query, request, SORTABLE, field_definition.c.id)
    return [_field(r) for r in rows], meta


async def get_field(db: Db, field_id: str, tenant_id: str, *, for_update: bool = False) -> FieldRecord | None:
    """A field of the tenant: a global one, or one of a live event (a deleted event's fields are gone)."""
    live_event = sa.exists().where(event.c.id == field_definition.c.event_id, event.c.deleted_at.is_(None))
    query = sa.select(field_definition).where(
        field_definition.c.id == field_id,
        field_definition.c.tenant_id == tenant_id,
        sa.or_(field_definition.c.event_id.is_(None), live_event),
    )
    if for_update:
        query = query.with_for_update(of=field_definition)
    row = (await db.execute(query)).first()
    return FieldRecord(**row._mapping) if row is not None else None


async def insert(db: AsyncSession, values: Mapping[str, Any]) -> None:
    """A name the entity's fields in the same scope already use is a Conflict."""
    await execute_unique(db, sa.insert(field_definition).values(**values), _NAME_CONFLICT)


async def update(db: AsyncSession, field_id: str, values: Mapping[str, Any]) -> None:
    await db.execute(sa.update(field_definition).where(field_definition.c.id == field_id).values(**values))


async def delete(db: AsyncSession, field_id: str) -> None:
    await db.execute(sa.delete(field_definition).where(field_definition.c.id == field_id))


async def name_in_other_scope(db: Db, tenant_id: str, event_id: str | None, entity_type: str, name: str) -> bool:
    """Whether the name is taken on the other side of the effective set: by a global field when
    ``event_id`` is given, by any event's field when it is not."""
    other_side = (
        field_definition.c.event_id.is_(None) if event_id is not None else field_definition.c.event_id.is_not(None)
    )
    query = sa.select(
        sa.exists().where(
            field_definition.c.tenant_id == tenant_id,
            field_definition.c.entity_type == entity_type,
            field_definition.c.name == name,
            other_side,
        )
    )
    return bool((await db.execute(query)).scalar())


async def lock_name(db: AsyncSession, tenant_id: str, entity_type: str, name: str) -> None:
    """Serialise the creation of fields of one name in a tenant, so a global field and an event's
    field of the same name cannot both slip in (the unique key cannot see across scopes)."""
    key = sa.func.hashtextextended(f"events.field_definition:{tenant_id}:{entity_type}:{name}", 0)
    await db.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))


def _field(row: Row) -> contract.FieldDefinition:
    return contract.FieldDefinition.model_validate(dict(row._mapping))


def to_field(found: FieldRecord) -> contract.FieldDefinition:
    return contract.FieldDefinition.model_validate(asdict(found))
