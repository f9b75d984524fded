import pytest
from gateway_svc.adapters.idempotency_store import Claim, IdempotencyStore, InFlight, Replay
from gateway_svc.adapters.kv import Buckets
from gateway_svc.domain.idempotency import ABANDONED_AFTER_MARGIN_SECONDS

from plenary_contracts.errors import IdempotencyKeyReused


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def store_and_clock(connections):
    nc = await connections()
    clock = Clock()
    return IdempotencyStore(Buckets(lambda: nc), clock=clock), clock


async def test_the_first_request_claims_the_key_and_a_repeat_while_it_runs_conflicts(store_and_clock):
    store, _ = store_and_clock
    assert isinstance(await store.begin("k1", "fp", 5.0), Claim)
    with pytest.raises(InFlight):
        await store.begin("k1", "fp", 5.0)


async def test_a_finished_request_is_replayed_with_its_status_body_and_etag(store_and_clock):
    store, _ = store_and_clock
    claim = await store.begin("k2", "fp", 5.0)
    assert isinstance(claim, Claim)
    await store.finish(claim, 201, '{"data":{"id":"u1"}}', {"ETag": '"17"', "X-RateLimit-Remaining": "3"})
    replay = await store.begin("k2", "fp", 5.0)
    assert isinstance(replay, Replay)
    assert (replay.record.status, replay.record.body, replay.record.headers) == (
        201,
        '{"data":{"id":"u1"}}',
        {"ETag": '"17"'},
    )


async def test_the_same_key_with_a_different_request_is_refused(store_and_clock):
    store, _ = store_and_clock
    claim = await store.begin("k3", "fp", 5.0)
    await store.finish(claim, 200, "{}", {})
    with pytest.raises(IdempotencyKeyReused):
        await store.begin("k3", "other", 5.0)


async def test_a_try_again_answer_frees_the_key(store_and_clock):
    store, _ = store_and_clock
    claim = await store.begin("k4", "fp", 5.0)
    await store.finish(claim, 503, '{"code":"SERVICE_UNAVAILABLE"}', {})
    assert isinstance(await store.begin("k4", "fp", 5.0), Claim)


async def test_an_abandoned_marker_is_taken_over_and_the_late_first_cannot_overwrite(store_and_clock):
    store, clock = store_and_clock
    first = await store.begin("k5", "fp", 5.0)
    clock.now += 5.0 + ABANDONED_AFTER_MARGIN_SECONDS + 1
    second = await store.begin("k5", "fp", 5.0)
    assert isinstance(second, Claim)
    await store.finish(first, 200, '{"late":true}', {})
    await store.finish(second, 200, '{"data":2}', {})
    replay = await store.begin("k5", "fp", 5.0)
    assert isinstance(replay, Replay) and replay.record.body == '{"data":2}'
