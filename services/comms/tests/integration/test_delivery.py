"""Broadcasts sent through a real SMTP server: every recipient gets their own rendering exactly once, through a
restart mid-send, a cancel, and a server that refuses before it accepts."""

from datetime import UTC, datetime, timedelta

from comms_svc.adapters import tables

from plenary_contracts.catalog import comms as contract

from .conftest import eventually

D = tables.message_delivery.c


async def _broadcast(comms, event, **body):
    request = {
        "eventId": event.id,
        "channel": "EMAIL",
        "subject": "Hello {{firstName}}",
        "body": "<p>Dear {{name}}, welcome to {{eventName}} on {{eventDate}}. {{unknownThing}}</p>",
        **body,
    }
    return await comms.call(contract.CREATE_BROADCAST, request)


async def test_a_broadcast_of_200_arrives_once_each_rendered_for_its_recipient_through_a_restart(comms_factory):
    first = await comms_factory(comms_senders=2, comms_batch_size=20)
    await first.hub()
    first.sink.pause = 0.01  # slow enough to stop the service while it sends
    event = await first.seed_event(timezone="Africa/Addis_Ababa", name="Summit <2027>")
    people = await first.populate(event, 200)
    created = await _broadcast(first, event)
    sending = await first.call(contract.SEND_BROADCAST, {"id": created.id})
    assert (sending.status, sending.recipient_count) == ("SENDING", 200)

    await eventually(lambda: len(first.sink.ids()) >= 30, timeout=20)
    await first.runtime.stop()
    stopped_at = len(first.sink.ids())
    assert stopped_at < 200, "the restart must happen mid-send"

    second = await comms_factory(comms_senders=4, comms_batch_size=50)
    done = await second.settled(created.id)
    ids = second.sink.ids()
    assert len(ids) == 200 and len(set(ids)) == 200
    assert (done.sent_count, done.failed_count, done.recipient_count) == (200, 0, 200)
    assert done.completed_at is not None
    for person in people[:5] + people[-5:]:
        (message,) = second.sink.to(person["email"])
        assert message["Subject"] == f"Hello {person['first_name']}"
        body = message.get_payload(decode=True).decode()
        assert f"Dear {person['first_name']} Tester" in body
        assert "Summit &lt;2027&gt; on 16 March 2027" in body  # escaped, and the day in the event's timezone
        assert "{{unknownThing}}" in body
    statuses = await second.count(tables.message_delivery, D.broadcast_id == created.id, D.status == "SENT")
    assert statuses == 200
    progress = await second.events(contract.BROADCAST_PROGRESS)
    assert progress[-1]["sentCount"] == 200 and progress[-1]["status"] == "SENT"
    assert len(await second.events(contract.BROADCAST_SENT)) == 1


async def test_a_cancelled_broadcast_sends_nothing_more(comms):
    comms.sink.pause = 0.2  # 80 messages take seconds: the cancel lands mid-send
    event = await comms.seed_event()
    await comms.populate(event, 80)
    created = await _broadcast(comms, event)
    await comms.call(contract.SEND_BROADCAST, {"id": created.id})
    await eventually(lambda: len(comms.sink.ids()) >= 5, timeout=20)

    cancelled = await comms.call(contract.CANCEL_BROADCAST, {"id": created.id, "reason": "wrong text"})
    assert (cancelled.status, cancelled.cancel_reason) == ("CANCELLED", "wrong text")

    async def nothing_in_flight() -> bool:
        return await comms.count(tables.message_delivery, D.broadcast_id == created.id, D.status == "SENDING") == 0

    await eventually(nothing_in_flight, timeout=20)
    received = len(comms.sink.ids())
    row = await comms.broadcast_row(created.id)
    assert row.status == "CANCELLED"
    assert row.sent_count == received < 80
    assert row.sent_count + row.failed_count == 80
    failed = await comms.count(
        tables.message_delivery, D.broadcast_id == created.id, D.error_message == "Broadcast cancelled"
    )
    assert failed == row.failed_count
    again = await comms.call(contract.GET_BROADCAST, {"id": created.id})
    assert again.delivery_stats == {"SENT": received, "FAILED": 80 - received}
    await comms.runtime.stop()  # whatever was still due would have gone out by now
    assert len(comms.sink.ids()) == received


