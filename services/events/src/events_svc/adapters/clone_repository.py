"""Clone operations (the saga's persisted state and its lease) and events' own part of a copy: rows ↔ models."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import events as contract
from plenary_contracts.enums import CloneStatus
from plenary_contracts.listing import PageMeta
from plenary_kit.db import fetch_page

from .tables import clone_operation, event, event_edition, field_definition, participant_type

Db = AsyncSession | AsyncConnection

SORTABLE = {"createdAt": clone_operation.c.started_at, "startedAt": clone_operation.c.started_at}
_UNFINISHED = clone_operation.c.phase != "DONE"


@dataclass(frozen=True)
class CloneRecord:
    id: str
    tenant_id: str
    source_event_id: str | None
    target_event_id: str | None
    status: CloneStatus
    options: dict[str, Any]
    elements_copied: dict[str, int] | None
    error_log: str | None
    started_at: datetime
    completed_at: datetime | None
    created_by: str
    phase: str
    id_map: dict[str, str]
    steps: dict[str, dict[str, Any]]
    claimed_until: datetime | None


def _record(row: sa.Row[Any] | None) -> CloneRecord | None:
    return CloneRecord(**row._mapping) if row is not None else None


async def insert_operation(db: AsyncSession, values: Mapping[str, Any]) -> None:
    await db.execute(sa.insert(clone_operation).values(**values))


async def get_operation(
    db: Db, operation_id: str, tenant_id: str | None, *, for_update: bool = False
) -> CloneRecord | None:
    """In ``tenant_id``; in any tenant when it is None (the saga's driver, which has no caller)."""
    query = sa.select(clone_operation).where(clone_operation.c.id == operation_id)
    if tenant_id is not None:
        query = query.where(clone_operation.c.tenant_id == tenant_id)
    if for_update:
        query = query.with_for_update()
    return _record((await db.execute(query)).first())


async def page_operations(
    db: AsyncSession, tenant_id: str, request: contract.ListCloneOperations
) -> tuple[list[CloneRecord], PageMeta]:
    query = sa.select(clone_operation).where(
        clone_operation.c.tenant_id == tenant_id, clone_operation.c.source_event_id == request.id
    )
    rows, meta = await fetch_page(db, query, request, SORTABLE, clone_operation.c.id)
    return [CloneRecord(**r._mapping) for r in rows], meta


async def update_operation(db: AsyncSession, operation_id: str, values: Mapping[str, Any]) -> None:
    await db.execute(sa.update(clone_operation).where(clone_operation.c.id == operation_id).values(**values))


async def claim(db: AsyncSession, operation_id: str, now: datetime, until: datetime) -> bool:
    """Take the lease of an unfinished saga whose lease is free or ran out; False when another holds it."""
    claimed = await db.execute(
        sa.update(clone_operation)
        .where(
            clone_operation.c.id == operation_id,
            _UNFINISHED,
            sa.or_(clone_operation.c.claimed_until.is_(None), clone_operation.c.claimed_until < now),
        )
        .values(claimed_until=until)
        .returning(clone_operation.c.id)
    )
    return claimed.first() is not None


async def claim_expired(db: AsyncSession, now: datetime, until: datetime, limit: int) -> list[str]:
    """Unfinished sagas whose driver's lease ran out (its process died), leased to the caller; a replica's
    sweep skips the rows another is claiming."""
    due = (
        sa.select(clone_operation.c.id)
        .where(_UNFINISHED, sa.or_(clone_operation.c.claimed_until.is_(None), clone_operation.c.claimed_until < now))
        .order_by(clone_operation.c.started_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list((await db.execute(due)).scalars())
    if ids:
        await db.execute(sa.update(clone_operation).where(clone_operation.c.id.in_(ids)).values(claimed_until=until))
    return ids


async def renew(db: AsyncSession, operation_ids: Sequence[str], until: datetime) -> None:
    await db.execute(
        sa.update(clone_operation)
        .where(clone_operation.c.id.in_(list(operation_ids)), _UNFINISHED)
        .values(claimed_until=until)
    )


async def release(db: AsyncSession, operation_id: str) -> None:
    await db.execute(sa.update(clone_operation).where(clone_operation.c.id == operation_id).values(claimed_until=None))


def to_operation(found: CloneRecord, order: Sequence[str]) -> contract.CloneOperation:
    steps = [
        contract.CloneStep(service=service, status=step["status"], counts=step.get("counts", {}))
        for service in order
        if (step := found.steps.get(service)) is not None
    ]
    return contract.CloneOperation(
        id=found.id,
        tenant_id=found.tenant_id,
        source_event_id=found.source_event_id,
        target_event_id=found.target_event_id,
        status=found.status,
        options=contract.CloneOptions.model_validate(found.options),
        elements_copied=found.elements_copied or {},
        steps=steps,
        error_log=found.error_log,
        started_at=found.started_at,
        completed_at=found.completed_at,
        created_by=found.created_by,
    )


# --- events' own part: participant types and event-scoped field definitions ----------------------


async def source_types(db: Db, tenant_id: str, event_id: str) -> list[dict[str, Any]]:
    query = (
        sa.select(participant_type)
        .where(participant_type.c.tenant_id == tenant_id, participant_type.c.event_id == event_id)
        .order_by(participant_type.c.created_at, participant_type.c.id)
    )
    return [dict(r._mapping) for r in await db.execute(query)]


async def source_fields(db: Db, tenant_id: str, event_id: str) -> list[dict[str, Any]]:
    query = (
        sa.select(field_definition)
        .where(field_definition.c.tenant_id == tenant_id, field_definition.c.event_id == event_id)
        .order_by(field_definition.c.sort_order, field_definition.c.id)
    )
    return [dict(r._mapping) for r in await db.execute(query)]


async def insert_types(db: AsyncSession, rows: list[dict[str, Any]]) -> set[str]:
    """The copies, once each (ids are derived: a repeat finds them); the ids inserted now."""
    if not rows:
        return set()
    statement = insert(participant_type).values(rows).on_conflict_do_nothing().returning(participant_type.c.id)
    return set((await db.execute(statement)).scalars())


async def insert_fields(db: AsyncSession, rows: list[dict[str, Any]]) -> set[str]:
    if not rows:
        return set()
    statement = insert(field_definition).values(rows).on_conflict_do_nothing().returning(field_definition.c.id)
    return set((await db.execute(statement)).scalars())


async def delete_types_of(db: AsyncSession, tenant_id: str, event_id: str) -> list[dict[str, Any]]:
    """Delete an event's participant types; the rows deleted."""
    statement = (
        sa.delete(participant_type)
        .where(participant_type.c.tenant_id == tenant_id, participant_type.c.event_id == event_id)
        .returning(*participant_type.c)
    )
    return [dict(r._mapping) for r in await db.execute(statement)]


async def delete_fields_of(db: AsyncSession, tenant_id: str, event_id: str) -> list[dict[str, Any]]:
    statement = (
        sa.delete(field_definition)
        .where(field_definition.c.tenant_id == tenant_id, field_definition.c.event_id == event_id)
        .returning(*field_definition.c)
    )
    return [dict(r._mapping) for r in await db.execute(statement)]


async def delete_event(db: AsyncSession, tenant_id: str, event_id: str) -> bool:
    """Delete an event for good (a clone rolled back: nothing of it stays); False when it was gone."""
    statement = sa.delete(event).where(event.c.tenant_id == tenant_id, event.c.id == event_id).returning(event.c.id)
    return (await db.execute(statement)).first() is not None


async def edition_numbers(db: Db, series_id: str) -> list[int]:
    query = sa.select(event_edition.c.edition_number).where(event_edition.c.series_id == series_id)
    return list((await db.execute(query)).scalars())
