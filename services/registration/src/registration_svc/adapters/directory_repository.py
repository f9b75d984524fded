"""The events service's events, participant types and field definitions as registration keeps them.

Upserts are guarded by ``source_updated_at`` so an older event never overwrites a newer one, and they
never clear ``deleted_at``: once deleted, a late or redelivered change does not bring a row back.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import events

from .tables import event, field_definition, participant_type

Row = sa.Row[Any]
PARTICIPANT_ENTITY = "Participant"


async def _upsert(session: AsyncSession, table: sa.Table, values: dict[str, Any], deleted_at: datetime | None) -> None:
    statement = insert(table).values(**values, deleted_at=deleted_at)
    changes = {name: statement.excluded[name] for name in values if name != "id"}
    if deleted_at is not None:
        changes["deleted_at"] = sa.func.coalesce(table.c.deleted_at, statement.excluded.deleted_at)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.id],
            set_=changes,
            # a deletion always lands; a change only when it is not older than what is held
            where=None if deleted_at is not None else table.c.source_updated_at <= statement.excluded.source_updated_at,
        )
    )


async def upsert_event(session: AsyncSession, record: events.Event) -> None:
    values = {
        "id": record.id,
        "tenant_id": record.tenant_id,
        "name": record.name,
        "status": record.status,
        "start_date": record.start_date,
        "end_date": record.end_date,
        "timezone": record.timezone,
        "source_updated_at": record.updated_at,
    }
    await _upsert(session, event, values, None)


async def upsert_participant_type(
    session: AsyncSession, record: events.ParticipantType, *, deleted_at: datetime | None = None
) -> None:
    values = {
        "id": record.id,
        "tenant_id": record.tenant_id,
        "event_id": record.event_id,
        "name": record.name,
        "code": record.code,
        "source_updated_at": record.updated_at,
    }
    await _upsert(session, participant_type, values, deleted_at)


async def upsert_field_definition(
    session: AsyncSession, record: events.FieldDefinition, *, deleted_at: datetime | None = None
) -> None:
    values = {
        "id": record.id,
        "tenant_id": record.tenant_id,
        "event_id": record.event_id,
        "entity_type": record.entity_type,
        "name": record.name,
        "label": record.label,
        "data_type": record.data_type,
        "sort_order": record.sort_order,
        "is_required": record.is_required,
        "is_unique": record.is_unique,
        "default_value": record.default_value,
        "config": record.config.model_dump(mode="json", exclude_none=True),
        "validation": [rule.model_dump(mode="json", exclude_none=True) for rule in record.validation],
        "source_updated_at": record.updated_at,
    }
    await _upsert(session, field_definition, values, deleted_at)


async def delete_event(session: AsyncSession, tenant_id: str, event_id: str, now: datetime) -> None:
    """Mark the event deleted; an event never seen is kept as a tombstone so its late creation stays deleted."""
    statement = insert(event).values(
        id=event_id,
        tenant_id=tenant_id,
        name="",
        status="DRAFT",
        start_date=now,
        end_date=now,
        deleted_at=now,
        source_updated_at=now,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[event.c.id],
            set_={"deleted_at": sa.func.coalesce(event.c.deleted_at, statement.excluded.deleted_at)},
            where=event.c.tenant_id == tenant_id,
        )
    )


@dataclass(frozen=True)
class KnownEvent:
    """An event of the read model; ``deleted`` ones are known to be gone (no need to ask for them)."""

    event: events.Event
    deleted: bool


async def get_event(session: AsyncSession, tenant_id: str, event_id: str) -> KnownEvent | None:
    """The event, deleted or not."""
    query = sa.select(event).where(event.c.id == event_id, event.c.tenant_id == tenant_id)
    row = (await session.execute(query)).first()
    return None if row is None else KnownEvent(to_event(row), deleted=row.deleted_at is not None)


async def schema_held(session: AsyncSession, known: events.Event) -> events.EventSchema:
    """The event with the participant types and effective fields the read model holds."""
    types = await participant_types_of(session, known.tenant_id, known.id)
    fields = await effective_fields(session, known.tenant_id, known.id)
    return events.EventSchema(
        event=known,
        participant_types=[to_participant_type(r) for r in types],
        field_definitions=[to_field_definition(r) for r in fields],
    )


async def participant_types_of(session: AsyncSession, tenant_id: str, event_id: str) -> list[Row]:
    query = (
        sa.select(participant_type)
        .where(
            participant_type.c.tenant_id == tenant_id,
            participant_type.c.event_id == event_id,
            participant_type.c.deleted_at.is_(None),
        )
        .order_by(participant_type.c.code)
    )
    return list((await session.execute(query)).all())


async def effective_fields(session: AsyncSession, tenant_id: str, event_id: str) -> list[Row]:
    """The event's Participant fields and the tenant's global ones; an event field hides a global one
    of the same name. By sort order, then name."""
    query = sa.select(field_definition).where(
        field_definition.c.tenant_id == tenant_id,
        field_definition.c.entity_type == PARTICIPANT_ENTITY,
        sa.or_(field_definition.c.event_id == event_id, field_definition.c.event_id.is_(None)),
        field_definition.c.deleted_at.is_(None),
    )
    rows = list((await session.execute(query)).all())
    by_name: dict[str, Row] = {}
    for row in sorted(rows, key=lambda r: r.event_id is not None):  # event fields last: they win
        by_name[row.name] = row
    return sorted(by_name.values(), key=lambda r: (r.sort_order, r.name))


async def overlapping_event_ids(session: AsyncSession, tenant_id: str, start: datetime, end: datetime) -> list[str]:
    """The tenant's live events whose dates overlap [start, end] (the event itself included)."""
    query = sa.select(event.c.id).where(
        event.c.tenant_id == tenant_id,
        event.c.deleted_at.is_(None),
        event.c.start_date <= end,
        event.c.end_date >= start,
    )
    return list((await session.execute(query)).scalars())


def to_event(row: Row) -> events.Event:
    return events.Event(
        id=row.id,
        tenant_id=row.tenant_id,
        name=row.name,
        description="",
        status=row.status,
        start_date=row.start_date,
        end_date=row.end_date,
        timezone=row.timezone,
        created_at=row.source_updated_at,
        updated_at=row.source_updated_at,
    )


def to_participant_type(row: Row) -> events.ParticipantType:
    return events.ParticipantType(
        id=row.id,
        tenant_id=row.tenant_id,
        event_id=row.event_id,
        name=row.name,
        code=row.code,
        created_at=row.source_updated_at,
        updated_at=row.source_updated_at,
    )


def to_field_definition(row: Row) -> events.FieldDefinition:
    return events.FieldDefinition(
        id=row.id,
        tenant_id=row.tenant_id,
        event_id=row.event_id,
        entity_type=row.entity_type,
        name=row.name,
        label=row.label,
        data_type=row.data_type,
        sort_order=row.sort_order,
        is_required=row.is_required,
        is_unique=row.is_unique,
        is_searchable=False,
        is_filterable=False,
        default_value=row.default_value,
        config=events.FieldConfig.model_validate(row.config or {}),
        validation=[events.ValidationRule.model_validate(rule) for rule in row.validation or []],
        created_at=row.source_updated_at,
        updated_at=row.source_updated_at,
    )


async def store_schema(session: AsyncSession, schema: events.EventSchema) -> None:
    """Keep what the events service answered on a miss."""
    await upsert_event(session, schema.event)
    for each in schema.participant_types:
        await upsert_participant_type(session, each)
    for field in schema.field_definitions:
        await upsert_field_definition(session, field)
