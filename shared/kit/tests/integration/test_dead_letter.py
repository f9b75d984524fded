import asyncio

from nats.js.api import ConsumerConfig, DeliverPolicy

from plenary_contracts import streams
from plenary_contracts.envelope import CloudEvent
from plenary_kit.bus.connection import connect
from plenary_kit.bus.retry import PermanentError
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.producing import publish_event
from plenary_kit.testing.servers import ensure_consumer

from .conftest import PROBE, commit_probes, probe_consumer


async def _dead_letters(settings) -> list:
    nc = await connect(settings.nats_url, "test-dlq")
    try:
        js = nc.jetstream()
        info = await js.stream_info(streams.DEAD_LETTER_STREAM.name)
        if info.state.messages == 0:
            return []
        sub = await js.pull_subscribe("dlq.>", stream="DLQ", config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
        messages = await sub.fetch(info.state.messages, timeout=2)
        return [(m.subject, dict(m.headers or {}), m.data) for m in messages]
    finally:
        await nc.drain()


async def test_consumer_that_keeps_failing_ends_in_the_dead_letter_with_its_error(plenary_settings, identity_runtime):
    spec = probe_consumer("probe_fails", max_deliver=3)
    await ensure_consumer(plenary_settings.nats_url, spec)
    attempts: dict[int, int] = {}
    handled: list[int] = []

    async def flaky(uow, event, payload) -> None:
        attempts[payload.n] = attempts.get(payload.n, 0) + 1
        if payload.n == 1:
            raise RuntimeError(f"boom {payload.n}")
        if payload.n == 2:
            raise PermanentError("this payload will never do")
        handled.append(payload.n)

    identity_runtime.consume(spec, [PROBE], flaky)
    await identity_runtime.start()
    events = await commit_probes(identity_runtime, [0, 1, 2])

    letters = await eventually(lambda: _two_or_more(plenary_settings), timeout=20)
    by_event = {headers["ce-id"]: (subject, headers) for subject, headers, _ in letters}
    subject, transient = by_event[str(events[1].id)]
    assert subject == spec.dead_letter_subject == "dlq.identity.probe_fails"
    assert "boom 1" in transient[streams.DEAD_LETTER_ERROR]
    assert transient[streams.DEAD_LETTER_DELIVERIES] == "3"
    assert transient[streams.DEAD_LETTER_SUBJECT] == PROBE.subject
    _, permanent = by_event[str(events[2].id)]
    assert "never do" in permanent[streams.DEAD_LETTER_ERROR]
    assert permanent[streams.DEAD_LETTER_DELIVERIES] == "1"
    assert attempts == {0: 1, 1: 3, 2: 1}

    await commit_probes(identity_runtime, [3])
    await eventually(lambda: handled == [0, 3])
    await asyncio.sleep(0.5)
    assert len(await _dead_letters(plenary_settings)) == 2


async def _two_or_more(settings):
    letters = await _dead_letters(settings)
    return letters if len(letters) >= 2 else None


async def test_a_bug_is_retried_while_a_payload_that_cannot_be_parsed_is_dead_lettered_at_once(
    plenary_settings, identity_runtime
):
    spec = probe_consumer("probe_parsing", max_deliver=4)
    await ensure_consumer(plenary_settings.nats_url, spec)
    attempts: dict[int, int] = {}
    handled: list[int] = []

    async def buggy_once(uow, event, payload) -> None:
        attempts[payload.n] = attempts.get(payload.n, 0) + 1
        if attempts[payload.n] == 1:
            raise KeyError("a plain bug, not a verdict on the event")
        handled.append(payload.n)

    identity_runtime.consume(spec, [PROBE], buggy_once)
    await identity_runtime.start()
    nc = await connect(plenary_settings.nats_url, "test-producer")
    try:
        invalid = await publish_event(nc, PROBE, CloudEvent(source=PROBE.source, type=PROBE.type, data={"n": "x"}))
        garbled = CloudEvent(source=PROBE.source, type=PROBE.type)
        await nc.jetstream().publish(PROBE.subject, b"{not json", headers=garbled.to_nats_headers(), timeout=5)
    finally:
        await nc.drain()
    (event,) = await commit_probes(identity_runtime, [7])

    letters = await eventually(lambda: _two_or_more(plenary_settings), timeout=20)
    by_event = {headers["ce-id"]: headers for _, headers, _ in letters}
    assert set(by_event) == {str(invalid.id), str(garbled.id)}
    assert {headers[streams.DEAD_LETTER_DELIVERIES] for headers in by_event.values()} == {"1"}
    await eventually(lambda: handled == [7])
    assert attempts == {7: 2}
    assert str(event.id) not in {headers["ce-id"] for _, headers, _ in await _dead_letters(plenary_settings)}


async def test_a_declared_type_the_consumer_does_not_handle_is_acknowledged_and_an_undeclared_one_dead_lettered(
    plenary_settings, identity_runtime
):
    from plenary_contracts.catalog import identity

    spec = probe_consumer("probe_wildcard").model_copy(update={"filter_subject": "evt.identity.>"})
    await ensure_consumer(plenary_settings.nats_url, spec)
    handled: list[int] = []

    async def handle(uow, event, payload) -> None:
        handled.append(payload.n)

    identity_runtime.consume(spec, [PROBE], handle)
    await identity_runtime.start()
    nc = await connect(plenary_settings.nats_url, "test-wildcard")
    try:
        declared = CloudEvent(source="/plenary/identity", type=identity.USER_LOGGED_IN.type, data={"any": 1})
        unknown = CloudEvent(source="/plenary/identity", type="plenary.identity.novelty.happened.v9", data={})
        await publish_event(nc, identity.USER_LOGGED_IN, declared)
        js = nc.jetstream()
        await js.publish("evt.identity.novelty.happened", unknown.to_nats_payload(), headers=unknown.to_nats_headers())
    finally:
        await nc.drain()
    await commit_probes(identity_runtime, [7])

    await eventually(lambda: handled == [7])
    letters = await eventually(lambda: _dead_letters(plenary_settings), timeout=10)
    assert [headers["ce-id"] for _, headers, _ in letters] == [str(unknown.id)]
