"""Erasing a participant (the erasure saga's command for webhooks): every stored delivery about them, delivered
or dead-lettered, keeps its status and attempts with its payload redacted and no echo of it from the receiver;
nothing of the name or the address is left anywhere in webhooks' schema; other participants and the other
tenant are untouched; a repeat and an unknown participant change nothing."""

import time
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from webhooks_svc.adapters import tables
from webhooks_svc.domain.erasure import redact

from plenary_contracts.catalog import registration, workflow
from plenary_contracts.catalog import webhooks as contract
from plenary_contracts.saga_parts import ERASE_PERSON, ErasePerson
from plenary_kit.ids import new_id
from plenary_kit.testing.receiver import HttpReceiver, Received, serving
from plenary_kit.testing.schema import rows_holding

from .conftest import OTHER_TENANT, TENANT, acted, eventually

D = tables.webhook_delivery.c
A = tables.webhook_delivery_attempt.c
ERASE = ERASE_PERSON["webhooks"]
FIRST, LAST = "Zenobia", "Quillfeather"
FINISHED = ("DELIVERED", "FAILED", "DEAD_LETTER")


def _echo(request: Received) -> Any:
    return {"received": request.json}  # a receiver that answers with what it was sent


def _registered(participant_id: str, email: str, **more: Any) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    record = {
        "id": participant_id,
        "tenantId": TENANT,
        "eventId": "event-1",
        "participantTypeId": "type-1",
        "registrationCode": f"REG-{participant_id[-6:]}",
        "firstName": FIRST,
        "lastName": LAST,
        "email": email,
        "status": "PENDING",
        "extras": {},
        "createdAt": now,
        "updatedAt": now,
    }
    return {"participant": {**record, **more}}


async def _erase(webhooks, participant_id: str, email: str | None, *, tenant: str = TENANT) -> Any:
    request = ErasePerson(erasure_id=new_id(), participant_id=participant_id, event_id="event-1", email=email)
    return await webhooks.call(ERASE, request, tenant=tenant)


async def _all_finished(webhooks, count: int) -> None:
    async def finished() -> bool:
        rows = await webhooks.delivery_rows()
        return len(rows) == count and all(r.status in FINISHED for r in rows)

    await eventually(finished, timeout=30)


def test_a_redacted_payload_keeps_ids_statuses_times_numbers_and_its_shape_only():
    payload = {
        "participantId": "p1",
        "participantName": "Zenobia Quillfeather",
        "registrationCode": "REG-1",
        "email": "z@example.org",
        "status": "APPROVED",
        "isComplete": True,
        "summary": {"total": 3, "comment": "call her"},
        "data": {"guestIds": ["p2", "p3"], "names": ["Ann", "Bo"], "contact": {"phone": "+44"}},
        "registeredAt": "2027-01-01T00:00:00Z",
        "remarks": None,
    }
    redacted = redact(payload)
    assert redacted == {
        "participantId": "p1",
        "participantName": None,
        "registrationCode": "REG-1",
        "email": None,
        "status": "APPROVED",
        "isComplete": True,
        "summary": {"total": 3, "comment": None},
        "data": {"guestIds": ["p2", "p3"], "names": [None, None], "contact": {"phone": None}},
        "registeredAt": "2027-01-01T00:00:00Z",
        "remarks": None,
    }
    assert redact(redacted) == redacted  # a repeated erasure finds nothing to change


