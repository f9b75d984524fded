import asyncio
import uuid
from collections import Counter

import sqlalchemy as sa
from identity_svc.adapters.tables import messaging

from plenary_contracts.envelope import CloudEvent
from plenary_contracts.events import EventSpec
from plenary_kit.bus.connection import connect
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.producing import publish_event
from plenary_kit.testing.servers import ensure_consumer

from .conftest import PROBE, Probe, commit_probes, probe_consumer

ECHO = EventSpec("identity", "probe", "echoed", Probe, "What a probe consumer did, recorded in its unit of work")


async def _echoes(runtime) -> Counter[int]:
    """How many times each probe's effect was committed: the echo events its handler recorded."""
    outbox = messaging.outbox
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(outbox.c.envelope["data"]["n"].as_integer()).where(outbox.c.subject == ECHO.subject)
        )
        return Counter(n for (n,) in rows)


async def _in_the_stream(settings, numbers) -> None:
    nc = await connect(settings.nats_url, "test-batch-producer")
    try:
        for n in numbers:
            await publish_event(nc, PROBE, CloudEvent(source=PROBE.source, type=PROBE.type, data={"n": n}))
    finally:
        await nc.drain()


async def test_a_batch_with_one_failing_message_commits_the_others_once_and_retries_only_that_one(
    plenary_settings, identity_runtime
):
    spec = probe_consumer("probe_batch_failure")
    await ensure_consumer(plenary_settings.nats_url, spec)
    invocations: Counter[int] = Counter()
    handled: list[int] = []

    async def fails_on_its_first_delivery(uow, event, payload) -> None:
        invocations[payload.n] += 1
        uow.publish(ECHO, Probe(n=payload.n))
        if payload.n == 3 and invocations[3] == 1:
            await uow.session.execute(sa.text("SELECT 1 / 0"))  # a failed statement aborts the transaction
        handled.append(payload.n)

    identity_runtime.consume(spec, [PROBE], fails_on_its_first_delivery)
    await _in_the_stream(plenary_settings, range(10))  # before the consumer runs: one fetched batch
    await identity_runtime.start()

    await eventually(lambda: 3 in handled, timeout=20)
    await asyncio.sleep(0.5)  # room for a second handling to show up
    assert await _echoes(identity_runtime) == Counter(range(10)), "every effect committed exactly once"
    assert invocations == Counter({**dict.fromkeys(range(10), 1), 3: 2}), "only the failing one runs again"
    assert handled == [0, 1, 2, 4, 5, 6, 7, 8, 9, 3]


async def test_the_events_of_a_batch_are_handled_in_stream_order(plenary_settings, identity_runtime):
    spec = probe_consumer("probe_batch_order")
    await ensure_consumer(plenary_settings.nats_url, spec)
    received: list[int] = []

    async def record(uow, event, payload) -> None:
        received.append(payload.n)

    identity_runtime.consume(spec, [PROBE], record)
    for start in range(0, 250, 50):  # several transactions of several events each
        await commit_probes(identity_runtime, range(start, start + 50))
    await identity_runtime.start()
    await commit_probes(identity_runtime, range(250, 300))  # and more while it runs

    await eventually(lambda: len(received) >= 300, timeout=20)
    assert received == list(range(300))


async def test_a_handler_kept_waiting_for_a_row_lock_gives_up_and_is_retried_once_the_lock_is_free(
    plenary_settings, identity_runtime
):
    spec = probe_consumer("probe_lock_wait")
    await ensure_consumer(plenary_settings.nats_url, spec)
    inbox = messaging.inbox
    held = inbox.c.consumer == "lock-holder"
    async with identity_runtime.engine.begin() as conn:
        await conn.execute(sa.insert(inbox).values(consumer="lock-holder", event_id=uuid.uuid4(), event_type="t"))
    invocations: Counter[int] = Counter()

    async def locks_the_held_row(uow, event, payload) -> None:
        invocations[payload.n] += 1
        await uow.session.execute(sa.select(inbox.c.event_id).where(held).with_for_update())
        uow.publish(ECHO, Probe(n=payload.n))

    identity_runtime.consume(spec, [PROBE], locks_the_held_row)
    async with identity_runtime.engine.connect() as holder:
        transaction = await holder.begin()
        await holder.execute(sa.select(inbox.c.event_id).where(held).with_for_update())
        await identity_runtime.start()
        await commit_probes(identity_runtime, [7])
        await eventually(lambda: invocations[7] >= 2, timeout=20)  # gave up waiting, and came back
        await transaction.rollback()

    await eventually(lambda: _echoes(identity_runtime), timeout=20)
    assert await _echoes(identity_runtime) == Counter({7: 1})
