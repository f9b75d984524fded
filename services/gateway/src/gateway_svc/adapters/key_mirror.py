"""The gateway's copy of the API key bucket: usable keys by lookup id, as identity mirrors them."""

from datetime import datetime

from nats.aio.msg import Msg

from plenary_contracts.catalog.identity import ApiKeyCredential
from plenary_contracts.streams import API_KEYS_BUCKET
from plenary_kit.kv_mirror import KvMirror

from .changes import Changes


class ApiKeyMirror(KvMirror[ApiKeyCredential]):
    def __init__(self, resync_seconds: float = 30.0, changes: Changes | None = None) -> None:
        super().__init__(API_KEYS_BUCKET.name, ApiKeyCredential.model_validate_json, resync_seconds)
        self.changes = changes or Changes()

    def origin_allowed_anywhere(self, origin: str, now: datetime) -> bool:
        """Whether some usable key lists ``origin`` (a CORS preflight names no key)."""
        return any(origin in key.allowed_origins and key.usable_at(now) for key in self.entries.values())

    async def _on_change(self, msg: Msg) -> None:
        await super()._on_change(msg)
        self.changes.notify()  # open event streams re-check their credential now