async def test_erasing_a_participant_redacts_every_stored_payload_about_them_and_keeps_the_delivery_log(
    webhooks, receiver
):
    receiver.reply = _echo
    email = f"zq.{new_id()[-8:]}@Example.org"
    target, neighbour = new_id(), new_id()
    async with serving(HttpReceiver(default=500, reply=_echo)) as failing:
        await webhooks.subscribe(receiver.url, ["*"])
        await webhooks.subscribe(failing.url, ["participant.approved"], retrySchedule=[0, 0])
        await webhooks.subscribe(receiver.url, ["*"], tenant=OTHER_TENANT)
        await webhooks.publish(registration.PARTICIPANT_REGISTERED, _registered(target, email))
        await webhooks.publish(workflow.PARTICIPANT_APPROVED, acted(target, participantName=f"{FIRST} {LAST}"))
        other = _registered(neighbour, "n@example.org", firstName="Ann", lastName="Other")
        await webhooks.publish(registration.PARTICIPANT_REGISTERED, other)
        await webhooks.publish(workflow.PARTICIPANT_APPROVED, acted(neighbour))
        elsewhere = _registered(new_id(), email)
        elsewhere["participant"]["tenantId"] = OTHER_TENANT
        await webhooks.publish(registration.PARTICIPANT_REGISTERED, elsewhere, tenant=OTHER_TENANT)
        await _all_finished(webhooks, 7)  # 2 + 1 of the target's, 2 + 1 of the neighbour's, 1 elsewhere
    theirs = [r for r in await webhooks.delivery_rows(D.tenant_id == TENANT) if target in str(r.payload)]
    assert sorted(r.status for r in theirs) == ["DEAD_LETTER", "DELIVERED", "DELIVERED"]
    delivered = next(r for r in theirs if r.event_type == "participant.registered")
    assert FIRST in delivered.response_body  # the receiver's echo of the payload
    # a resend with an Idempotency-Key stores its reply (the delivery, payload included)
    resent = await webhooks.call(contract.RESEND_DELIVERY, {"id": delivered.id}, idempotency_key="k1")
    assert email in resent.response_body
    await _all_finished(webhooks, 7)
    before = {r.id: r for r in await webhooks.delivery_rows()}
    attempts_before = await webhooks.scalar(sa.select(sa.func.count()).select_from(tables.webhook_delivery_attempt))
    assert await rows_holding(
        webhooks.runtime.engine, "webhooks", FIRST, skip_tenant=OTHER_TENANT
    ) and await rows_holding(webhooks.runtime.engine, "webhooks", email, skip_tenant=OTHER_TENANT)

    started = time.perf_counter()
    receipt = await _erase(webhooks, target, email)
    assert time.perf_counter() - started < 1.0
    assert receipt.service == "webhooks"
    assert receipt.anonymised == {"webhook_delivery": 3}
    assert receipt.erased == {"idempotency_key": 1}

    for needle in (FIRST, LAST, email):
        assert await rows_holding(webhooks.runtime.engine, "webhooks", needle, skip_tenant=OTHER_TENANT) == {}, needle
    after = {r.id: r for r in await webhooks.delivery_rows()}
    for row in theirs:
        kept, was = after[row.id], before[row.id]
        assert (kept.status, kept.attempts, kept.response_code, kept.delivered_at) == (
            was.status, was.attempts, was.response_code, was.delivered_at,
        )  # fmt: skip
        assert kept.payload == redact(was.payload) and kept.payload["participantId"] == target
        assert kept.response_body is None
    registered = after[delivered.id].payload
    assert (registered["firstName"], registered["email"], registered["status"]) == (None, None, "PENDING")
    attempts = await webhooks.scalar(sa.select(sa.func.count()).select_from(tables.webhook_delivery_attempt))
    assert attempts == attempts_before
    # the neighbour's deliveries and the other tenant's are as they were
    for delivery_id, row in before.items():
        if row.id not in {r.id for r in theirs}:
            assert after[delivery_id] == row
    assert await rows_holding(webhooks.runtime.engine, "webhooks", email) == {"webhook_delivery": 1}

    again = await _erase(webhooks, target, email)
    assert (again.anonymised, again.erased) == ({"webhook_delivery": 0}, {"idempotency_key": 0})
    assert {r.id: r for r in await webhooks.delivery_rows()} == after


async def test_an_unknown_participant_or_another_tenants_one_is_erased_as_nothing(webhooks, receiver):
    email = f"zq.{new_id()[-8:]}@example.org"
    person = new_id()
    await webhooks.subscribe(receiver.url, ["participant.registered"])
    await webhooks.publish(registration.PARTICIPANT_REGISTERED, _registered(person, email))
    await _all_finished(webhooks, 1)
    (before,) = await webhooks.delivery_rows()

    unknown = await _erase(webhooks, new_id(), "nobody@example.org")
    across = await _erase(webhooks, person, email, tenant=OTHER_TENANT)
    for receipt in (unknown, across):
        assert (receipt.anonymised, receipt.erased) == ({"webhook_delivery": 0}, {"idempotency_key": 0})
    assert await webhooks.delivery_rows() == [before]


async def test_a_delivery_waiting_for_its_retry_goes_out_redacted_after_the_erasure(webhooks, receiver):
    email = f"zq.{new_id()[-8:]}@example.org"
    person = new_id()
    await webhooks.subscribe(receiver.url, ["participant.registered"], retrySchedule=[3])
    receiver.answering(503)
    await webhooks.publish(registration.PARTICIPANT_REGISTERED, _registered(person, email))

    async def retrying() -> bool:
        rows = await webhooks.delivery_rows()
        return [r.status for r in rows] == ["RETRYING"]

    await eventually(retrying, timeout=20)
    receipt = await _erase(webhooks, person, email)
    assert receipt.anonymised == {"webhook_delivery": 1}
    await _all_finished(webhooks, 1)
    first, second = receiver.received
    assert first.json["data"]["email"] == email  # sent before the erasure
    data = second.json["data"]
    assert (data["participantId"], data["firstName"], data["email"], data["status"]) == (person, None, None, "PENDING")
    assert await rows_holding(webhooks.runtime.engine, "webhooks", email, skip_tenant=OTHER_TENANT) == {}
