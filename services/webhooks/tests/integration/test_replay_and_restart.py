import pytest
import sqlalchemy as sa
from webhooks_svc.adapters import tables
from webhooks_svc.bootstrap import SERVICE as WEBHOOKS

from plenary_contracts.catalog import webhooks as contract
from plenary_contracts.errors import Conflict
from plenary_kit.service import Runtime

from .conftest import OTHER_TENANT, eventually, now


async def test_a_replay_since_t_sends_again_exactly_the_events_after_t(webhooks, receiver):
    created = await webhooks.subscribe(receiver.url, ["participant.approved"])
    for _ in range(3):
        await webhooks.approve()
    await eventually(lambda: len(receiver.received) == 3)
    since = now()
    after = [await webhooks.approve() for _ in range(3)]
    await webhooks.approve(tenant=OTHER_TENANT)  # another tenant's event is never replayed here
    await eventually(lambda: len(receiver.received) == 6)

    replay = await webhooks.call(contract.START_REPLAY, {"id": created.subscription.id, "since": since})
    assert replay.status == "RUNNING"

    async def completed():
        found = await webhooks.call(contract.GET_REPLAY, {"id": replay.id})
        return found.status == "COMPLETED" and found

    done = await eventually(completed)
    await eventually(lambda: len(receiver.received) == 9)
    # the original ids: receivers' dedupe stays correct
    assert sorted(receiver.header("webhook-id")[6:]) == sorted(after)
    assert done.deliveries_queued == 3
    assert done.events_scanned == 4  # read from the first event stored at or after T: ours and the other tenant's
    with pytest.raises(Conflict):
        await webhooks.call(contract.CANCEL_REPLAY, {"id": replay.id})
    listed = await webhooks.call(contract.LIST_REPLAYS, {"id": created.subscription.id})
    assert [r.id for r in listed.data] == [replay.id]


async def test_a_replay_with_types_the_subscription_lacks_queues_nothing(webhooks, receiver):
    created = await webhooks.subscribe(receiver.url, ["sla.warning"])
    since = now()
    await webhooks.approve()
    replay = await webhooks.call(contract.START_REPLAY, {"id": created.subscription.id, "since": since})

    async def completed():
        found = await webhooks.call(contract.GET_REPLAY, {"id": replay.id})
        return found.status == "COMPLETED" and found

    assert (await eventually(completed)).deliveries_queued == 0
    assert receiver.received == []


async def test_a_delivery_whose_process_died_mid_attempt_is_sent_once_its_lease_runs_out(webhooks, receiver):
    created = await webhooks.subscribe(receiver.url, ["participant.approved"], timeoutMs=30000)
    receiver.delay = 8  # the attempt is in flight when the process stops, and never finishes
    event_id = await webhooks.approve()
    await eventually(lambda: receiver.received)
    await webhooks.runtime.stop()
    (row,) = await webhooks.delivery_rows()
    assert (row.status, row.attempts) == ("PENDING", 0)  # nothing recorded: the lease holds it
    assert row.next_retry_at > now()
    d = tables.webhook_delivery.c
    await webhooks.execute(sa.update(tables.webhook_delivery).where(d.id == row.id).values(next_retry_at=sa.func.now()))
    receiver.delay = 0
    restarted = Runtime(WEBHOOKS, webhooks.settings)
    await restarted.start()
    try:

        async def delivered():
            rows = await webhooks.delivery_rows()
            return rows[0].status == "DELIVERED" and rows[0]

        assert (await eventually(delivered)).attempts == 1
    finally:
        await restarted.stop()
    assert receiver.header("webhook-id") == [event_id, event_id]  # the same webhook-id: a deduping receiver acts once
    assert created.subscription.id == row.subscription_id
