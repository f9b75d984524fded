"""Rows screening leaves behind, written straight to the tables: participants and duplicate candidates."""

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from registration_svc.adapters.tables import duplicate_candidate, participant

from plenary_kit.ids import new_id

from .conftest import TENANT, SeededEvent


def an_event(tenant: str = TENANT) -> SeededEvent:
    """Ids of an event and a type, for rows that need no read model of them."""
    return SeededEvent(new_id(), tenant, {"DELEGATE": new_id()})


async def insert_participant(
    registration, event: SeededEvent, first: str = "Ada", last: str = "Lovelace", **values: Any
) -> str:
    pid = new_id()
    row = {
        "id": pid,
        "tenant_id": event.tenant_id,
        "event_id": event.id,
        "participant_type_id": event.type_id,
        "registration_code": f"R-{pid[:10]}",
        "first_name": first,
        "last_name": last,
    } | values
    await registration.execute(sa.insert(participant).values(row))
    return pid


async def insert_candidate(
    registration, one: str, other: str, score: float = 0.85, *, event_id: str | None = None, **values: Any
) -> str:
    """A candidate pair, (A, B) in the table's order; ``created_at`` older by ``age`` seconds if given."""
    a, b = (one, other) if one.encode() < other.encode() else (other, one)
    age = values.pop("age", 0)
    row = {
        "id": new_id(),
        "tenant_id": values.pop("tenant_id", TENANT),
        "event_id": event_id,
        "participant_a_id": a,
        "participant_b_id": b,
        "confidence_score": score,
        "match_fields": [
            {
                "field": "name",
                "sourceValue": "ada lovelace",
                "matchValue": "ada lovelace",
                "score": score,
                "matchType": "exact",
            }
        ],
        "created_at": datetime.now(UTC) - timedelta(seconds=age),
    } | values
    await registration.execute(sa.insert(duplicate_candidate).values(row))
    return row["id"]


async def row_of(registration, table: sa.Table, row_id: str) -> Any:
    return (await registration.execute(sa.select(table).where(table.c.id == row_id))).one()
