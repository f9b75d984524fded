"""Erasing a participant (the erasure saga's command for analytics): analytics never held a name or an address,
so nothing of them is in any table of its schema before or after; the participant's state stays by id and the
figures do not move; the receipt is empty (it names a stored idempotent reply that named them, if one did)."""

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from analytics_svc.adapters import tables

from plenary_contracts.catalog import registration
from plenary_contracts.saga_parts import ERASE_PERSON, ErasePerson
from plenary_kit.ids import new_id
from plenary_kit.testing.schema import rows_holding

from .conftest import OTHER_TENANT, TENANT, Participant

ERASE = ERASE_PERSON["analytics"]
FIRST, LAST = "Zenobia", "Quillfeather"
S = tables.participant_state.c


async def _erase(analytics, participant_id: str, email: str | None, *, tenant: str = TENANT) -> Any:
    request = ErasePerson(erasure_id=new_id(), participant_id=participant_id, event_id="ev", email=email)
    return await analytics.call(ERASE, request, tenant=tenant)


async def _register_named(analytics, event_id: str, email: str, *, tenant: str = TENANT) -> Participant:
    now = datetime.now(UTC).isoformat()
    pid = new_id()
    record = {
        "id": pid, "tenantId": tenant, "eventId": event_id, "participantTypeId": "type-a",
        "registrationCode": f"R{pid[-8:]}", "firstName": FIRST, "lastName": LAST, "email": email,
        "status": "PENDING", "extras": {"phone": "+4479"}, "createdAt": now, "updatedAt": now,
    }  # fmt: skip
    await analytics.send(registration.PARTICIPANT_REGISTERED, {"participant": record}, tenant=tenant)
    return Participant(pid, tenant, event_id, "type-a", record)


async def _states(analytics) -> list[Any]:
    async with analytics.runtime.engine.connect() as conn:
        return (await conn.execute(sa.select(tables.participant_state).order_by(S.id))).all()


async def test_erasing_a_participant_finds_nothing_personal_and_leaves_the_figures_as_they_were(analytics):
    await analytics.on(TENANT, OTHER_TENANT)
    email = f"zq.{new_id()[-8:]}@example.org"
    event_id = await analytics.event("Summit")
    target = await _register_named(analytics, event_id, email)
    await analytics.act(target, "APPROVE", "APPROVED", version=2, at=datetime.now(UTC))
    await analytics.register(event_id)
    elsewhere_event = await analytics.event("Expo", tenant=OTHER_TENANT)
    await _register_named(analytics, elsewhere_event, email, tenant=OTHER_TENANT)
    await analytics.settled()
    states = await _states(analytics)
    held = next(s for s in states if s.id == target.id)
    assert (held.status, held.deleted) == ("APPROVED", False)  # analytics did hear of them
    figures = await analytics.figures(eventId=event_id)
    elsewhere = await analytics.figures(OTHER_TENANT, eventId=elsewhere_event)
    for needle in (FIRST, LAST, email, "+4479"):
        assert await rows_holding(analytics.runtime.engine, "analytics", needle) == {}, needle

    receipt = await _erase(analytics, target.id, email)
    assert (receipt.service, receipt.erased, receipt.anonymised) == ("analytics", {}, {})
    assert await _states(analytics) == states
    assert await analytics.figures(eventId=event_id) == figures
    assert figures["summary"]["total"] == 2 and figures["summary"]["approved"] == 1
    assert await analytics.figures(OTHER_TENANT, eventId=elsewhere_event) == elsewhere
    for needle in (FIRST, LAST, email):
        assert await rows_holding(analytics.runtime.engine, "analytics", needle) == {}, needle

    again = await _erase(analytics, target.id, email)
    assert (again.erased, again.anonymised) == ({}, {})
    unknown = await _erase(analytics, new_id(), None)
    assert (unknown.erased, unknown.anonymised) == ({}, {})


async def test_a_stored_reply_naming_the_participant_goes_and_is_counted_once(analytics):
    person, email = new_id(), f"zq.{new_id()[-8:]}@Example.org"
    keys = tables.messaging.idempotency
    rows = [
        {"tenant_id": TENANT, "operation": "x", "key": "by-id", "request_hash": "h", "reply": {"p": person}},
        {"tenant_id": TENANT, "operation": "x", "key": "by-mail", "request_hash": "h", "reply": {"to": email}},
        {"tenant_id": TENANT, "operation": "x", "key": "other", "request_hash": "h", "reply": {"p": new_id()}},
        {"tenant_id": OTHER_TENANT, "operation": "x", "key": "elsewhere", "request_hash": "h", "reply": {"p": person}},
    ]
    await analytics.execute(sa.insert(keys), rows)

    receipt = await _erase(analytics, person, email.upper())
    assert (receipt.erased, receipt.anonymised) == ({"idempotency_key": 2}, {})
    left = await analytics.execute(sa.select(keys.c.key).order_by(keys.c.key))
    assert [r.key for r in left] == ["elsewhere", "other"]
    again = await _erase(analytics, person, email)
    assert (again.erased, again.anonymised) == ({}, {})
