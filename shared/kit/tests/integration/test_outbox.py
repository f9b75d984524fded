import asyncio
import sys
from pathlib import Path

import sqlalchemy as sa
from identity_svc.adapters.tables import messaging

from plenary_kit.bus.connection import connect
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.servers import ensure_consumer, subject_count

from .conftest import PROBE, commit_probes, probe_consumer


async def _stream_count(settings, subject: str) -> int:
    return await subject_count(settings.nats_url, "EVT_IDENTITY", subject)


async def _unpublished(runtime) -> int:
    async with runtime.engine.connect() as conn:
        outbox = messaging.outbox
        query = sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        return (await conn.execute(query)).scalar_one()


async def _drained(runtime) -> bool:
    return await _unpublished(runtime) == 0


async def _inbox(runtime, consumer: str) -> int:
    async with runtime.engine.connect() as conn:
        inbox = messaging.inbox
        query = sa.select(sa.func.count()).select_from(inbox).where(inbox.c.consumer == consumer)
        return (await conn.execute(query)).scalar_one()


def _recording_consumer(runtime, durable: str) -> list[int]:
    received: list[int] = []

    async def record(uow, event, payload) -> None:
        received.append(payload.n)

    runtime.consume(probe_consumer(durable), [PROBE], record)
    return received


async def test_event_reaches_consumer_exactly_once_when_relay_is_killed_between_publish_and_mark(
    plenary_settings, identity_runtime
):
    await commit_probes(identity_runtime, range(5))
    database_url = plenary_settings.service("identity").database_url
    script = str(Path(__file__).with_name("relay_crash.py"))
    crash = await asyncio.create_subprocess_exec(
        sys.executable, script, database_url, plenary_settings.nats_url, "3", stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(crash.communicate(), 60)
    assert crash.returncode == -9, stderr.decode()
    assert await _unpublished(identity_runtime) == 5, "the killed relay must not have marked anything"
    assert await _stream_count(plenary_settings, PROBE.subject) == 3

    await ensure_consumer(plenary_settings.nats_url, probe_consumer("probe_once"))
    received = _recording_consumer(identity_runtime, "probe_once")
    await identity_runtime.start()

    await eventually(lambda: len(received) >= 5)
    await eventually(lambda: _drained(identity_runtime), timeout=5)
    await asyncio.sleep(1.0)  # room for a duplicate to show up
    assert sorted(received) == [0, 1, 2, 3, 4]
    assert await _unpublished(identity_runtime) == 0
    assert await _stream_count(plenary_settings, PROBE.subject) == 5, "JetStream must drop the republished copies"
    assert await _inbox(identity_runtime, "probe_once") == 5


async def test_inbox_keeps_an_event_republished_outside_the_duplicate_window_to_one_handling(
    plenary_settings, identity_runtime
):
    await ensure_consumer(plenary_settings.nats_url, probe_consumer("probe_inbox"))
    received = _recording_consumer(identity_runtime, "probe_inbox")
    await identity_runtime.start()
    (event,) = await commit_probes(identity_runtime, [7])
    await eventually(lambda: received == [7])

    nc = await connect(plenary_settings.nats_url, "test-republish")
    try:
        headers = {**event.to_nats_headers(), "Nats-Msg-Id": "a-different-message-id"}
        await nc.jetstream().publish(PROBE.subject, event.to_nats_payload(), headers=headers)
    finally:
        await nc.drain()
    await eventually(lambda: _stream_count(plenary_settings, PROBE.subject), timeout=5)
    await asyncio.sleep(1.0)
    assert received == [7]
    assert await _inbox(identity_runtime, "probe_inbox") == 1


async def test_events_committed_while_nats_is_down_arrive_exactly_once_after_it_restarts(
    plenary_settings, identity_runtime, nats
):
    await ensure_consumer(plenary_settings.nats_url, probe_consumer("probe_restart"))
    received = _recording_consumer(identity_runtime, "probe_restart")
    await identity_runtime.start()
    await commit_probes(identity_runtime, range(5))
    await eventually(lambda: len(received) == 5)

    nats.stop()
    await commit_probes(identity_runtime, range(5, 10))
    await asyncio.sleep(1.0)
    assert await _unpublished(identity_runtime) == 5
    nats.start()

    await eventually(lambda: len(received) >= 10, timeout=30)
    await asyncio.sleep(1.5)
    assert sorted(received) == list(range(10))
    assert await _unpublished(identity_runtime) == 0
    assert await _stream_count(plenary_settings, PROBE.subject) == 10
