"""What screening reads and writes: blocking keys (how candidates are found, never by scanning every
participant), duplicate candidates, and the blacklist entries that apply to a tenant."""

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import registration as contract
from plenary_kit.db.copying import copy_rows

from ..domain import screening
from .participant_repository import COPY_FROM, StoredParticipant
from .rows import values_of
from .tables import blacklist, blocking_key, duplicate_candidate, participant

Row = sa.Row[Any]


def person_of(row: Row | StoredParticipant | Mapping[str, Any]) -> screening.Person:
    """A participant (a row, or its values) as screening reads it; passport, phone and birth date from extras."""
    values = row._mapping if isinstance(row, sa.Row) else values_of(row) if isinstance(row, StoredParticipant) else row
    extras = values.get("extras") or {}
    return screening.Person(
        id=values.get("id"),
        first_name=values["first_name"],
        last_name=values["last_name"],
        email=values.get("email"),
        passport=_text(extras.get("passportNumber")),
        phone=_text(extras.get("phone")),
        date_of_birth=_text(extras.get("dateOfBirth")),
    )


def _text(value: Any) -> str | None:
    return None if value is None or isinstance(value, dict | list) else str(value)


# --- blocking keys -------------------------------------------------------------------------------


async def index_keys(
    session: AsyncSession, *, participant_id: str, tenant_id: str, event_id: str, person: screening.Person
) -> None:
    """Replace the participant's blocking keys with those of ``person``."""
    await delete_keys(session, [participant_id])
    await insert_keys(session, [(participant_id, tenant_id, event_id, screening.blocking_keys(person))])


async def insert_keys(session: AsyncSession, entries: Sequence[tuple[str, str, str, Collection[str]]]) -> None:
    """Keys of new participants: (participant_id, tenant_id, event_id, keys) each."""
    rows = [(pid, tenant_id, event_id, key) for pid, tenant_id, event_id, keys in entries for key in keys]
    if len(rows) >= COPY_FROM:
        await copy_rows(session, blocking_key, ["participant_id", "tenant_id", "event_id", "key"], rows)
    elif rows:
        columns = ["participant_id", "tenant_id", "event_id", "key"]
        arrays = (sa.literal(list(values), ARRAY(sa.Text)) for values in zip(*rows, strict=True))
        given = sa.func.unnest(*arrays).table_valued(*columns).render_derived("given")
        await session.execute(sa.insert(blocking_key).from_select(columns, sa.select(given)))


async def delete_keys(session: AsyncSession, participant_ids: Collection[str]) -> None:
    if participant_ids:
        ids = sa.literal(list(participant_ids), ARRAY(sa.String))
        await session.execute(sa.delete(blocking_key).where(blocking_key.c.participant_id == sa.any_(ids)))


async def lock_scope(session: AsyncSession, tenant_id: str, event_ids: Collection[str]) -> None:
    """Lock the events' screening until the transaction ends. Scopes overlap symmetrically (an event's
    scope holds every event whose dates overlap it), so two registrations that can find each other
    always share a lock; taken in one sorted pass, so never in opposite orders."""
    keys = sorted(_event_lock(tenant_id, event_id) for event_id in event_ids)
    wanted = sa.func.unnest(sa.literal(keys, ARRAY(sa.Text))).table_valued("key").render_derived("wanted")
    locks = sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(wanted.c.key, 0))).select_from(wanted)
    await session.execute(locks)


def _event_lock(tenant_id: str, event_id: str) -> str:
    return f"registration-screening:{tenant_id}:{event_id}"


def _lock_keys_statement() -> sa.Select[Any]:
    wanted = (
        sa.func.json_to_recordset(sa.cast(sa.bindparam("wanted", type_=sa.Text), sa.JSON))
        .table_valued(sa.column("key", sa.Text), sa.column("shared", sa.Boolean))
        .render_derived("wanted", with_types=True)
    )
    lock = sa.func.hashtextextended(wanted.c.key, 0)
    taken = sa.case(
        (wanted.c.shared, sa.func.pg_advisory_xact_lock_shared(lock)), else_=sa.func.pg_advisory_xact_lock(lock)
    )
    return sa.select(taken).select_from(wanted)


