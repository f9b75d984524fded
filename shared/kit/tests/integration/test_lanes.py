"""The bulk lane: what a bulk operation causes never queues in front of other callers' events."""

import asyncio

import sqlalchemy as sa
from identity_svc.adapters.tables import messaging

from plenary_contracts.streams import BULK_LANE
from plenary_kit import context as ctx
from plenary_kit.bus.connection import connect
from plenary_kit.bus.topology import apply_topology
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.servers import ensure_consumer

from .conftest import PROBE, commit_probes, probe_consumer

BULK = 400
INTERACTIVE = 10_000


async def test_streams_apply_gives_a_laned_consumer_a_durable_per_lane_and_moves_filters_in_place(plenary_settings):
    plain = probe_consumer("probe_lane_topology")
    laned = plain.model_copy(update={"bulk_lane": True})
    nc = await connect(plenary_settings.nats_url, "test-lane-topology")
    try:
        js = nc.jetstream()
        assert await apply_topology(js, [], [plain], [], []) == [
            f"consumer {plain.stream}/probe_lane_topology: created"
        ]
        info = await js.consumer_info(plain.stream, "probe_lane_topology")
        assert sorted(info.config.filter_subjects) == sorted([PROBE.subject, f"bulk.{PROBE.subject}"])

        assert await apply_topology(js, [], [laned], [], []) == [
            f"consumer {plain.stream}/probe_lane_topology: filter subjects updated",
            f"consumer {plain.stream}/probe_lane_topology_bulk: created",
        ]
        assert (await js.consumer_info(plain.stream, "probe_lane_topology")).config.filter_subjects == [PROBE.subject]
        bulk = await js.consumer_info(plain.stream, "probe_lane_topology_bulk")
        assert bulk.config.filter_subjects == [f"bulk.{PROBE.subject}"]
        assert await apply_topology(js, [], [laned], [], []) == [
            f"consumer {plain.stream}/probe_lane_topology: exists, left as is",
            f"consumer {plain.stream}/probe_lane_topology_bulk: exists, left as is",
        ]
    finally:
        await nc.drain()


async def test_an_event_committed_after_a_bulk_backlog_is_handled_before_the_backlog_drains(
    plenary_settings, identity_runtime
):
    spec = probe_consumer("probe_lanes").model_copy(update={"bulk_lane": True})
    await ensure_consumer(plenary_settings.nats_url, spec)
    handled: list[tuple[int, str | None]] = []

    async def slow_for_bulk(uow, event, payload) -> None:
        handled.append((payload.n, ctx.current().lane))
        if event.lane == BULK_LANE:
            await asyncio.sleep(0.01)  # a backlog of 400 takes at least 4 s to drain

    identity_runtime.consume(spec, [PROBE], slow_for_bulk)
    with ctx.acting(lane=BULK_LANE):
        await commit_probes(identity_runtime, range(BULK))
    await identity_runtime.start()
    await eventually(lambda: len(handled) > 0, timeout=20)
    await commit_probes(identity_runtime, [INTERACTIVE])

    await eventually(lambda: (INTERACTIVE, None) in handled, timeout=20)
    assert len(handled) < BULK, "the interactive event did not wait for the bulk backlog"
    await eventually(lambda: len(handled) == BULK + 1, timeout=30)
    assert sorted(n for n, lane in handled if lane == BULK_LANE) == list(range(BULK)), "each once, in its lane"
    bulk_order = [n for n, lane in handled if lane == BULK_LANE]
    assert bulk_order == sorted(bulk_order), "a lane keeps its order"


async def test_a_bulk_event_goes_out_on_the_bulk_subject_and_an_unlaned_consumer_still_gets_it(
    plenary_settings, identity_runtime
):
    spec = probe_consumer("probe_unlaned")
    await ensure_consumer(plenary_settings.nats_url, spec)
    handled: list[tuple[int, str | None]] = []

    async def record(uow, event, payload) -> None:
        handled.append((payload.n, event.lane))

    identity_runtime.consume(spec, [PROBE], record)
    await identity_runtime.start()
    with ctx.acting(lane=BULK_LANE):
        await commit_probes(identity_runtime, [1])
    await commit_probes(identity_runtime, [2])

    await eventually(lambda: len(handled) == 2, timeout=20)
    assert sorted(handled) == [(1, BULK_LANE), (2, None)]
    outbox = messaging.outbox
    async with identity_runtime.engine.connect() as conn:
        subjects = set((await conn.execute(sa.select(outbox.c.subject))).scalars())
    assert subjects == {f"bulk.{PROBE.subject}", PROBE.subject}
