"""The feature-flag client: a local copy of the flags KV bucket, kept current by a watcher.

A service checks flags itself (defence in depth); a change made in identity reaches it within the
watcher's latency, and a full replay every ``resync_seconds`` heals a watcher lost to a restart.
"""

import asyncio
import contextlib

import nats.errors
from nats.js import JetStreamContext

from plenary_contracts.flags import FlagContext, FlagState, evaluate
from plenary_contracts.streams import FLAGS_BUCKET

from .logging import get_logger

log = get_logger(__name__)


class FlagClient:
    def __init__(self, resync_seconds: float = 30.0) -> None:
        self._flags: dict[str, FlagState] = {}
        self.resync_seconds = resync_seconds
        self.loaded = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def is_enabled(self, key: str, context: FlagContext) -> bool:
        return evaluate(self._flags, key, context)

    def snapshot(self) -> dict[str, FlagState]:
        return dict(self._flags)

    def start(self, js: JetStreamContext) -> None:
        self._task = asyncio.create_task(self._watch(js))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self, js: JetStreamContext) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                kv = await js.key_value(FLAGS_BUCKET.name)
                watcher = await kv.watchall()
                seen: dict[str, FlagState] = {}
                replaying = True
                deadline = loop.time() + self.resync_seconds
                try:
                    while loop.time() < deadline:
                        try:
                            entry = await watcher.updates(timeout=1.0)
                        except nats.errors.TimeoutError:
                            continue
                        if entry is None:
                            if replaying:
                                self._flags = seen
                                replaying = False
                                self.loaded.set()
                            continue
                        target = seen if replaying else self._flags
                        if entry.operation in ("DEL", "PURGE") or not entry.value:
                            target.pop(entry.key, None)
                        else:
                            target[entry.key] = FlagState.model_validate_json(entry.value)
                finally:
                    with contextlib.suppress(Exception):
                        await watcher.stop()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("flag watcher failed, retrying", error=repr(error))
                await asyncio.sleep(1.0)
