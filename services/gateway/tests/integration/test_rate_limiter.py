import asyncio
import math
import time

from gateway_svc.adapters.kv import Buckets
from gateway_svc.adapters.rate_limiter import KvRateLimiter
from gateway_svc.domain.rate_window import Window

from plenary_contracts.streams import RATE_LIMITS_BUCKET


async def _limiters(connections, count: int) -> list[KvRateLimiter]:
    limiters = []
    for _ in range(count):
        nc = await connections()
        limiters.append(KvRateLimiter(Buckets(lambda nc=nc: nc)))
    return limiters


async def _stored_count(connections, caller: str) -> int:
    nc = await connections()
    kv = await nc.jetstream().key_value(RATE_LIMITS_BUCKET.name)
    return Window.unpack((await kv.get(caller)).value).count


async def test_two_replicas_sharing_one_key_admit_exactly_the_limit_of_150_concurrent_requests(connections):
    first, second = await _limiters(connections, 2)
    verdicts = await asyncio.gather(
        *(limiter.acquire("key.shared", 100) for _ in range(75) for limiter in (first, second))
    )
    assert sum(v.allowed for v in verdicts) == 100
    assert sorted(v.remaining for v in verdicts if v.allowed) == list(range(100))
    assert all(v.retry_after and v.retry_after > 0 for v in verdicts if not v.allowed)
    assert await _stored_count(connections, "key.shared") == 100


async def test_refused_requests_are_not_counted(connections):
    (limiter,) = await _limiters(connections, 1)
    for _ in range(3):
        assert (await limiter.acquire("key.small", 3)).allowed
    refused = await asyncio.gather(*(limiter.acquire("key.small", 3) for _ in range(10)))
    assert not any(v.allowed for v in refused)
    assert await _stored_count(connections, "key.small") == 3


async def test_a_replica_with_a_stale_copy_still_counts_what_the_other_admitted(connections):
    first, second = await _limiters(connections, 2)
    assert (await first.acquire("key.stale", 2)).allowed  # first now remembers a log of one
    assert (await second.acquire("key.stale", 2)).allowed
    refused = await first.acquire("key.stale", 2)
    assert not refused.allowed and refused.remaining == 0


async def test_each_caller_has_its_own_window(connections):
    (limiter,) = await _limiters(connections, 1)
    assert (await limiter.acquire("key.a", 1)).allowed
    assert not (await limiter.acquire("key.a", 1)).allowed
    assert (await limiter.acquire("key.b", 1)).allowed


async def test_a_busy_key_stores_one_count_per_second_not_one_entry_per_request(connections):
    (limiter,) = await _limiters(connections, 1)
    started = time.monotonic()
    for _ in range(300):  # one after another: every request its own write
        assert (await limiter.acquire("key.busy", 10_000)).allowed
    seconds_spanned = math.ceil(time.monotonic() - started) + 1
    nc = await connections()
    kv = await nc.jetstream().key_value(RATE_LIMITS_BUCKET.name)
    stored = Window.unpack((await kv.get("key.busy")).value)
    assert stored.count == 300
    assert len(stored.entries) <= seconds_spanned


async def _writes_so_far(nc) -> int:
    """Every write to the bucket so far (each one is a message of its stream)."""
    info = await nc.jetstream().stream_info(f"KV_{RATE_LIMITS_BUCKET.name}")
    return info.state.last_seq


async def test_requests_that_queue_behind_a_write_are_gathered_into_one_more_write(connections):
    nc = await connections()
    limiter = KvRateLimiter(Buckets(lambda: nc), gather_seconds=0.5)
    await limiter.acquire("key.warm", 100)  # the bucket's handle is looked up before counting
    before = await _writes_so_far(nc)
    first = asyncio.create_task(limiter.acquire("key.gathered", 100))
    for _ in range(2):
        await asyncio.sleep(0)  # the first request's write is on its way
    queued = [asyncio.create_task(limiter.acquire("key.gathered", 100)) for _ in range(10)]
    await asyncio.sleep(0.05)  # the first write has landed: the queued ones wait for more to join
    joined = [asyncio.create_task(limiter.acquire("key.gathered", 100)) for _ in range(10)]
    verdicts = await asyncio.gather(first, *queued, *joined)
    assert all(v.allowed for v in verdicts)
    assert sorted(v.remaining for v in verdicts) == list(range(79, 100))
    assert await _stored_count(connections, "key.gathered") == 21
    assert await _writes_so_far(nc) - before == 2
