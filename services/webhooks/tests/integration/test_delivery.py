from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook
from webhooks_svc.adapters import tables

from plenary_contracts.catalog import identity
from plenary_contracts.catalog import webhooks as contract

from .conftest import OTHER_TENANT, TENANT, eventually


async def test_a_bus_event_arrives_signed_and_verifies_with_standard_webhooks(webhooks, receiver):
    created = await webhooks.subscribe(receiver.url, ["participant.approved"], headers={"X-Team": "crm"})
    event_id = await webhooks.approve(participant="p-42")
    await eventually(lambda: receiver.received)
    (got,) = receiver.received
    body = Webhook(created.secret).verify(got.body, got.headers)
    assert body["id"] == event_id == got.headers["webhook-id"]
    assert body["type"] == "participant.approved"
    assert body["data"]["participantId"] == "p-42"
    assert set(body["data"]) == {f.alias for f in contract.ParticipantDecisionData.model_fields.values()}
    assert got.headers["x-team"] == "crm"

    async def delivered():
        rows = await webhooks.delivery_rows()
        return rows[0].status == "DELIVERED" and rows

    (row,) = await eventually(delivered)  # the result is written just after the answer
    assert (row.attempts, row.response_code, row.response_body) == (1, 200, "ok")


async def test_only_active_subscriptions_of_the_tenant_taking_the_type_get_it(webhooks, receiver):
    taking = await webhooks.subscribe(receiver.url, ["participant.approved"])
    everything = await webhooks.subscribe(receiver.url, ["*"])
    await webhooks.subscribe(receiver.url, ["sla.warning"])
    paused = await webhooks.subscribe(receiver.url, ["*"])
    await webhooks.call(contract.PAUSE_SUBSCRIPTION, {"id": paused.subscription.id})
    await webhooks.subscribe(receiver.url, ["*"], tenant=OTHER_TENANT)
    await webhooks.approve()
    await eventually(lambda: len(receiver.received) >= 2)
    rows = await webhooks.delivery_rows()
    assert {r.subscription_id for r in rows} == {taking.subscription.id, everything.subscription.id}
    assert len(set(receiver.header("webhook-id"))) == 1  # one event id for every subscription


async def test_a_redelivered_bus_event_is_delivered_once(webhooks, receiver):
    await webhooks.subscribe(receiver.url, ["participant.approved"])
    from plenary_contracts.catalog import workflow
    from plenary_kit.testing.producing import produced, publish_event

    from .conftest import acted

    event = produced(workflow.PARTICIPANT_APPROVED, acted("p1"), tenant=TENANT)
    await publish_event(webhooks.nc, workflow.PARTICIPANT_APPROVED, event)
    event.data["participantName"] = "Changed"  # the same id published again after the dedupe window
    await webhooks.nc.jetstream().publish(
        workflow.PARTICIPANT_APPROVED.subject,
        event.to_nats_payload(),
        headers={**event.to_nats_headers(), "Nats-Msg-Id": "another"},
    )
    await eventually(lambda: receiver.received)
    await webhooks.approve()  # a later event shows the first was not queued twice
    await eventually(lambda: len(receiver.received) == 2)
    assert len(await webhooks.delivery_rows()) == 2


async def test_a_receiver_down_for_three_attempts_then_up_gets_it_exactly_once(webhooks, receiver):
    created = await webhooks.subscribe(receiver.url, ["participant.approved"])
    receiver.answering(500, 503, 502)
    event_id = await webhooks.approve()
    rows = []

    async def delivered():
        rows[:] = await webhooks.delivery_rows()
        return rows and rows[0].status == "DELIVERED"

    await eventually(delivered)
    assert receiver.header("webhook-id") == [event_id] * 4
    detail = await webhooks.call(contract.GET_DELIVERY, {"id": rows[0].id})
    assert [a.response_code for a in detail.attempt_log] == [500, 503, 502, 200]
    assert all(a.error_type == "HTTP_ERROR" for a in detail.attempt_log[:3])
    subscription = await webhooks.call(contract.GET_SUBSCRIPTION, {"id": created.subscription.id})
    assert subscription.consecutive_failures == 0
    await webhooks.approve()
    await eventually(lambda: len(receiver.received) == 5)
    assert receiver.header("webhook-id").count(event_id) == 4  # nothing more of the first


