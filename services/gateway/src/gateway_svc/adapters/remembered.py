"""Questions the gateway asks another service on a local miss, with their answers remembered a while.

One question per key is in flight at a time (concurrent requests share it). Answers found are kept
``found_for`` seconds, misses ``missing_for``, at most ``max_remembered`` of each (the oldest forgotten
first). With ``asks_per_second``, new questions beyond that rate are not asked: the key counts as
missing, so a flood of made-up keys costs the other service a bounded number of calls.
"""

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class _Expiring(Generic[V]):
    def __init__(self, keep_for: float, max_entries: int) -> None:
        self._keep_for = keep_for
        self._max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, V]] = OrderedDict()

    def get(self, key: str, now: float) -> tuple[V] | None:
        found = self._entries.get(key)
        if found is None:
            return None
        if found[0] <= now:
            del self._entries[key]
            return None
        return (found[1],)

    def put(self, key: str, value: V, now: float) -> None:
        if self._keep_for <= 0:
            return
        self._entries.pop(key, None)
        self._entries[key] = (now + self._keep_for, value)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class _Budget:
    """A token bucket: ``rate`` questions a second, as many at once."""

    def __init__(self, rate: float, now: float) -> None:
        self._rate = rate
        self._tokens = rate
        self._at = now

    def take(self, now: float) -> bool:
        self._tokens = min(self._rate, self._tokens + (now - self._at) * self._rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


class RememberedLookup(Generic[V]):
    def __init__(
        self,
        ask: Callable[[str], Awaitable[V | None]],
        *,
        found_for: float,
        missing_for: float,
        max_remembered: int = 10_000,
        asks_per_second: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ask = ask
        self._clock = clock
        self._found: _Expiring[V] = _Expiring(found_for, max_remembered)
        self._missing: _Expiring[None] = _Expiring(missing_for, max_remembered)
        self._budget = _Budget(asks_per_second, clock()) if asks_per_second is not None else None
        self._asking: dict[str, asyncio.Future[V | None]] = {}

    async def __call__(self, key: str) -> V | None:
        now = self._clock()
        found = self._found.get(key, now)
        if found is not None:
            return found[0]
        if self._missing.get(key, now) is not None:
            return None
        pending = self._asking.get(key)
        if pending is None:
            if self._budget is not None and not self._budget.take(now):
                return None
            pending = self._asking[key] = asyncio.ensure_future(self._answer(key))
            pending.add_done_callback(lambda _: self._asking.pop(key, None))
        return await asyncio.shield(pending)

    async def _answer(self, key: str) -> V | None:
        value = await self._ask(key)  # a failure is not remembered: the next request asks again
        if value is None:
            self._missing.put(key, None, self._clock())
        else:
            self._found.put(key, value, self._clock())
        return value

    @property
    def remembered(self) -> int:
        return len(self._found) + len(self._missing)
