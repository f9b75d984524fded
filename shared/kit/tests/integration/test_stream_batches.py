import asyncio

from plenary_contracts.envelope import CloudEvent
from plenary_kit.bus.connection import connect
from plenary_kit.bus.inbox_trace import gather_inbox_rows
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.producing import publish_event
from plenary_kit.testing.servers import ensure_consumer

from .conftest import PROBE, Probe, probe_consumer


async def test_a_stream_batch_handler_gets_whole_batches_with_their_stream_sequences_and_no_inbox(
    plenary_settings, identity_runtime
):
    spec = probe_consumer("probe_stream_batches")
    await ensure_consumer(plenary_settings.nats_url, spec)
    nc = await connect(plenary_settings.nats_url, "test-stream-batches")
    try:
        published = [
            await publish_event(nc, PROBE, CloudEvent(source=PROBE.source, type=PROBE.type, data={"n": n}))
            for n in range(20)
        ]
        await nc.publish(PROBE.subject, b"{}")  # no envelope: dead-lettered, never handed over
        await nc.flush()
        batches: list[list] = []

        async def take(uow, messages) -> None:
            batches.append(messages)

        identity_runtime.consume_stream(spec, take, batch_size=50)
        await identity_runtime.start()
        await eventually(lambda: sum(len(b) for b in batches) >= 20)
        await asyncio.sleep(0.3)  # room for a redelivery to show up
        taken = [m for batch in batches for m in batch]
        assert [m.event.id for m in taken] == [e.id for e in published]
        assert [m.sequence for m in taken] == sorted(m.sequence for m in taken)
        assert {m.stream for m in taken} == {spec.stream} and {m.subject for m in taken} == {PROBE.subject}
        assert len(batches) <= 2  # fetched together, not one by one
        replies = await gather_inbox_rows(nc, published[0].id, expected=1, deadline=2)
        assert [(r.service, r.handled) for r in replies] == [("identity", [])]  # no inbox row was written
    finally:
        await nc.drain()


async def test_every_runtime_answers_the_inbox_trace_with_its_consumers_rows(plenary_settings, identity_runtime):
    spec = probe_consumer("probe_traced")
    await ensure_consumer(plenary_settings.nats_url, spec)
    handled: list[int] = []

    async def record(uow, event, payload: Probe) -> None:
        handled.append(payload.n)

    identity_runtime.consume(spec, [PROBE], record)
    await identity_runtime.start()
    nc = await connect(plenary_settings.nats_url, "test-inbox-trace")
    try:
        event = await publish_event(nc, PROBE, CloudEvent(source=PROBE.source, type=PROBE.type, data={"n": 1}))
        await eventually(lambda: handled)

        async def traced():
            (reply,) = await gather_inbox_rows(nc, event.id, expected=1, deadline=2)
            return reply.handled

        (row,) = await eventually(traced)
        assert (row.service, row.consumer, row.event_type) == ("identity", "probe_traced", PROBE.type)
    finally:
        await nc.drain()
