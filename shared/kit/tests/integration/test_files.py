"""The files bucket on a real nats-server: created by the topology, written, read back, deleted."""

import hashlib

import pytest

from plenary_contracts.streams import FILES_BUCKET
from plenary_kit.bus.connection import connect
from plenary_kit.bus.topology import apply_topology
from plenary_kit.files import (
    FileMissing,
    belongs_to,
    delete_file,
    describe_file,
    file_key,
    put_file,
    read_file,
    store_file,
)


@pytest.fixture
async def js(nats):
    nc = await connect(nats.url, "files-test")
    yield nc.jetstream()
    await nc.drain()


async def test_the_topology_creates_the_files_bucket_once(js):
    assert f"object bucket {FILES_BUCKET.name}: created" in await apply_topology(js, [], [], [])
    assert await apply_topology(js, [], [], []) == [f"object bucket {FILES_BUCKET.name}: exists"]
    status = await (await js.object_store(FILES_BUCKET.name)).status()
    assert status.ttl == FILES_BUCKET.ttl_seconds


async def test_a_file_is_kept_under_its_tenant_read_back_whole_and_deleted(js):
    await apply_topology(js, [], [], [])
    data = bytes(range(256)) * 2000  # several chunks
    file = await put_file(js, "tenant1", "uploads", "../Teilnehmer März.csv", "text/csv", data)
    assert file.key.startswith("tenant1/uploads/") and file.key.endswith("/Teilnehmer_M_rz.csv")
    assert (file.size, file.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert belongs_to(file, "tenant1") and not belongs_to(file, "tenant") and not belongs_to(file, None)
    assert await read_file(js, file.key) == data
    await delete_file(js, file.key)
    with pytest.raises(FileMissing):
        await read_file(js, file.key)
    await delete_file(js, file.key)  # deleting twice is fine


async def test_a_described_file_is_stored_only_when_asked_and_a_repeatable_key_replaces_its_object(js):
    await apply_topology(js, [], [], [])
    file = describe_file("tenant1", "uploads", "a.csv", "text/csv", b"one")
    with pytest.raises(FileMissing):
        await read_file(js, file.key)
    await store_file(js, file, b"one")
    assert await read_file(js, file.key) == b"one"
    key = file_key("tenant1", "uploads", "a.csv", unique="a" * 32)
    assert key == file_key("tenant1", "uploads", "a.csv", unique="a" * 32) == f"tenant1/uploads/{'a' * 32}/a.csv"
    await store_file(js, file.model_copy(update={"key": key}), b"one")
    await store_file(js, file.model_copy(update={"key": key}), b"two")
    assert await read_file(js, key) == b"two"
    with pytest.raises(ValueError):
        file_key("tenant1", "uploads", "a.csv", unique="../x")


async def test_an_empty_file_reads_back_empty(js):
    await apply_topology(js, [], [], [])
    file = await put_file(js, "tenant1", "exports", "empty.csv", "text/csv", b"")
    assert await read_file(js, file.key) == b""
