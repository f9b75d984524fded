"""Access tokens already verified, remembered until they expire, so a token's signature is checked once.

Keyed by the exact token string: another string, even one carrying the same claims, is verified anew.
At most ``max_entries`` are kept; the least recently used is forgotten first. Only what verification
proves is remembered: whether the token was revoked since is asked again on every request.
"""

from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")


class VerifiedTokens(Generic[V]):
    def __init__(self, max_entries: int) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, V]] = OrderedDict()

    def get(self, token: str, now: float) -> V | None:
        """What verifying ``token`` gave, unless it was never verified here or has expired by ``now``."""
        found = self._entries.get(token)
        if found is None:
            return None
        expires_at, value = found
        if now >= expires_at:
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return value

    def put(self, token: str, value: V, expires_at: float) -> None:
        """Remember ``token`` as verified until ``expires_at`` (epoch seconds)."""
        if self._max_entries <= 0:
            return
        self._entries[token] = (expires_at, value)
        self._entries.move_to_end(token)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
