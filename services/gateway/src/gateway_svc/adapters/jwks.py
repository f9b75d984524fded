"""The public keys that verify access tokens, fetched from identity and kept until an unknown ``kid`` appears."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import jwt

from plenary_kit.logging import get_logger

log = get_logger(__name__)

REFETCH_INTERVAL_SECONDS = 30.0


class JwksCache:
    def __init__(
        self,
        fetch: Callable[[], Awaitable[list[dict[str, Any]]]],
        min_interval: float = REFETCH_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._min_interval = min_interval
        self._clock = clock
        self._keys: dict[str | None, Any] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str | None) -> Any | None:
        """The verification key named ``kid``; refetches at most every ``min_interval`` seconds on a miss."""
        found = self._lookup(kid)
        if found is not None:
            return found
        async with self._lock:
            found = self._lookup(kid)
            if found is not None or not self._may_refetch():
                return found
            await self.refresh()
            return self._lookup(kid)

    async def refresh(self) -> None:
        """Fetch the key set; a failed fetch does not count against the refetch interval."""
        fetched = await self._fetch()
        self._fetched_at = self._clock()
        keys: dict[str | None, Any] = {}
        for jwk in fetched:
            try:
                keys[jwk.get("kid")] = jwt.PyJWK(jwk).key
            except jwt.PyJWTError as error:
                log.warning("unusable key in the key set ignored", kid=jwk.get("kid"), error=repr(error))
        self._keys = keys

    def _lookup(self, kid: str | None) -> Any | None:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid)

    def _may_refetch(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._min_interval