async def test_every_attempt_failing_makes_a_dead_letter_that_can_be_sent_again(webhooks, receiver):
    created = await webhooks.subscribe(receiver.url, ["participant.approved"], retrySchedule=[0, 0])
    receiver.default = 500
    await webhooks.approve()

    async def dead():
        rows = await webhooks.delivery_rows()
        return rows and rows[0].status == "DEAD_LETTER" and rows[0]

    row = await eventually(dead)
    assert row.attempts == 3
    receiver.default = 200
    resent = await webhooks.call(contract.RESEND_DELIVERY, {"id": row.id})
    assert resent.status == "PENDING"

    async def delivered():
        rows = await webhooks.delivery_rows()
        return rows[0].status == "DELIVERED"

    await eventually(delivered)
    assert len(set(receiver.header("webhook-id"))) == 1
    await webhooks.call(contract.PAUSE_SUBSCRIPTION, {"id": created.subscription.id})


async def test_a_410_disables_the_subscription_and_later_events_wait(webhooks, receiver):
    created = await webhooks.subscribe(receiver.url, ["participant.approved"])
    receiver.answering(410)
    await webhooks.approve()
    disabled = await eventually(lambda: webhooks.events(contract.SUBSCRIPTION_DISABLED))
    assert disabled[0]["subscription"]["status"] == "DISABLED"
    got = await webhooks.call(contract.GET_SUBSCRIPTION, {"id": created.subscription.id})
    assert got.status == "DISABLED"
    await webhooks.approve()
    await webhooks.approve()
    resumed = await webhooks.call(contract.RESUME_SUBSCRIPTION, {"id": created.subscription.id})
    assert resumed.status == "ACTIVE"
    assert len(receiver.received) == 1  # nothing queued while disabled


async def test_ten_consecutive_failures_open_the_breaker_and_defer_the_rest(webhooks, receiver):
    created = await webhooks.subscribe(receiver.url, ["participant.approved"], retrySchedule=[])
    receiver.default = 500
    for _ in range(10):
        await webhooks.approve()
    opened = await eventually(lambda: webhooks.events(contract.CIRCUIT_BREAKER_OPENED), timeout=20)
    assert opened[0]["trips"] == 1
    got = await webhooks.call(contract.GET_SUBSCRIPTION, {"id": created.subscription.id})
    assert got.circuit_breaker_open and got.circuit_breaker_reset_at > datetime.now(UTC)
    await webhooks.approve()

    async def queued_for_later():
        rows = await webhooks.delivery_rows(tables.webhook_delivery.c.status == "PENDING")
        return rows and rows[0].next_retry_at >= got.circuit_breaker_reset_at

    await eventually(queued_for_later)
    assert len(receiver.received) == 10


async def test_the_delivery_log_pages_by_keyset_and_filters(webhooks, receiver):
    created = await webhooks.subscribe(receiver.url, ["participant.approved"])
    for _ in range(5):
        await webhooks.approve()
    await eventually(lambda: len(receiver.received) == 5)
    first = await webhooks.call(contract.LIST_DELIVERIES, {"limit": 2, "subscriptionId": created.subscription.id})
    second = await webhooks.call(contract.LIST_DELIVERIES, {"limit": 2, "after": first.next_cursor})
    third = await webhooks.call(contract.LIST_DELIVERIES, {"limit": 2, "after": second.next_cursor})
    ids = [d.id for d in first.data + second.data + third.data]
    assert len(ids) == len(set(ids)) == 5 and third.next_cursor is None
    assert (await webhooks.call(contract.LIST_DELIVERIES, {"status": "DEAD_LETTER"})).data == []
    by_event = await webhooks.call(contract.LIST_DELIVERIES, {"eventId": receiver.header("webhook-id")[0]})
    assert len(by_event.data) == 1
    assert (await webhooks.call(contract.LIST_DELIVERIES, {}, tenant=OTHER_TENANT)).data == []


async def test_a_deleted_tenants_subscriptions_go(webhooks, receiver):
    await webhooks.subscribe(receiver.url, ["*"])
    kept = await webhooks.subscribe(receiver.url, ["*"], tenant=OTHER_TENANT)
    await webhooks.publish(identity.TENANT_DELETED, {"tenantId": TENANT}, tenant=TENANT)

    async def purged():
        return (await webhooks.call(contract.LIST_SUBSCRIPTIONS, {})).meta.total == 0

    await eventually(purged)
    assert (await webhooks.call(contract.LIST_SUBSCRIPTIONS, {}, tenant=OTHER_TENANT)).data[
        0
    ].id == kept.subscription.id
