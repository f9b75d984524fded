"""Events, their participant types and their workflows (as workflow announces them): rows ↔ contract models."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import events as contract
from plenary_contracts.catalog import workflow as workflow_contract
from plenary_contracts.enums import EventStatus
from plenary_contracts.listing import PageMeta
from plenary_kit.db import contains_any, execute_unique, fetch_page

from .tables import event, event_workflow, participant_type

Db = AsyncSession | AsyncConnection
Row = sa.Row[Any]

EVENT_NAME_TAKEN = "uq_event_tenant_id_name_live"
TYPE_CODE_TAKEN = "uq_participant_type_tenant_id_event_id_code"
_NAME_CONFLICT = {EVENT_NAME_TAKEN: "another event of this tenant already has this name"}
_CODE_CONFLICT = {TYPE_CODE_TAKEN: "another participant type of this event already has this code"}
SORTABLE = {"createdAt": event.c.created_at, "name": event.c.name, "startDate": event.c.start_date}
TYPE_SORTABLE = {
    "createdAt": participant_type.c.created_at,
    "name": participant_type.c.name,
    "code": participant_type.c.code,
}


# --- events --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRecord:
    id: str
    tenant_id: str
    name: str
    description: str
    status: EventStatus
    start_date: datetime
    end_date: datetime
    timezone: str
    extras: dict[str, Any]
    deleted_at: datetime | None
    created_at: datetime
    updated_at: datetime


def events_query(tenant_id: str) -> sa.Select[Any]:
    """The tenant's live events."""
    return sa.select(event).where(event.c.tenant_id == tenant_id, event.c.deleted_at.is_(None))


async def get_event(
    db: Db, event_id: str, tenant_id: str, *, for_update: bool = False, with_deleted: bool = False
) -> EventRecord | None:
    query = sa.select(event).where(event.c.id == event_id, event.c.tenant_id == tenant_id)
    if not with_deleted:
        query = query.where(event.c.deleted_at.is_(None))
    if for_update:
        query = query.with_for_update()
    row = (await db.execute(query)).first()
    return EventRecord(**row._mapping) if row is not None else None


async def page_events(
    db: AsyncSession, tenant_id: str, reach: set[str] | None, request: contract.ListEvents
) -> tuple[list[contract.Event], PageMeta]:
    """One page of the tenant's live events; only those in ``reach`` when it is given."""
    query = events_query(tenant_id)
    if reach is not None:
        query = query.where(event.c.id.in_(reach))
    if request.status is not None:
        query = query.where(event.c.status == request.status)
    if request.q:
        query = query.where(contains_any(request.q, event.c.name))
    rows, meta = await fetch_page(db, query, request, SORTABLE, event.c.id)
    return [contract.Event.model_validate(_event_values(r._mapping)) for r in rows], meta


async def insert_event(db: AsyncSession, values: Mapping[str, Any]) -> None:
    """A taken name (among the tenant's live events) is a Conflict."""
    await execute_unique(db, sa.insert(event).values(**values), _NAME_CONFLICT)


async def update_event(db: AsyncSession, event_id: str, values: Mapping[str, Any]) -> None:
    await execute_unique(db, sa.update(event).where(event.c.id == event_id).values(**values), _NAME_CONFLICT)


async def mark_event_deleted(db: AsyncSession, event_id: str, now: datetime) -> None:
    await db.execute(sa.update(event).where(event.c.id == event_id).values(deleted_at=now, updated_at=now))


def _event_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {c.name: values[c.name] for c in event.columns}


def to_event(
    found: EventRecord,
    participant_types: list[contract.ParticipantType] | None = None,
    workflows: list[contract.WorkflowSummary] | None = None,
) -> contract.Event:
    values = _event_values(asdict(found))
    values["participant_types"] = participant_types
    values["workflows"] = workflows
    return contract.Event.model_validate(values)


# --- participant types ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeRecord:
    id: str
    tenant_id: str
    event_id: str
    name: str
    code: str
    description: str | None
    created_at: datetime
    updated_at: datetime


