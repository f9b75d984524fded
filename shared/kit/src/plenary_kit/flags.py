"""The feature-flag client: a local copy of the flags KV bucket (see ``kv_mirror``)."""

from nats.aio.client import Client

from plenary_contracts.flags import FlagContext, FlagState, evaluate
from plenary_contracts.streams import FLAGS_BUCKET

from . import context as ctx
from .kv_mirror import KvMirror


class FlagClient:
    def __init__(self, resync_seconds: float = 30.0) -> None:
        self._mirror = KvMirror(FLAGS_BUCKET.name, FlagState.model_validate_json, resync_seconds)
        self.loaded = self._mirror.loaded

    @property
    def resync_seconds(self) -> float:
        return self._mirror.resync_seconds

    @resync_seconds.setter
    def resync_seconds(self, seconds: float) -> None:
        self._mirror.resync_seconds = seconds

    def is_enabled(self, key: str, context: FlagContext) -> bool:
        return evaluate(self._mirror.entries, key, context)  # type: ignore[arg-type]

    def on(self, key: str) -> bool:
        """Whether ``key`` is on for the current caller: its tenant, roles and user."""
        caller = ctx.current()
        context = FlagContext(tenant_id=caller.tenant_id, roles=caller.roles, user_id=caller.actor_id)
        return self.is_enabled(key, context)

    def snapshot(self) -> dict[str, FlagState]:
        return self._mirror.snapshot()

    def start(self, nc: Client) -> None:
        self._mirror.start(nc)

    async def stop(self) -> None:
        await self._mirror.stop()
