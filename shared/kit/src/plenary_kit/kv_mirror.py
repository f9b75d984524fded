"""A local copy of one NATS KV bucket, for buckets that are read on every request (flags, API keys).

Live changes arrive on a plain subscription to the bucket's subjects (a KV put is an ordinary publish
on ``$KV.<bucket>.<key>``; a delete or purge is a publish with a ``KV-Operation`` header); a full reload
at start and every ``resync_seconds`` heals anything missed while disconnected. No JetStream consumer
is involved (the KV watcher proved flaky), so nothing here can stall on one.

A change that arrives while a reload is reading the bucket wins over what the reload read, so a reload
never puts back a value that was just changed or deleted. The subscription also sees a conditional
write the server refused; the bucket's writers use plain puts, and the next reload corrects it anyway.
"""

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.errors import KeyNotFoundError

from .logging import get_logger

log = get_logger(__name__)

T = TypeVar("T")

_READ_CONCURRENCY = 32


class KvMirror(Generic[T]):
    def __init__(self, bucket: str, decode: Callable[[bytes], T], resync_seconds: float = 30.0) -> None:
        self.bucket = bucket
        self.resync_seconds = resync_seconds
        self.loaded = asyncio.Event()
        self._decode = decode
        self._prefix = f"$KV.{bucket}."
        self._entries: dict[str, T] = {}
        self._changed_while_reloading: dict[str, T | None] | None = None
        self._task: asyncio.Task[None] | None = None

    def get(self, key: str) -> T | None:
        return self._entries.get(key)

    @property
    def entries(self) -> Mapping[str, T]:
        """The live copy, not to be changed by the caller (``snapshot`` for one that stays still)."""
        return self._entries

    def snapshot(self) -> dict[str, T]:
        return dict(self._entries)

    def values(self) -> list[T]:
        return list(self._entries.values())

    def start(self, nc: Client) -> None:
        self._task = asyncio.create_task(self._run(nc), name=f"kv-mirror-{self.bucket}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self, nc: Client) -> None:
        subscription = await nc.subscribe(self._prefix + ">", cb=self._on_change)
        try:
            while True:
                try:
                    await asyncio.wait_for(self.reload(nc), 10)
                    self.loaded.set()
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    log.warning("kv mirror reload failed, retrying", bucket=self.bucket, error=repr(error))
                    await asyncio.sleep(1.0)
                    continue
                await asyncio.sleep(self.resync_seconds)
        finally:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()

    async def reload(self, nc: Client) -> None:
        """Read the whole bucket and replace the local copy with it."""
        self._changed_while_reloading = {}
        try:
            entries = await self._read_all(nc)
            for key, value in self._changed_while_reloading.items():
                if value is None:
                    entries.pop(key, None)
                else:
                    entries[key] = value
            self._entries = entries
        finally:
            self._changed_while_reloading = None

    async def _read_all(self, nc: Client) -> dict[str, T]:
        js = nc.jetstream()
        kv = await js.key_value(self.bucket)
        info = await js.stream_info(f"KV_{self.bucket}", subjects_filter=self._prefix + ">")
        keys = [subject.removeprefix(self._prefix) for subject in info.state.subjects or {}]
        entries: dict[str, T] = {}
        gate = asyncio.Semaphore(_READ_CONCURRENCY)

        async def read(key: str) -> None:
            async with gate:
                try:
                    entry = await kv.get(key)
                except KeyNotFoundError:
                    return
                if entry.value:
                    value = self._decoded(key, entry.value)
                    if value is not None:
                        entries[key] = value

        await asyncio.gather(*(read(key) for key in keys))
        return entries

    def _decoded(self, key: str, data: bytes) -> T | None:
        try:
            return self._decode(data)
        except Exception as error:
            log.warning("unreadable kv entry ignored", bucket=self.bucket, key=key, error=repr(error))
            return None

    async def _on_change(self, msg: Msg) -> None:
        key = msg.subject.removeprefix(self._prefix)
        operation = (msg.headers or {}).get("KV-Operation")
        deleted = operation in ("DEL", "PURGE") or not msg.data
        value = None if deleted else self._decoded(key, msg.data)
        if value is None and not deleted:
            return
        if value is None:
            self._entries.pop(key, None)
        else:
            self._entries[key] = value
        if self._changed_while_reloading is not None:
            self._changed_while_reloading[key] = value