def types_query(tenant_id: str, event_id: str) -> sa.Select[Any]:
    return sa.select(participant_type).where(
        participant_type.c.tenant_id == tenant_id, participant_type.c.event_id == event_id
    )


async def types_of(db: Db, tenant_id: str, event_id: str) -> list[contract.ParticipantType]:
    """The event's participant types in the order they were made."""
    query = types_query(tenant_id, event_id).order_by(participant_type.c.created_at, participant_type.c.id)
    return [_type(r) for r in await db.execute(query)]


async def get_type(
    db: Db, type_id: str, tenant_id: str, event_id: str, *, for_update: bool = False
) -> TypeRecord | None:
    query = types_query(tenant_id, event_id).where(participant_type.c.id == type_id)
    if for_update:
        query = query.with_for_update()
    row = (await db.execute(query)).first()
    return TypeRecord(**row._mapping) if row is not None else None


async def page_types(
    db: AsyncSession, tenant_id: str, request: contract.ListParticipantTypes
) -> tuple[list[contract.ParticipantType], PageMeta]:
    query = types_query(tenant_id, request.event_id)
    rows, meta = await fetch_page(db, query, request, TYPE_SORTABLE, participant_type.c.id)
    return [_type(r) for r in rows], meta


async def insert_type(db: AsyncSession, values: Mapping[str, Any]) -> None:
    """A code the event's types already use is a Conflict."""
    await execute_unique(db, sa.insert(participant_type).values(**values), _CODE_CONFLICT)


async def update_type(db: AsyncSession, type_id: str, values: Mapping[str, Any]) -> None:
    statement = sa.update(participant_type).where(participant_type.c.id == type_id).values(**values)
    await execute_unique(db, statement, _CODE_CONFLICT)


async def delete_type(db: AsyncSession, type_id: str) -> None:
    await db.execute(sa.delete(participant_type).where(participant_type.c.id == type_id))


def _type(row: Row) -> contract.ParticipantType:
    return contract.ParticipantType.model_validate(dict(row._mapping))


def to_type(found: TypeRecord) -> contract.ParticipantType:
    return contract.ParticipantType.model_validate(asdict(found))


# --- the event's workflows, as workflow announces them -------------------------------------------


async def workflows_of(db: Db, tenant_id: str, event_id: str) -> list[contract.WorkflowSummary]:
    query = (
        sa.select(event_workflow)
        .where(
            event_workflow.c.tenant_id == tenant_id,
            event_workflow.c.event_id == event_id,
            event_workflow.c.deleted_at.is_(None),
        )
        .order_by(event_workflow.c.name, event_workflow.c.id)
    )
    return [to_workflow(r) for r in await db.execute(query)]


def to_workflow(row: Row) -> contract.WorkflowSummary:
    return contract.WorkflowSummary.model_validate(dict(row._mapping))


async def remember_workflow(db: Db, workflow: workflow_contract.Workflow, *, deleted: bool) -> None:
    """Keep the workflow as announced; an announcement older than the one kept changes nothing, so
    redelivered and reordered events leave the newest state."""
    values = {
        "tenant_id": workflow.tenant_id,
        "event_id": workflow.event_id,
        "participant_type_id": workflow.participant_type_id,
        "name": workflow.name,
        "status": workflow.status.value,
        "deleted_at": workflow.updated_at if deleted else None,
        "source_updated_at": workflow.updated_at,
    }
    statement = insert(event_workflow).values(id=workflow.id, **values)
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=[event_workflow.c.id],
            set_=values,
            # at the same instant a deletion wins: it is the workflow's last word
            where=sa.or_(
                event_workflow.c.source_updated_at < statement.excluded.source_updated_at,
                sa.and_(
                    event_workflow.c.source_updated_at == statement.excluded.source_updated_at,
                    event_workflow.c.deleted_at.is_(None),
                ),
            ),
        )
    )
