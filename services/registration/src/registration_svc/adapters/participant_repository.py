"""Participants: rows ↔ contract models, and the queries every use case of them shares.

Participants read here carry ``type_code``, the participant type's code from the event read model.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import ParticipantStatus
from plenary_contracts.listing import PageMeta
from plenary_kit.db import contains_any, execute_unique, fetch_page, violated_constraint

from .copying import copy_dicts
from .rows import row_as, values_of
from .tables import participant, participant_type


@dataclass(frozen=True)
class StoredParticipant:
    """A participant as stored, with its participant type's ``type_code``."""

    id: str
    tenant_id: str
    event_id: str
    participant_type_id: str
    workflow_id: str | None
    workflow_version_id: str | None
    current_step_id: str | None
    registration_code: str
    first_name: str
    last_name: str
    email: str | None
    organization: str | None
    job_title: str | None
    nationality: str | None
    status: ParticipantStatus
    extras: dict[str, Any]
    flagged: bool
    progress_version: int | None
    deleted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    type_code: str | None


CODE_TAKEN = "uq_participant_tenant_id_event_id_registration_code"
COPY_FROM = 50  # rows from which a batch is written with COPY
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


async def page(
    session: AsyncSession, tenant_id: str, request: contract.ListParticipants
) -> tuple[list[contract.Participant], PageMeta]:
    """One page of the event's live participants, filtered by status, type, flag and ``q`` (name, e-mail
    or registration code)."""
    query = participants_query(tenant_id, request.event_id)
    if request.status is not None:
        query = query.where(participant.c.status == request.status)
    if request.participant_type_id is not None:
        query = query.where(participant.c.participant_type_id == request.participant_type_id)
    if request.flagged is not None:
        query = query.where(participant.c.flagged.is_(request.flagged))
    if request.q:
        full_name = participant.c.first_name + " " + participant.c.last_name
        query = query.where(contains_any(request.q, full_name, participant.c.email, participant.c.registration_code))
    rows, meta = await fetch_page(session, query, request, SORTABLE, participant.c.id)
    return [to_participant(row_as(StoredParticipant, r)) for r in rows], meta


async def get(
    session: AsyncSession,
    tenant_id: str,
    participant_id: str,
    *,
    for_update: bool = False,
    event_id: str | None = None,
) -> StoredParticipant | None:
    """A live participant of the tenant (and of ``event_id`` when given), with its ``type_code``."""
    query = participants_query(tenant_id, event_id).where(participant.c.id == participant_id)
    if for_update:
        query = query.with_for_update(of=participant)
    row = (await session.execute(query)).first()
    return None if row is None else row_as(StoredParticipant, row)


async def get_many(session: AsyncSession, tenant_id: str, participant_ids: Collection[str]) -> list[StoredParticipant]:
    if not participant_ids:
        return []
    query = participants_query(tenant_id).where(participant.c.id.in_(list(participant_ids)))
    return [row_as(StoredParticipant, r) for r in (await session.execute(query)).all()]


def _values(stored: StoredParticipant | Mapping[str, Any]) -> dict[str, Any]:
    return values_of(stored) if isinstance(stored, StoredParticipant) else dict(stored)


def to_record(
    stored: StoredParticipant | Mapping[str, Any], type_code: str | None = None
) -> contract.ParticipantRecord:
    values = _values(stored)
    values["participant_type_code"] = type_code if type_code is not None else values.get("type_code")
    return contract.ParticipantRecord.model_validate(values)


def to_participant(
    stored: StoredParticipant | Mapping[str, Any],
    type_code: str | None = None,
    screening: contract.Screening | None = None,
) -> contract.Participant:
    values = _values(stored)
    values["participant_type_code"] = type_code if type_code is not None else values.get("type_code")
    values["screening"] = screening
    return contract.Participant.model_validate(values)


def with_screening(
    record: contract.ParticipantRecord, flagged: bool, screening: contract.Screening
) -> contract.Participant:
    """The participant of a validated record, as a registration's reply shows it (no second validation)."""
    return contract.Participant.model_construct(**dict(record), flagged=flagged, screening=screening)


async def insert_many(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        await session.execute(sa.insert(participant), list(rows))


async def insert_unless_code_taken(session: AsyncSession, rows: Mapping[int, Mapping[str, Any]]) -> set[int]:
    """Insert ``rows``; the keys of those whose registration code the event already uses (not stored).
    A large batch goes by COPY, which takes all or nothing: when a code was taken meanwhile, it goes
    again as one INSERT that skips the taken codes."""
    if not rows:
        return set()
    if len(rows) >= COPY_FROM:
        try:
            async with session.begin_nested():
                await copy_dicts(session, participant, list(rows.values()))
            return set()
        except IntegrityError as error:
            if violated_constraint(error) != CODE_TAKEN:
                raise
    statement = insert(participant).on_conflict_do_nothing(constraint=CODE_TAKEN).returning(participant.c.id)
    stored = set((await session.execute(statement, list(rows.values()))).scalars())
    return {key for key, row in rows.items() if row["id"] not in stored}


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


async def change(session: AsyncSession, participant_id: str, values: Mapping[str, Any]) -> StoredParticipant:
    """Write ``values`` (the caller holds the row lock and sets ``updated_at``); the participant as it is now."""
    await session.execute(sa.update(participant).where(participant.c.id == participant_id).values(**values))
    return await _reread(session, participant_id)


async def change_keeping_code_unique(
    session: AsyncSession, participant_id: str, values: Mapping[str, Any]
) -> StoredParticipant:
    """``change``, where a registration code another registration took meanwhile is a 409, not a server error."""
    update = sa.update(participant).where(participant.c.id == participant_id).values(**values)
    await execute_unique(session, update, {CODE_TAKEN: "registration code is already used in this event"})
    return await _reread(session, participant_id)


async def _reread(session: AsyncSession, participant_id: str) -> StoredParticipant:
    query = sa.select(participant, _TYPE_CODE).where(participant.c.id == participant_id)
    return row_as(StoredParticipant, (await session.execute(query)).one())


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
