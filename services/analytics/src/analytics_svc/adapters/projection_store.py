"""Every statement that reads or writes the projections for the consumers and the rebuild. A batch costs a
handful of statements whatever its size: rows travel as one JSON array each (``jsonb_to_recordset``)."""

import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.participants import ParticipantState
from ..domain.projection import Changes
from .tables import PROJECTIONS

TABLES = {table.name: table for table in PROJECTIONS}

_SCHEMA = "analytics"
# A participant row that exists only so that concurrent batches lock the same row (see ``lock_states``).
_PLACEHOLDER_VERSION = -1


def _json(rows: Iterable[dict[str, Any]]) -> str:
    return json.dumps(list(rows), default=lambda value: value.isoformat())  # dates and times


async def current_generation(session: AsyncSession, *, share_lock: bool = False) -> int:
    """The generation the live consumers write; ``share_lock`` holds it until the transaction ends, so a rebuild's
    swap (which locks it for update) waits for the batch in hand and no batch writes the old one after it."""
    lock = " FOR SHARE" if share_lock else ""
    return int(
        (
            await session.execute(sa.text(f"SELECT current FROM {_SCHEMA}.projection_generation WHERE id = 1{lock}"))
        ).scalar_one()
    )


async def wait_for_locks(session: AsyncSession, milliseconds: int) -> None:
    """The longest any later statement of this transaction waits for a lock."""
    await session.execute(sa.text(f"SET LOCAL lock_timeout = {int(milliseconds)}"))


async def lock_states(session: AsyncSession, generation: int, ids: set[str]) -> dict[str, ParticipantState]:
    """The held states of these participants, locked. A placeholder row is inserted first for each unknown
    one, so two batches that both meet a new participant wait for each other instead of both inserting."""
    if not ids:
        return {}
    ordered = sorted(ids)
    await session.execute(
        sa.text(
            f"INSERT INTO {_SCHEMA}.participant_state (generation, id, tenant_id, event_id, participant_type_id,"
            " status, status_at, progress_version, deleted)"
            " SELECT :generation, id, '', '', '', '', 'epoch', :placeholder, false"
            " FROM unnest(CAST(:ids AS text[])) AS id ON CONFLICT DO NOTHING"
        ),
        {"generation": generation, "ids": ordered, "placeholder": _PLACEHOLDER_VERSION},
    )
    rows = await session.execute(
        sa.text(
            f"SELECT id, tenant_id, event_id, participant_type_id, status, registered_at, status_at, progress_version,"
            f" decided_at, deleted FROM {_SCHEMA}.participant_state"
            " WHERE generation = :generation AND id = ANY(CAST(:ids AS text[])) ORDER BY id FOR UPDATE"
        ),
        {"generation": generation, "ids": ordered},
    )
    return {row.id: ParticipantState(**row._mapping) for row in rows if row.progress_version != _PLACEHOLDER_VERSION}


async def states(session: AsyncSession, generation: int, ids: set[str]) -> dict[str, ParticipantState]:
    """The held states of these participants, unlocked: for a generation no one else writes (a rebuild's)."""
    if not ids:
        return {}
    rows = await session.execute(
        sa.text(
            f"SELECT id, tenant_id, event_id, participant_type_id, status, registered_at, status_at, progress_version,"
            f" decided_at, deleted FROM {_SCHEMA}.participant_state"
            " WHERE generation = :generation AND id = ANY(CAST(:ids AS text[]))"
        ),
        {"generation": generation, "ids": list(ids)},
    )
    return {row.id: ParticipantState(**row._mapping) for row in rows}


async def deleted_events(session: AsyncSession, generation: int, ids: set[str]) -> set[str]:
    if not ids:
        return set()
    rows = await session.execute(
        sa.text(
            f"SELECT id FROM {_SCHEMA}.event_directory"
            " WHERE generation = :generation AND deleted AND id = ANY(CAST(:ids AS text[]))"
        ),
        {"generation": generation, "ids": list(ids)},
    )
    return set(rows.scalars())


async def _upsert(
    session: AsyncSession,
    generation: int,
    table: str,
    columns: str,
    rows: list[dict[str, Any]],
    conflict: str,
    update: str,
) -> None:
    if not rows:
        return
    names = ", ".join(part.split()[0] for part in columns.split(", "))
    await session.execute(
        sa.text(
            f"INSERT INTO {_SCHEMA}.{table} (generation, {names})"
            f" SELECT :generation, {names} FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({columns})"
            f" ORDER BY {conflict} ON CONFLICT (generation, {conflict}) DO UPDATE SET {update}"
        ),
        {"generation": generation, "rows": _json(rows)},
    )


