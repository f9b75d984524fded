"""The feature-flag client: a local copy of the flags KV bucket.

Live changes arrive on a plain subscription to the bucket's subjects (a KV put is an ordinary publish
on ``$KV.<bucket>.<key>``); a full reload at start and every ``resync_seconds`` heals anything missed
while disconnected. No JetStream consumer is involved, so nothing here can stall on one.
"""

import asyncio
import contextlib

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.errors import KeyNotFoundError

from plenary_contracts.flags import FlagContext, FlagState, evaluate
from plenary_contracts.streams import FLAGS_BUCKET

from .logging import get_logger

log = get_logger(__name__)

_PREFIX = f"$KV.{FLAGS_BUCKET.name}."


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

    def start(self, nc: Client) -> None:
        self._task = asyncio.create_task(self._run(nc))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self, nc: Client) -> None:
        subscription = await nc.subscribe(_PREFIX + ">", cb=self._on_change)
        try:
            while True:
                try:
                    await asyncio.wait_for(self._reload(nc), 10)
                    self.loaded.set()
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    log.warning("flag reload failed, retrying", error=repr(error))
                    await asyncio.sleep(1.0)
                    continue
                await asyncio.sleep(self.resync_seconds)
        finally:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()

    async def _reload(self, nc: Client) -> None:
        js = nc.jetstream()
        kv = await js.key_value(FLAGS_BUCKET.name)
        info = await js.stream_info(f"KV_{FLAGS_BUCKET.name}", subjects_filter=_PREFIX + ">")
        flags: dict[str, FlagState] = {}
        for subject in info.state.subjects or {}:
            key = subject.removeprefix(_PREFIX)
            with contextlib.suppress(KeyNotFoundError):
                entry = await kv.get(key)
                if entry.value:
                    flags[key] = FlagState.model_validate_json(entry.value)
        self._flags = flags

    async def _on_change(self, msg: Msg) -> None:
        key = msg.subject.removeprefix(_PREFIX)
        operation = (msg.headers or {}).get("KV-Operation")
        try:
            if operation in ("DEL", "PURGE") or not msg.data:
                self._flags.pop(key, None)
            else:
                self._flags[key] = FlagState.model_validate_json(msg.data)
        except Exception as error:
            log.warning("unreadable flag update ignored", key=key, error=repr(error))
