"""Erasing a participant (the erasure saga's command for comms): the messages to them and about them keep their
status and times for the counts and lose the person's address, rendering and text; nothing of the name or the
address is left anywhere in comms' schema; other participants and the other tenant are untouched; a repeat and
an unknown participant change nothing."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from comms_svc.adapters import tables
from comms_svc.domain.unsubscribe import token_for

from plenary_contracts.catalog import comms as contract
from plenary_contracts.catalog import registration, workflow
from plenary_contracts.saga_parts import ERASE_PERSON, ErasePerson
from plenary_kit.ids import new_id
from plenary_kit.testing.schema import rows_holding

from .conftest import OTHER_TENANT, TENANT, eventually

D = tables.message_delivery.c
N = tables.notification.c
P = tables.participant.c
ERASE = ERASE_PERSON["comms"]
FIRST, LAST = "Zenobia", "Quillfeather"
ZERO = {"anonymised": {"message_delivery": 0, "notification": 0, "participant": 0}}


def _email() -> str:
    return f"zq.{new_id()[-8:]}@Example.org"  # mixed case: found whatever case each copy has


async def _erase(comms, participant_id: str, email: str | None, *, tenant: str = TENANT) -> Any:
    request = ErasePerson(erasure_id=new_id(), participant_id=participant_id, event_id="ev", email=email)
    return await comms.call(ERASE, request, tenant=tenant)


def _waitlist_entry(event, email: str, *, participant_id: str | None, status: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "id": new_id(),
        "tenantId": event.tenant_id,
        "eventId": event.id,
        "participantTypeId": event.type_id,
        "participantId": participant_id,
        "priority": "STANDARD",
        "status": status,
        "registrationData": {
            "participantTypeId": event.type_id,
            "firstName": FIRST,
            "lastName": LAST,
            "email": email,
        },
        "promotedAt": now.isoformat(),
        "promotionDeadline": (now + timedelta(days=2)).isoformat(),
        "notificationsSent": 1,
        "createdAt": (now - timedelta(days=1)).isoformat(),
        "updatedAt": now.isoformat(),
    }


async def _delivery_rows(comms, *where: Any) -> list[Any]:
    async with comms.runtime.engine.connect() as conn:
        return (await conn.execute(sa.select(tables.message_delivery).where(*where).order_by(D.id))).all()


async def test_erasing_a_participant_leaves_no_name_or_address_of_theirs_in_any_table_and_keeps_the_counts(comms):
    event = await comms.seed_event()
    email = _email()
    target = await comms.register(event, firstName=FIRST, lastName=LAST, email=email, extras={"phone": "+4479"})
    neighbour = await comms.register(event)
    elsewhere_event = await comms.seed_event(tenant=OTHER_TENANT)
    elsewhere = await comms.register(elsewhere_event, firstName=FIRST, lastName=LAST, email=email)
    # an e-mail broadcast to both participants, rendered with their names when sent
    draft = await comms.call(
        contract.CREATE_BROADCAST,
        {"eventId": event.id, "channel": "EMAIL", "subject": "Hello {{firstName}}", "body": "Dear {{name}}"},
    )
    await comms.call(contract.SEND_BROADCAST, {"id": draft.id})
    sent = await comms.settled(draft.id)
    # a reviewer's notice about them (in-app and e-mailed), and waitlist e-mails before and after they registered
    reviewer = await comms.add_user()
    notice = {
        "userId": reviewer["id"],
        "type": "step_assignment",
        "title": "New participant to review",
        "message": f"You have a new participant to review: {FIRST} {LAST} at Security",
        "data": {"participantId": target["id"], "stepId": "s1", "assignmentId": "a1", "note": f"{FIRST}'s file"},
    }
    await comms.publish(workflow.NOTIFICATION_REQUESTED, notice)
    unrelated = {**notice, "message": "Someone else to review", "data": {"participantId": neighbour["id"]}}
    await comms.publish(workflow.NOTIFICATION_REQUESTED, unrelated)
    offer = _waitlist_entry(event, email, participant_id=None, status="PROMOTED")
    await comms.publish(registration.WAITLIST_PROMOTED, {"entry": offer})
    confirmed = _waitlist_entry(event, email, participant_id=target["id"], status="PROMOTED")
    await comms.publish(registration.WAITLIST_CONFIRMED, {"entry": confirmed})
    await eventually(lambda: len(comms.sink.to(email)) == 3 and len(comms.sink.to(reviewer["email"])) == 2, timeout=20)
    # they unsubscribed once; a stored idempotent reply names them, another names the neighbour
    token = token_for(comms.settings.comms_unsubscribe_secret, TENANT, target["id"])
    await comms.call(contract.UNSUBSCRIBE, {"token": token}, tenant=None, actor=None)
    keys = tables.messaging.idempotency
    await comms.execute(
        sa.insert(keys),
        [
            {"tenant_id": TENANT, "operation": "x", "key": "k1", "request_hash": "h", "reply": {"to": email.lower()}},
            {"tenant_id": TENANT, "operation": "x", "key": "k2", "request_hash": "h", "reply": {"p": neighbour["id"]}},
        ],
    )
    assert await rows_holding(comms.runtime.engine, "comms", FIRST, skip_tenant=OTHER_TENANT) and await rows_holding(
        comms.runtime.engine, "comms", email, skip_tenant=OTHER_TENANT
    )
    neighbour_before = await _delivery_rows(comms, D.participant_id == neighbour["id"])

    started = time.perf_counter()
    receipt = await _erase(comms, target["id"], email)
    assert time.perf_counter() - started < 1.0
    assert receipt.service == "comms"
    # the broadcast's, the two waitlist e-mails, the reviewer's notice e-mail; its notification, and its event
    assert receipt.anonymised == {"message_delivery": 4, "notification": 1, "participant": 1}
    assert receipt.erased == {"outbox": 1, "idempotency_key": 1}

    for needle in (FIRST, LAST, email):
        assert await rows_holding(comms.runtime.engine, "comms", needle, skip_tenant=OTHER_TENANT) == {}, needle
    theirs = await _delivery_rows(comms, D.broadcast_id == draft.id, D.participant_id == target["id"])
    (kept,) = theirs
    assert (kept.status, kept.recipient, kept.external_id, kept.sent_at is not None) == ("SENT", "[erased]", None, True)
    assert (await comms.broadcast_row(draft.id)).sent_count == sent.sent_count == 2
    async with comms.runtime.engine.connect() as conn:
        row = (await conn.execute(sa.select(tables.participant).where(P.id == target["id"]))).one()
        notes = (await conn.execute(sa.select(tables.notification).order_by(N.created_at))).all()
    # the read model keeps the participant (an audience counts it), nameless
    assert (row.first_name, row.last_name, row.email, row.extras, row.status) == ("", "", None, {}, "APPROVED")
    erased_note = next(n for n in notes if n.data.get("participantId") == target["id"])
    assert (erased_note.title, erased_note.message) == ("[erased]", "[erased]")
    assert erased_note.data == {"participantId": target["id"], "stepId": "s1", "assignmentId": "a1"}
    assert await comms.count(tables.opt_out, tables.opt_out.c.participant_id == target["id"]) == 1
    # others untouched: the neighbour's deliveries, notice and reply; the other tenant's participant
    assert await _delivery_rows(comms, D.participant_id == neighbour["id"]) == neighbour_before
    assert any(n.message == "Someone else to review" for n in notes)
    assert await comms.count(keys, keys.c.key == "k2") == 1
    assert await rows_holding(comms.runtime.engine, "comms", email) == {"participant": 1}
    assert await comms.count(tables.participant, P.id == elsewhere["id"], P.email == email) == 1
    # the e-mail's other copies in the other tenant and the neighbour's are intact
    assert await comms.count(tables.participant, P.id == neighbour["id"], P.email == neighbour["email"]) == 1

    again = await _erase(comms, target["id"], email)
    assert again.model_dump(include={"anonymised"}) == ZERO
    assert again.erased == {"outbox": 0, "idempotency_key": 0}


async def test_an_unknown_participant_or_another_tenants_one_is_erased_as_nothing(comms):
    event = await comms.seed_event()
    email = _email()
    person = await comms.register(event, firstName=FIRST, lastName=LAST, email=email)

    unknown = await _erase(comms, new_id(), None)
    assert unknown.model_dump(include={"anonymised"}) == ZERO and set(unknown.erased.values()) == {0}
    # the participant of tenant-a asked for in tenant-b, with their address: nothing of tenant-a moves
    across = await _erase(comms, person["id"], email, tenant=OTHER_TENANT)
    assert across.model_dump(include={"anonymised"}) == ZERO and set(across.erased.values()) == {0}
    assert await comms.count(tables.participant, P.id == person["id"], P.first_name == FIRST, P.email == email) == 1


async def test_an_erased_persons_waiting_delivery_is_failed_unsent_and_its_broadcast_completes(comms):
    event = await comms.seed_event()
    email = _email()
    person = await comms.register(event, firstName=FIRST, lastName=LAST, email=email)
    broadcast_id = new_id()
    now = datetime.now(UTC)
    await comms.execute(
        sa.insert(tables.broadcast_message).values(
            id=broadcast_id, tenant_id=TENANT, event_id=event.id, body="Dear {{name}}", channel="EMAIL",
            status="SENDING", recipient_count=1, sent_at=now,
        )
    )  # fmt: skip
    await comms.execute(
        sa.insert(tables.message_delivery).values(
            id=new_id(), tenant_id=TENANT, broadcast_id=broadcast_id, participant_id=person["id"], channel="EMAIL",
            recipient=email, status="QUEUED", next_retry_at=now + timedelta(seconds=2),
        )
    )  # fmt: skip

    receipt = await _erase(comms, person["id"], email)
    assert receipt.anonymised["message_delivery"] == 1

    done = await comms.settled(broadcast_id, timeout=20)
    assert (done.sent_count, done.failed_count, done.completed_at is not None) == (0, 1, True)
    (row,) = await _delivery_rows(comms, D.broadcast_id == broadcast_id)
    assert (row.status, row.error_code, row.recipient) == ("FAILED", "ERASED", "[erased]")
    assert comms.sink.to(email) == []


async def test_an_in_app_broadcasts_notification_to_the_participants_address_is_erased_with_its_event(comms):
    event = await comms.seed_event()
    email = _email()
    user = await comms.add_user(email=email)  # a staff account with the participant's address (identity's, kept)
    person = await comms.register(event, firstName=FIRST, lastName=LAST, email=email.lower())
    draft = await comms.call(
        contract.CREATE_BROADCAST,
        {"eventId": event.id, "channel": "IN_APP", "subject": "Gate change", "body": "{{firstName}}: use gate B"},
    )
    await comms.call(contract.SEND_BROADCAST, {"id": draft.id})
    await comms.settled(draft.id)
    (note,) = (await comms.call(contract.LIST_NOTIFICATIONS, {}, actor=user["id"])).data
    assert note.message == f"{FIRST}: use gate B"
    assert len(await comms.events(contract.NOTIFICATION_CREATED)) == 1

    receipt = await _erase(comms, person["id"], email)
    assert receipt.anonymised == {"message_delivery": 1, "notification": 1, "participant": 1}
    assert receipt.erased["outbox"] == 1
    (note,) = (await comms.call(contract.LIST_NOTIFICATIONS, {}, actor=user["id"])).data
    assert (note.title, note.message, note.read) == ("[erased]", "[erased]", False)
    assert set(note.data) == {"broadcastId", "deliveryId"}
    assert await comms.events(contract.NOTIFICATION_CREATED) == []
    assert await rows_holding(comms.runtime.engine, "comms", FIRST, skip_tenant=OTHER_TENANT) == {}
    assert await rows_holding(comms.runtime.engine, "comms", email, skip_tenant=OTHER_TENANT) == {
        "recipient_user": 1
    }  # the account is identity's to delete


async def test_erasing_a_person_with_100_deliveries_takes_well_under_a_second(comms):
    event = await comms.seed_event()
    email = _email()
    person = await comms.register(event, firstName=FIRST, lastName=LAST, email=email)
    now = datetime.now(UTC)
    broadcasts = [
        {"id": new_id(), "tenant_id": TENANT, "event_id": event.id, "body": "Hi", "channel": "EMAIL", "status": "SENT"}
        for _ in range(100)
    ]
    await comms.execute(sa.insert(tables.broadcast_message), broadcasts)
    deliveries = [
        {
            "id": new_id(), "tenant_id": TENANT, "broadcast_id": b["id"], "participant_id": person["id"],
            "channel": "EMAIL", "recipient": email, "status": "SENT", "external_id": f"<{b['id']}.{email}>",
            "sent_at": now,
        }
        for b in broadcasts
    ]  # fmt: skip
    await comms.execute(sa.insert(tables.message_delivery), deliveries)

    started = time.perf_counter()
    receipt = await _erase(comms, person["id"], email)
    assert time.perf_counter() - started < 0.5
    assert receipt.anonymised["message_delivery"] == 100
    assert await comms.count(tables.message_delivery, D.participant_id == person["id"], D.status == "SENT") == 100
    assert await rows_holding(comms.runtime.engine, "comms", email, skip_tenant=OTHER_TENANT) == {}