# Built once: building the statement cost more than running it, on a registration's path.
_LOCK_KEYS = _lock_keys_statement()


async def lock_keys(session: AsyncSession, tenant_id: str, event_ids: Collection[str], keys: Collection[str]) -> None:
    """Lock the events' screening shared, then the identity keys, until the transaction ends; in one
    statement, always in the same order (events, then keys, each sorted), so never in opposite orders.

    The candidates must be looked up in a later statement: a statement's snapshot is taken before it
    waits for a lock, so it could not see what the holder committed."""
    events = sorted(_event_lock(tenant_id, event_id) for event_id in event_ids)
    identities = sorted(f"registration-screening:{tenant_id}:key:{key}" for key in keys)
    wanted = [{"key": key, "shared": True} for key in events] + [{"key": key, "shared": False} for key in identities]
    await session.execute(_LOCK_KEYS, {"wanted": json.dumps(wanted)})  # one text: arrays are dumped string by string


@dataclass(frozen=True)
class Candidate:
    person: int  # which probing person it is a candidate of
    candidate: screening.Person


def _candidates_statement() -> sa.Select[Any]:
    people = (
        sa.func.json_to_recordset(sa.cast(sa.bindparam("given", type_=sa.Text), sa.JSON))
        .table_valued(sa.column("person", sa.Integer), sa.column("probes", ARRAY(sa.Text)))
        .render_derived("people", with_types=True)
    )
    wanted = sa.select(people.c.person, sa.func.unnest(people.c.probes).label("key")).subquery("wanted")
    postings = (
        sa.select(blocking_key.c.participant_id)
        .where(
            blocking_key.c.tenant_id == sa.bindparam("tenant_id", type_=sa.String),
            blocking_key.c.key == wanted.c.key,
            blocking_key.c.event_id == sa.any_(sa.bindparam("scope", type_=ARRAY(sa.String))),
        )
        .limit(screening.POSTINGS_PER_KEY)
        .lateral("postings")
    )
    matched = (
        sa.select(wanted.c.person, postings.c.participant_id)
        .select_from(wanted)
        .join(postings, sa.true())
        .distinct()
        .subquery("matched")
    )
    extras = sa.func.jsonb_build_object(
        "passportNumber",
        participant.c.extras["passportNumber"],
        "phone",
        participant.c.extras["phone"],
        "dateOfBirth",
        participant.c.extras["dateOfBirth"],
    )
    person = (
        sa.select(
            participant.c.id,
            participant.c.event_id,
            participant.c.first_name,
            participant.c.last_name,
            participant.c.email,
            extras.label("extras"),
            participant.c.deleted_at,
        )
        .where(participant.c.id == matched.c.participant_id)
        .offset(0)
        .lateral("person")
    )
    return (
        sa.select(matched.c.person, person)
        .select_from(matched)
        .join(person, sa.true())
        .where(person.c.deleted_at.is_(None))
    )


# Built once: building this statement took longer than PostgreSQL takes to run it.
_CANDIDATES = _candidates_statement()


async def find_candidates(
    session: AsyncSession, tenant_id: str, event_ids: Collection[str], probes: Mapping[int, Collection[str]]
) -> list[Candidate]:
    """Live participants of ``event_ids`` found through the keys each person (by number) probes: any stored
    participant holding one of them is a candidate of that person; one query for every person.
    A key yields at most ``POSTINGS_PER_KEY`` participants (the index's first), so a crowded key costs
    no more than any other.

    The plan is pinned (the ``LIMIT`` and ``OFFSET 0`` keep each lateral lookup a lookup): one index range
    per probed key, then one primary-key fetch per candidate, however stale the table's statistics are
    (right after a large import, a planner guessing "few rows" would otherwise join every key with every
    participant).
    """
    if not probes or not event_ids:
        return []
    # one JSON text rather than arrays: psycopg escapes an array's strings one by one in Python, which for
    # the tens of thousands of keys an import's chunk probes costs more than the query
    given = json.dumps([{"person": person, "probes": list(keys)} for person, keys in probes.items() if keys])
    found = await session.execute(_CANDIDATES, {"given": given, "tenant_id": tenant_id, "scope": sorted(event_ids)})
    return [Candidate(row.person, _person_of_candidate(row)) for row in found.all()]


