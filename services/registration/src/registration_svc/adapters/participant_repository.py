"""Participants: rows ↔ contract models, and the queries every use case of them shares.

Participants read here carry ``type_code``, the participant type's code from the event read model.
"""

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import ParticipantStatus
from plenary_contracts.listing import PageMeta
from plenary_kit.db import contains_any, execute_unique, fetch_page, violated_constraint
from plenary_kit.db.copying import copy_dicts, copy_rows

from .rows import row_as, values_of
from .tables import blocking_key, participant, participant_type


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
    erased_at: datetime | None = None


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


# What a new participant's row gives (the rest take their defaults).
NEW_COLUMNS = (
    "id",
    "tenant_id",
    "event_id",
    "participant_type_id",
    "workflow_id",
    "registration_code",
    "first_name",
    "last_name",
    "email",
    "organization",
    "job_title",
    "nationality",
    "status",
    "extras",
    "flagged",
    "created_at",
    "updated_at",
)
_KEY_COLUMNS = ["participant_id", "tenant_id", "event_id", "key"]


def _insert_with_keys_statement() -> sa.Select[Any]:
    """New participants given as one JSON text (each with its blocking keys), stored unless their
    registration code is taken, and the keys of those stored: one round trip; the ids stored."""
    typed = [sa.column(name, participant.c[name].type) for name in NEW_COLUMNS]
    given = sa.select(
        sa.func.json_to_recordset(sa.cast(sa.bindparam("rows", type_=sa.Text), sa.JSON))
        .table_valued(*typed, sa.column("keys", ARRAY(sa.Text)))
        .render_derived("given", with_types=True)
    ).cte("given")
    stored = (
        insert(participant)
        .from_select(list(NEW_COLUMNS), sa.select(*(given.c[name] for name in NEW_COLUMNS)))
        .on_conflict_do_nothing(constraint=CODE_TAKEN)
        .returning(participant.c.id)
        .cte("stored")
    )
    keyed = sa.select(given.c.id, given.c.tenant_id, given.c.event_id, sa.func.unnest(given.c["keys"]))
    keyed = keyed.join_from(given, stored, stored.c.id == given.c.id)
    indexed = sa.insert(blocking_key).from_select(_KEY_COLUMNS, keyed).cte("indexed")
    return sa.select(stored.c.id).add_cte(indexed)


# Built once: a registration's path pays for building statements as much as for running them.
_INSERT_WITH_KEYS = _insert_with_keys_statement()


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not a participant column's value")


async def insert_unless_code_taken(
    session: AsyncSession, rows: Mapping[int, Mapping[str, Any]], keys: Mapping[int, Collection[str]]
) -> set[int]:
    """Insert ``rows`` (each with every column of ``NEW_COLUMNS``) and, for each stored, its blocking keys
    (``keys``, under the same key as its row); the keys of the rows whose registration code the event
    already uses (not stored). A large batch goes by COPY, which takes all or nothing: when a code was
    taken meanwhile, it goes again as one INSERT that skips the taken codes."""
    if not rows:
        return set()
    if len(rows) >= COPY_FROM:
        try:
            async with session.begin_nested():
                await copy_dicts(session, participant, list(rows.values()))
            key_rows = (
                (row["id"], row["tenant_id"], row["event_id"], key) for n, row in rows.items() for key in keys[n]
            )
            await copy_rows(session, blocking_key, _KEY_COLUMNS, key_rows)
            return set()
        except IntegrityError as error:
            if violated_constraint(error) != CODE_TAKEN:
                raise
    given = json.dumps(
        [{**{name: row[name] for name in NEW_COLUMNS}, "keys": list(keys[n])} for n, row in rows.items()],
        default=_json_value,
    )
    stored = set((await session.execute(_INSERT_WITH_KEYS, {"rows": given})).scalars())
    return {n for n, row in rows.items() if row["id"] not in stored}


def _codes_taken_statement() -> sa.Select[Any]:
    codes = sa.func.json_array_elements_text(sa.cast(sa.bindparam("codes", type_=sa.Text), sa.JSON))
    return sa.select(participant.c.registration_code).where(
        participant.c.tenant_id == sa.bindparam("tenant_id", type_=sa.String),
        participant.c.event_id == sa.bindparam("event_id", type_=sa.String),
        participant.c.registration_code == sa.any_(sa.func.array(sa.select(codes).scalar_subquery())),
    )


# Built once; the codes as one JSON text (an import's chunk asks for hundreds).
_CODES_TAKEN = _codes_taken_statement()


async def codes_taken(session: AsyncSession, tenant_id: str, event_id: str, codes: Collection[str]) -> set[str]:
    """Which of ``codes`` the event already uses, deleted participants included (the unique key covers them)."""
    if not codes:
        return set()
    given = {"codes": json.dumps(list(codes)), "tenant_id": tenant_id, "event_id": event_id}
    return set((await session.execute(_CODES_TAKEN, given)).scalars())


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
