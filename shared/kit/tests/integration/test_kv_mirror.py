import json

import pytest

from plenary_contracts.streams import KvBucketSpec
from plenary_kit.bus.connection import connect
from plenary_kit.bus.topology import apply_topology
from plenary_kit.kv_mirror import KvMirror
from plenary_kit.testing.plugin import eventually

BUCKET = KvBucketSpec(name="test_mirror", description="a bucket for the mirror tests")


@pytest.fixture
async def kv_and_client(nats):
    nc = await connect(nats.url, "kv-mirror-test")
    await apply_topology(nc.jetstream(), [], [], [BUCKET])
    yield await nc.jetstream().key_value(BUCKET.name), nc
    await nc.drain()


def _mirror() -> KvMirror[dict]:
    return KvMirror(BUCKET.name, json.loads)


async def test_the_mirror_starts_with_what_the_bucket_holds(kv_and_client):
    kv, nc = kv_and_client
    await kv.put("a", b'{"n": 1}')
    await kv.put("gone", b'{"n": 2}')
    await kv.delete("gone")
    mirror = _mirror()
    mirror.start(nc)
    try:
        await eventually(mirror.loaded.is_set)
        assert mirror.snapshot() == {"a": {"n": 1}}
    finally:
        await mirror.stop()


async def test_the_mirror_sees_puts_deletes_and_purges_as_they_happen(kv_and_client):
    kv, nc = kv_and_client
    mirror = _mirror()
    mirror.start(nc)
    try:
        await eventually(mirror.loaded.is_set)
        await kv.put("k", b'{"v": 1}')
        await eventually(lambda: mirror.get("k") == {"v": 1})
        await kv.put("k", b'{"v": 2}')
        await eventually(lambda: mirror.get("k") == {"v": 2})
        await kv.delete("k")
        await eventually(lambda: mirror.get("k") is None)
        await kv.put("p", b'{"v": 3}')
        await eventually(lambda: mirror.get("p") is not None)
        await kv.purge("p")
        await eventually(lambda: "p" not in mirror.snapshot())
    finally:
        await mirror.stop()


async def test_an_unreadable_entry_is_skipped_not_fatal(kv_and_client):
    kv, nc = kv_and_client
    await kv.put("bad", b"{not json")
    await kv.put("good", b"{}")
    mirror = _mirror()
    mirror.start(nc)
    try:
        await eventually(mirror.loaded.is_set)
        assert mirror.snapshot() == {"good": {}}
        await kv.put("bad2", b"nope")
        await kv.put("after", b"[]")
        await eventually(lambda: mirror.get("after") == [])
        assert mirror.get("bad2") is None
    finally:
        await mirror.stop()


async def test_a_change_during_a_reload_wins_over_what_the_reload_read(kv_and_client):
    kv, nc = kv_and_client
    await kv.put("key", b'{"live": false}')

    class SlowReload(KvMirror[dict]):
        deleted_during_read = False

        async def _read_all(self, nc):  # type: ignore[no-untyped-def]
            read = await super()._read_all(nc)
            if self.loaded.is_set() and not self.deleted_during_read:
                self.deleted_during_read = True
                await kv.delete("key")
                await eventually(lambda: self._changed_while_reloading == {"key": None})
            return read

    mirror = SlowReload(BUCKET.name, json.loads)
    mirror.start(nc)
    try:
        await eventually(mirror.loaded.is_set)
        assert mirror.get("key") == {"live": False}
        await mirror.reload(nc)
        assert mirror.deleted_during_read and mirror.get("key") is None
    finally:
        await mirror.stop()