def _person_of_candidate(row: Row) -> screening.Person:
    extras = row.extras or {}
    return screening.Person(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        passport=_text(extras.get("passportNumber")),
        phone=_text(extras.get("phone")),
        date_of_birth=_text(extras.get("dateOfBirth")),
    )


# --- duplicate candidates ------------------------------------------------------------------------


def ordered_pair(first: str, second: str) -> tuple[str, str]:
    """A is the smaller id (as the table's check constraint compares them, byte order)."""
    return (first, second) if first.encode() < second.encode() else (second, first)


_CANDIDATE_COLUMNS = (
    "id",
    "tenant_id",
    "event_id",
    "participant_a_id",
    "participant_b_id",
    "confidence_score",
    "match_fields",
)


def _upsert_candidates_statement() -> Any:
    given = (
        sa.func.json_to_recordset(sa.cast(sa.bindparam("rows", type_=sa.Text), sa.JSON))
        .table_valued(*(sa.column(name, duplicate_candidate.c[name].type) for name in _CANDIDATE_COLUMNS))
        .render_derived("given", with_types=True)
    )
    statement = insert(duplicate_candidate).from_select(
        list(_CANDIDATE_COLUMNS), sa.select(*(given.c[name] for name in _CANDIDATE_COLUMNS))
    )
    return statement.on_conflict_do_update(
        index_elements=[duplicate_candidate.c.participant_a_id, duplicate_candidate.c.participant_b_id],
        set_={
            "confidence_score": statement.excluded.confidence_score,
            "match_fields": statement.excluded.match_fields,
            "updated_at": sa.func.now(),
        },
    ).returning(duplicate_candidate)


# One statement for every pair, built once (an INSERT … RETURNING in parameter order went row by row).
_UPSERT_CANDIDATES = _upsert_candidates_statement()


async def upsert_candidates(
    session: AsyncSession, rows: Sequence[Mapping[str, Any]]
) -> list[contract.DuplicateCandidate]:
    """Insert candidates, or refresh only the score and matched fields of known pairs (status kept); one
    per row, in order. Each row: id, tenant_id, event_id, participant_a_id, participant_b_id,
    confidence_score, match_fields."""
    if not rows:
        return []
    by_pair = {(row["participant_a_id"], row["participant_b_id"]): row for row in rows}  # a pair once
    given = json.dumps([{name: row[name] for name in _CANDIDATE_COLUMNS} for row in by_pair.values()])
    written = (await session.execute(_UPSERT_CANDIDATES, {"rows": given})).all()
    stored = {
        (row.participant_a_id, row.participant_b_id): contract.DuplicateCandidate.model_validate(row._mapping)
        for row in written
    }
    return [stored[(row["participant_a_id"], row["participant_b_id"])] for row in rows]


# --- blacklist -----------------------------------------------------------------------------------


async def active_blacklist(
    session: AsyncSession, tenant_id: str
) -> list[tuple[screening.BlacklistEntry, datetime | None]]:
    """The entries screening may apply to the tenant, its own and the global ones, active, each with when it
    expires (None: never); the caller leaves out the expired."""
    query = sa.select(
        blacklist.c.id,
        blacklist.c.name,
        blacklist.c.name_variations,
        blacklist.c.passport_number,
        blacklist.c.email,
        blacklist.c.expires_at,
    ).where(sa.or_(blacklist.c.tenant_id == tenant_id, blacklist.c.tenant_id.is_(None)), blacklist.c.is_active)
    return [
        (
            screening.BlacklistEntry(
                id=row.id,
                name=row.name,
                name_variations=tuple(row.name_variations or ()),
                passport=row.passport_number,
                email=row.email,
            ),
            row.expires_at,
        )
        for row in (await session.execute(query)).all()
    ]