async def test_a_server_refusing_twice_then_accepting_delivers_once_with_two_retries(comms):
    comms.sink.refuse = 2
    event = await comms.seed_event()
    (person,) = await comms.populate(event, 1)
    created = await _broadcast(comms, event)
    await comms.call(contract.SEND_BROADCAST, {"id": created.id})
    done = await comms.settled(created.id)
    assert len(comms.sink.to(person["email"])) == 1
    assert comms.sink.refused == 2
    page = await comms.call(contract.LIST_DELIVERIES, {"id": created.id})
    (delivery,) = page.data
    assert (delivery.status, delivery.retry_count, delivery.error_message) == ("SENT", 2, None)
    assert (done.sent_count, done.failed_count) == (1, 0)


async def test_a_message_refused_past_its_retries_fails_and_counts_as_failed(comms):
    comms.sink.refuse = 10
    event = await comms.seed_event()
    await comms.populate(event, 1)
    created = await _broadcast(comms, event)
    await comms.call(contract.SEND_BROADCAST, {"id": created.id})
    done = await comms.settled(created.id)
    (delivery,) = (await comms.call(contract.LIST_DELIVERIES, {"id": created.id})).data
    assert (delivery.status, delivery.retry_count, delivery.error_code) == ("FAILED", 2, "SMTP_451")
    assert comms.sink.refused == 3  # three attempts in all
    assert (done.sent_count, done.failed_count) == (0, 1)


async def test_emergency_deliveries_go_before_everyone_elses(comms_factory):
    # The job runs only when woken: after the timer has sent both scheduled broadcasts, their deliveries wait
    # together, and one sender takes them in the job's order.
    comms = await comms_factory(comms_senders=1, comms_batch_size=5, comms_poll_seconds=3600)
    await comms.hub()
    event = await comms.seed_event()
    await comms.populate(event, 3)
    routine = await _broadcast(comms, event, subject="routine")
    urgent = await _broadcast(comms, event, subject="urgent", isEmergency=True, priority=9)
    assert urgent.priority == 1
    due = (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat()
    for each in (routine, urgent):
        scheduled = await comms.call(contract.SCHEDULE_BROADCAST, {"id": each.id, "scheduledAt": due})
        assert scheduled.status == "SCHEDULED"
    await comms.settled(urgent.id)
    await comms.settled(routine.id)
    subjects = [m["Subject"] for m in comms.sink.messages]
    assert subjects == ["urgent"] * 3 + ["routine"] * 3


async def test_a_message_refused_while_its_broadcast_is_cancelled_is_not_tried_again(comms_factory):
    comms = await comms_factory(comms_senders=1, comms_batch_size=1)
    await comms.hub()
    comms.sink.refuse, comms.sink.pause = 1, 1.0  # the first message is out (and will be refused) during the cancel
    event = await comms.seed_event()
    await comms.populate(event, 3)
    created = await _broadcast(comms, event)
    await comms.call(contract.SEND_BROADCAST, {"id": created.id})

    async def one_out() -> bool:
        return await comms.count(tables.message_delivery, D.broadcast_id == created.id, D.status == "SENDING") == 1

    await eventually(one_out, timeout=20)
    await comms.call(contract.CANCEL_BROADCAST, {"id": created.id})

    async def all_failed() -> bool:
        return await comms.count(tables.message_delivery, D.broadcast_id == created.id, D.status == "FAILED") == 3

    await eventually(all_failed, timeout=20)
    row = await comms.broadcast_row(created.id)
    assert (row.status, row.sent_count, row.failed_count) == ("CANCELLED", 0, 3)
    assert comms.sink.refused == 1 and comms.sink.ids() == []
