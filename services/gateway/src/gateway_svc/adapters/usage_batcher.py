"""API key usage, counted in memory and sent to identity in batches so no request waits for it."""

from collections.abc import Awaitable, Callable
from datetime import datetime

from plenary_contracts.catalog.identity import ApiKeyUsage, RecordApiKeyUsage
from plenary_contracts.usage import Usage
from plenary_kit.logging import get_logger

from ..domain.usage import UsageTally

log = get_logger(__name__)

_BATCH = 10_000  # the contract's most usages per command


class UsageBatcher:
    def __init__(self, send: Callable[[RecordApiKeyUsage], Awaitable[object]]) -> None:
        self._send = send
        self._tally = UsageTally()

    def record(self, key_id: str, at: datetime, ip: str | None) -> None:
        self._tally.record(key_id, at, ip)

    @property
    def pending(self) -> int:
        return len(self._tally)

    async def flush(self) -> int:
        """Send what was counted; on failure keep it for the next flush. Returns the keys sent."""
        usages = self._tally.drain()
        sent = 0
        for start in range(0, len(usages), _BATCH):
            batch = usages[start : start + _BATCH]
            try:
                await self._send(RecordApiKeyUsage(usages=[_contract(u) for u in batch]))
            except Exception as error:
                self._tally.restore(usages[start:])
                log.warning("api key usage not recorded, kept for the next flush", error=repr(error))
                break
            sent += len(batch)
        return sent


def _contract(usage: Usage) -> ApiKeyUsage:
    return ApiKeyUsage(
        key_id=usage.key_id,
        count=usage.count,
        last_used_at=usage.last_used_at,
        last_used_ip=usage.last_used_ip,
    )