def _rows(changes: Changes) -> dict[str, list[dict[str, Any]]]:
    """The batch's rows per table, the shared counts last (held the shortest until the commit)."""
    return {
        "participant_state": [vars(state).copy() for state in changes.states.values()],
        "step_activity": [
            dict(zip(_STEP_KEY, key, strict=True), step_name=changes.step_names[(key[0], key[3])], count=count)
            for key, count in changes.steps.items()
        ],
        "checkpoint_activity": [
            dict(zip(_CHECKPOINT_KEY, key, strict=True), count=count) for key, count in changes.checkpoints.items()
        ],
        "usage_activity": [
            dict(zip(_USAGE_KEY, key, strict=True), count=count) for key, count in changes.usage.items()
        ],
        "event_directory": [
            {
                "id": e.event_id,
                "tenant_id": e.tenant_id,
                "name": e.name,
                "deleted": e.deleted,
                "source_updated_at": e.at,
            }
            for e in changes.events.values()
        ],
        "workflow_directory": [
            {
                "id": w.workflow_id,
                "tenant_id": w.tenant_id,
                "event_id": w.event_id,
                "deleted": w.deleted,
                "source_updated_at": w.at,
            }
            for w in changes.workflows.values()
        ],
        "participant_count": [
            {**vars(bucket), "count": count, "processing_seconds": seconds}
            for bucket, (count, seconds) in changes.counts.items()
        ],
    }


_STEP_KEY = ("tenant_id", "event_id", "participant_type_id", "step_id", "hour", "kind")
_CHECKPOINT_KEY = ("tenant_id", "event_id", "checkpoint_id", "hour", "movement", "scan_result")
_USAGE_KEY = ("tenant_id", "event_id", "kind", "hour")

# Per table: the record's columns and types, and what a conflicting row becomes. States are replaced (the fold
# decided from the locked row); counts are added to; directories keep the newest name, and a deletion for good.
_UPSERTS: dict[str, tuple[str, str]] = {
    "participant_state": (
        "id text, tenant_id text, event_id text, participant_type_id text, status text, registered_at timestamptz,"
        " status_at timestamptz, progress_version int, decided_at timestamptz, deleted boolean",
        "tenant_id = excluded.tenant_id, event_id = excluded.event_id,"
        " participant_type_id = excluded.participant_type_id, status = excluded.status,"
        " registered_at = excluded.registered_at, status_at = excluded.status_at,"
        " progress_version = excluded.progress_version, decided_at = excluded.decided_at, deleted = excluded.deleted",
    ),
    "participant_count": (
        "tenant_id text, event_id text, participant_type_id text, status text, day date, count bigint,"
        " processing_seconds double precision",
        "count = participant_count.count + excluded.count,"
        " processing_seconds = participant_count.processing_seconds + excluded.processing_seconds",
    ),
    "step_activity": (
        "tenant_id text, event_id text, participant_type_id text, step_id text, hour timestamptz, kind text,"
        " step_name text, count bigint",
        "count = step_activity.count + excluded.count, step_name = excluded.step_name",
    ),
    "checkpoint_activity": (
        "tenant_id text, event_id text, checkpoint_id text, hour timestamptz, movement text, scan_result text,"
        " count bigint",
        "count = checkpoint_activity.count + excluded.count",
    ),
    "usage_activity": (
        "tenant_id text, event_id text, kind text, hour timestamptz, count bigint",
        "count = usage_activity.count + excluded.count",
    ),
    "event_directory": (
        "id text, tenant_id text, name text, deleted boolean, source_updated_at timestamptz",
        "name = CASE WHEN excluded.source_updated_at >= event_directory.source_updated_at THEN excluded.name"
        " ELSE event_directory.name END, deleted = event_directory.deleted OR excluded.deleted,"
        " source_updated_at = GREATEST(event_directory.source_updated_at, excluded.source_updated_at)",
    ),
    "workflow_directory": (
        "id text, tenant_id text, event_id text, deleted boolean, source_updated_at timestamptz",
        "deleted = workflow_directory.deleted OR excluded.deleted,"
        " source_updated_at = GREATEST(workflow_directory.source_updated_at, excluded.source_updated_at)",
    ),
}


def _conflict(table: str) -> str:
    """The table's primary key but the generation."""
    return ", ".join(column.name for column in TABLES[table].primary_key.columns if column.name != "generation")


async def write(session: AsyncSession, generation: int, changes: Changes) -> None:
    """The batch's changes, one statement per table that has any, then the cascade of deleted events."""
    for table, rows in _rows(changes).items():
        columns, update = _UPSERTS[table]
        await _upsert(session, generation, table, columns, rows, _conflict(table), update)
    await cascade_event_deletions(session, generation, changes.deleted_events())


async def cascade_event_deletions(session: AsyncSession, generation: int, event_ids: set[str]) -> None:
    """A deleted event's participants and figures go, as its owners deleted them with it."""
    if not event_ids:
        return
    params = {"generation": generation, "ids": sorted(event_ids)}
    where = "generation = :generation AND event_id = ANY(CAST(:ids AS text[]))"
    await session.execute(
        sa.text(f"UPDATE {_SCHEMA}.participant_state SET deleted = true WHERE {where} AND NOT deleted"), params
    )
    for table in ("participant_count", "step_activity", "checkpoint_activity", "usage_activity"):
        await session.execute(sa.text(f"DELETE FROM {_SCHEMA}.{table} WHERE {where}"), params)
