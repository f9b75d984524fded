"""Events, their participant types and their workflows (as workflow announces them): rows ↔ contract models."""

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import events as contract
from plenary_contracts.catalog import workflow as workflow_contract

from .tables import event, event_workflow, participant_type

Db = AsyncSession | AsyncConnection
Row = sa.Row[Any]

EVENT_NAME_TAKEN = "uq_event_tenant_id_name_live"
TYPE_CODE_TAKEN = "uq_participant_type_tenant_id_event_id_code"
SORTABLE = {"createdAt": event.c.created_at, "name": event.c.name, "startDate": event.c.start_date}
TYPE_SORTABLE = {
    "createdAt": participant_type.c.created_at,
    "name": participant_type.c.name,
    "code": participant_type.c.code,
}


# --- events --------------------------------------------------------------------------------------


def events_query(tenant_id: str) -> sa.Select[Any]:
    """The tenant's live events."""
    return sa.select(event).where(event.c.tenant_id == tenant_id, event.c.deleted_at.is_(None))


async def get_event(
    db: Db, event_id: str, tenant_id: str, *, for_update: bool = False, with_deleted: bool = False
) -> Row | None:
    query = sa.select(event).where(event.c.id == event_id, event.c.tenant_id == tenant_id)
    if not with_deleted:
        query = query.where(event.c.deleted_at.is_(None))
    if for_update:
        query = query.with_for_update()
    return (await db.execute(query)).first()


def to_event(
    row: Row,
    participant_types: Iterable[Row] | None = None,
    workflows: Iterable[Row] | None = None,
) -> contract.Event:
    values = {c.name: row._mapping[c.name] for c in event.columns}
    values["participant_types"] = None if participant_types is None else [to_type(t) for t in participant_types]
    values["workflows"] = None if workflows is None else [to_workflow(w) for w in workflows]
    return contract.Event.model_validate(values)


# --- participant types ---------------------------------------------------------------------------


def types_query(tenant_id: str, event_id: str) -> sa.Select[Any]:
    return sa.select(participant_type).where(
        participant_type.c.tenant_id == tenant_id, participant_type.c.event_id == event_id
    )


async def types_of(db: Db, tenant_id: str, event_id: str) -> list[Row]:
    """The event's participant types in the order they were made."""
    query = types_query(tenant_id, event_id).order_by(participant_type.c.created_at, participant_type.c.id)
    return list((await db.execute(query)).all())


async def get_type(db: Db, type_id: str, tenant_id: str, event_id: str, *, for_update: bool = False) -> Row | None:
    query = types_query(tenant_id, event_id).where(participant_type.c.id == type_id)
    if for_update:
        query = query.with_for_update()
    return (await db.execute(query)).first()


def to_type(row: Row) -> contract.ParticipantType:
    return contract.ParticipantType.model_validate(dict(row._mapping))


# --- the event's workflows, as workflow announces them -------------------------------------------


async def workflows_of(db: Db, tenant_id: str, event_id: str) -> list[Row]:
    query = (
        sa.select(event_workflow)
        .where(
            event_workflow.c.tenant_id == tenant_id,
            event_workflow.c.event_id == event_id,
            event_workflow.c.deleted_at.is_(None),
        )
        .order_by(event_workflow.c.name, event_workflow.c.id)
    )
    return list((await db.execute(query)).all())


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
