"""Participants: rows ↔ contract models, and the queries every use case of them shares.

Rows read here carry ``type_code``, the participant type's code from the event read model.
"""

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import registration as contract

from .tables import participant, participant_type

Row = sa.Row[Any]

CODE_TAKEN = "uq_participant_tenant_id_event_id_registration_code"
SORTABLE = {
    "createdAt": participant.c.created_at,
    "lastName": participant.c.last_name,
    "registrationCode": participant.c.registration_code,
}

_TYPE_CODE = (
    sa.select(participant_type.c.code)
    .where(participant_type.c.id == participant.c.participant_type_id)
    .scalar_subquery()
    .label("type_code")
)


def participants_query(tenant_id: str, event_id: str | None = None) -> sa.Select[Any]:
    """The tenant's live participants (of one event when given), each with its ``type_code``."""
    query = sa.select(participant, _TYPE_CODE).where(
        participant.c.tenant_id == tenant_id, participant.c.deleted_at.is_(None)
    )
    if event_id is not None:
        query = query.where(participant.c.event_id == event_id)
    return query


async def get(
    session: AsyncSession,
    tenant_id: str,
    participant_id: str,
    *,
    for_update: bool = False,
    event_id: str | None = None,
) -> Row | None:
    """A live participant of the tenant (and of ``event_id`` when given), with its ``type_code``."""
    query = participants_query(tenant_id, event_id).where(participant.c.id == participant_id)
    if for_update:
        query = query.with_for_update(of=participant)
    return (await session.execute(query)).first()


async def get_many(session: AsyncSession, tenant_id: str, participant_ids: Collection[str]) -> list[Row]:
    if not participant_ids:
        return []
    query = participants_query(tenant_id).where(participant.c.id.in_(list(participant_ids)))
    return list((await session.execute(query)).all())


def _values(row: Row | Mapping[str, Any]) -> dict[str, Any]:
    return dict(row._mapping) if isinstance(row, sa.Row) else dict(row)


def to_record(row: Row | Mapping[str, Any], type_code: str | None = None) -> contract.ParticipantRecord:
    values = _values(row)
    values["participant_type_code"] = type_code if type_code is not None else values.get("type_code")
    return contract.ParticipantRecord.model_validate(values)


def to_participant(
    row: Row | Mapping[str, Any], type_code: str | None = None, screening: contract.Screening | None = None
) -> contract.Participant:
    values = _values(row)
    values["participant_type_code"] = type_code if type_code is not None else values.get("type_code")
    values["screening"] = screening
    return contract.Participant.model_validate(values)


async def insert_many(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        await session.execute(sa.insert(participant), list(rows))


async def codes_taken(session: AsyncSession, tenant_id: str, event_id: str, codes: Collection[str]) -> set[str]:
    """Which of ``codes`` the event already uses, deleted participants included (the unique key covers them)."""
    if not codes:
        return set()
    query = sa.select(participant.c.registration_code).where(
        participant.c.tenant_id == tenant_id,
        participant.c.event_id == event_id,
        participant.c.registration_code.in_(list(codes)),
    )
    return set((await session.execute(query)).scalars())


async def values_taken(
    session: AsyncSession,
    tenant_id: str,
    event_id: str,
    field_name: str,
    values: Collection[str],
    *,
    except_id: str | None = None,
) -> set[str]:
    """Which of ``values`` (as ``extras ->> field``) live participants of the event already hold."""
    if not values:
        return set()
    text = participant.c.extras[field_name].astext
    query = sa.select(text).where(
        participant.c.tenant_id == tenant_id,
        participant.c.event_id == event_id,
        participant.c.deleted_at.is_(None),
        text.in_(list(values)),
    )
    if except_id is not None:
        query = query.where(participant.c.id != except_id)
    return set((await session.execute(query)).scalars())


async def change(session: AsyncSession, participant_id: str, values: Mapping[str, Any]) -> Row:
    """Write ``values`` (the caller holds the row lock and sets ``updated_at``); the row as it is now."""
    await session.execute(sa.update(participant).where(participant.c.id == participant_id).values(**values))
    query = sa.select(participant, _TYPE_CODE).where(participant.c.id == participant_id)
    return (await session.execute(query)).one()


async def soft_delete_of_event(session: AsyncSession, tenant_id: str, event_id: str, now: datetime) -> list[str]:
    """Every live participant of the event goes; their ids."""
    result = await session.execute(
        sa.update(participant)
        .where(
            participant.c.tenant_id == tenant_id,
            participant.c.event_id == event_id,
            participant.c.deleted_at.is_(None),
        )
        .values(deleted_at=now, updated_at=now)
        .returning(participant.c.id)
    )
    return list(result.scalars())
