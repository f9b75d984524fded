"""Storing new participants with their blocking keys: one statement for a few, COPY for many; a row whose
registration code the event already uses is not stored, and neither are its keys."""

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from registration_svc.adapters import participant_repository as participants
from registration_svc.adapters.tables import blocking_key, participant

from plenary_contracts.enums import ParticipantStatus
from plenary_kit.ids import new_id

from .screening_rows import an_event, insert_participant


def _row(event, code: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "id": new_id(),
        "tenant_id": event.tenant_id,
        "event_id": event.id,
        "participant_type_id": event.type_id,
        "workflow_id": None,
        "registration_code": code,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": None,
        "organization": None,
        "job_title": None,
        "nationality": None,
        "status": ParticipantStatus.PENDING,
        "extras": {"phone": "+44 1"},
        "flagged": False,
        "created_at": now,
        "updated_at": now,
    }


async def _keys_of(registration, participant_ids: list[str]) -> dict[str, set[str]]:
    rows = await registration.execute(
        sa.select(blocking_key.c.participant_id, blocking_key.c.key).where(
            blocking_key.c.participant_id.in_(participant_ids)
        )
    )
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row.participant_id, set()).add(row.key)
    return found


@pytest.mark.parametrize("count", [3, participants.COPY_FROM + 10])
async def test_new_participants_are_stored_with_their_keys_except_one_whose_code_is_taken(registration, count):
    event = an_event()
    await insert_participant(registration, event, registration_code="TAKEN")
    rows = {n: _row(event, "TAKEN" if n == 1 else f"C-{n}") for n in range(count)}
    keys = {n: {f"k:{n}", "shared"} for n in range(count)}

    async with registration.runtime.uow() as uow:
        clashed = await participants.insert_unless_code_taken(uow.session, rows, keys)
        await uow.commit()

    assert clashed == {1}
    stored_ids = [rows[n]["id"] for n in range(count) if n != 1]
    stored = await registration.execute(sa.select(participant).where(participant.c.id.in_(stored_ids)))
    by_id = {row.id: row for row in stored}
    assert set(by_id) == set(stored_ids)
    assert by_id[rows[0]["id"]].extras == {"phone": "+44 1"}
    assert by_id[rows[0]["id"]].status == ParticipantStatus.PENDING
    assert await _keys_of(registration, [r["id"] for r in rows.values()]) == {
        rows[n]["id"]: {f"k:{n}", "shared"} for n in range(count) if n != 1
    }
