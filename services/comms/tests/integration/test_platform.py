"""The platform's messages: workflow's notices become notifications and e-mails, waitlist offers e-mails, each
rendered from a system template the tenant may override; in-app broadcasts and the notification operations."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from comms_svc.adapters import tables

from plenary_contracts.catalog import comms as contract
from plenary_contracts.catalog import registration, workflow
from plenary_contracts.errors import NotFound

from .conftest import eventually


async def test_a_workflow_notice_becomes_an_in_app_notification_and_an_email_once(comms):
    reviewer = await comms.add_user()
    notice = {
        "userId": reviewer["id"],
        "type": "step_assignment",
        "title": "Review Ada Lovelace",
        "message": "You were assigned to review Ada Lovelace at Security check.",
        "data": {"participantId": "p1", "stepId": "s1"},
    }
    await comms.publish(workflow.NOTIFICATION_REQUESTED, notice)
    await eventually(lambda: len(comms.sink.to(reviewer["email"])) == 1, timeout=20)
    (email,) = comms.sink.to(reviewer["email"])
    assert email["Subject"] == "Review Ada Lovelace"
    assert "You were assigned to review Ada Lovelace" in email.get_payload(decode=True).decode()

    mine = await comms.call(contract.LIST_NOTIFICATIONS, {}, actor=reviewer["id"])
    (note,) = mine.data
    assert (note.type, note.title, note.read, note.data) == ("step_assignment", notice["title"], False, notice["data"])
    assert (await comms.call(contract.COUNT_UNREAD, {}, actor=reviewer["id"])).count == 1
    assert (await comms.call(contract.LIST_NOTIFICATIONS, {}, actor="someone-else")).data == []

    deliveries = await comms.count(tables.message_delivery, tables.message_delivery.c.user_id == reviewer["id"])
    assert deliveries == 1
    assert len(await comms.events(contract.NOTIFICATION_CREATED)) == 1


async def test_a_tenant_override_renders_the_platform_message(comms):
    await comms.call(contract.CREATE_TEMPLATE, {"name": "seed", "channel": "EMAIL", "body": "x"})
    await comms.call(
        contract.CREATE_TEMPLATE,
        {
            "name": "workflow.notification.custom",
            "channel": "EMAIL",
            "subject": "[Ours] {{title}}",
            "body": "{{message}}!",
        },
    )
    reviewer = await comms.add_user()
    notice = {"userId": reviewer["id"], "type": "sla_warning", "title": "Due soon", "message": "Hurry", "data": {}}
    await comms.publish(workflow.NOTIFICATION_REQUESTED, notice)
    await eventually(lambda: len(comms.sink.to(reviewer["email"])) == 1, timeout=20)
    (email,) = comms.sink.to(reviewer["email"])
    assert email["Subject"] == "[Ours] Due soon"
    assert email.get_payload(decode=True).decode().strip() == "Hurry!"


async def test_a_waitlist_offer_is_emailed_with_its_deadline_in_the_events_timezone(comms):
    event = await comms.seed_event(timezone="Africa/Addis_Ababa", name="Summit")
    now = datetime.now(UTC)
    deadline = datetime(2027, 3, 10, 21, 0, tzinfo=UTC)
    entry = {
        "id": "entry1",
        "tenantId": event.tenant_id,
        "eventId": event.id,
        "participantTypeId": event.type_id,
        "priority": "STANDARD",
        "status": "PROMOTED",
        "registrationData": {
            "participantTypeId": event.type_id,
            "firstName": "Ada",
            "lastName": "Lovelace",
            "email": "ada@example.org",
        },
        "promotedAt": now.isoformat(),
        "promotionDeadline": deadline.isoformat(),
        "notificationsSent": 1,
        "createdAt": (now - timedelta(days=1)).isoformat(),
        "updatedAt": now.isoformat(),
    }
    await comms.publish(registration.WAITLIST_ADDED, {"entry": {**entry, "status": "ACTIVE"}})
    await comms.publish(registration.WAITLIST_PROMOTED, {"entry": entry})
    await eventually(lambda: len(comms.sink.to("ada@example.org")) == 1, timeout=20)
    (email,) = comms.sink.to("ada@example.org")
    assert email["Subject"] == "A place is free for you at Summit"
    body = email.get_payload(decode=True).decode()
    assert "Dear Ada Lovelace" in body and "11 March 2027 00:00 (Africa/Addis_Ababa)" in body


async def test_an_in_app_broadcast_notifies_the_user_with_the_participants_address(comms):
    event = await comms.seed_event()
    user = await comms.add_user(email="Grace@Example.org")
    (known,) = await comms.populate(event, 1, email="grace@example.org")
    await comms.populate(event, 1)  # no user has this one's address
    draft = await comms.call(
        contract.CREATE_BROADCAST,
        {"eventId": event.id, "channel": "IN_APP", "subject": "Gate change", "body": "{{firstName}}: use gate B"},
    )
    await comms.call(contract.SEND_BROADCAST, {"id": draft.id})
    done = await comms.settled(draft.id)
    assert (done.sent_count, done.failed_count) == (1, 1)
    (note,) = (await comms.call(contract.LIST_NOTIFICATIONS, {}, actor=user["id"])).data
    assert (note.type, note.title, note.message) == ("broadcast", "Gate change", f"{known['first_name']}: use gate B")


async def test_notifications_are_marked_read_one_or_all_by_their_user_only(comms):
    user = await comms.add_user()
    for i in range(3):
        notice = {"userId": user["id"], "type": "t", "title": f"n{i}", "message": "m", "data": {}}
        await comms.publish(workflow.NOTIFICATION_REQUESTED, notice)

    async def three() -> bool:
        return (await comms.call(contract.COUNT_UNREAD, {}, actor=user["id"])).count == 3

    await eventually(three, timeout=20)
    first = (await comms.call(contract.LIST_NOTIFICATIONS, {}, actor=user["id"])).data[0]
    with pytest.raises(NotFound):
        await comms.call(contract.MARK_READ, {"id": first.id}, actor="someone-else")
    read = await comms.call(contract.MARK_READ, {"id": first.id}, actor=user["id"])
    assert read.read and read.read_at is not None
    assert (await comms.call(contract.COUNT_UNREAD, {}, actor=user["id"])).count == 2
    unread = await comms.call(contract.LIST_NOTIFICATIONS, {"unread": True}, actor=user["id"])
    assert len(unread.data) == 2
    assert (await comms.call(contract.MARK_ALL_READ, {}, actor=user["id"])).updated == 2
    assert (await comms.call(contract.COUNT_UNREAD, {}, actor=user["id"])).count == 0
    assert await comms.scalar(sa.select(sa.func.count()).select_from(tables.notification)) == 3
