"""The per-process cache of reference data: kept until its tenant is forgotten or it expires, and never
kept when read across a change."""

import asyncio

from registration_svc.application.reference_cache import EVERY_TENANT, ReferenceCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def _load(cache: ReferenceCache, tenant: str, key: str, value: str) -> str:
    async def read() -> str:
        return value

    return await cache.load(tenant, key, read)


async def test_a_loaded_value_is_served_until_its_tenant_is_forgotten():
    cache = ReferenceCache()
    await _load(cache, "t1", "k", "first")
    await _load(cache, "t2", "k", "theirs")

    assert await _load(cache, "t1", "k", "second") == "first"
    cache.forget("t1")
    assert await _load(cache, "t1", "k", "second") == "second"
    assert cache.get("t2", "k") == "theirs"


async def test_forgetting_every_tenant_drops_them_all():
    cache = ReferenceCache()
    await _load(cache, "t1", "k", "a")
    await _load(cache, "t2", "k", "b")

    cache.forget(EVERY_TENANT)

    assert cache.get("t1", "k") is None and cache.get("t2", "k") is None


async def test_a_value_expires_after_the_ttl():
    clock = Clock()
    cache = ReferenceCache(ttl=30, clock=clock)
    await _load(cache, "t", "k", "old")
    clock.now = 29
    assert cache.get("t", "k") == "old"
    clock.now = 31
    assert cache.get("t", "k") is None


async def test_a_value_read_while_its_tenant_was_forgotten_is_returned_but_not_kept():
    cache = ReferenceCache()
    reading, release = asyncio.Event(), asyncio.Event()

    async def slow_read() -> str:
        reading.set()
        await release.wait()
        return "read before the change"

    load = asyncio.create_task(cache.load("t", "k", slow_read))
    await reading.wait()
    cache.forget("t")
    release.set()

    assert await load == "read before the change"
    assert cache.get("t", "k") is None


async def test_a_value_read_while_every_tenant_was_forgotten_is_not_kept():
    cache = ReferenceCache()
    token = cache.token("t")
    cache.forget(EVERY_TENANT)

    cache.put("t", "k", "stale", token)

    assert cache.get("t", "k") is None
