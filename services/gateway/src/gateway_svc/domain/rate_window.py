"""The sliding 60 s window of one rate-limited caller, and who of a batch of requests it admits.

The window counts requests per second of arrival: one entry per second, stamped with the latest
millisecond admitted in it, so a window holds about 61 entries (about 500 bytes packed) whatever the
request rate. A request leaves the window 60 s after the latest request of its second: never earlier
than its own 60 s (the limit is never exceeded in any 60 s span), at most one second later.
"""

import math
import struct
from dataclasses import dataclass

WINDOW_MS = 60_000
SLOT_MS = 1_000  # requests admitted within one second share one entry
_VERSION = 1
_HEADER = struct.Struct("<BQ")  # version, base time in epoch ms
_ENTRY = struct.Struct("<II")  # ms after base, requests admitted in that second


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int  # after this request
    reset_at: int  # epoch seconds when the oldest counted request leaves the window
    retry_after: int | None = None  # seconds until a slot frees, when refused


@dataclass(frozen=True)
class Window:
    entries: tuple[tuple[int, int], ...] = ()  # (latest epoch ms of a second, count admitted in it), oldest first

    @property
    def count(self) -> int:
        return sum(count for _, count in self.entries)

    def pruned(self, now_ms: int) -> "Window":
        """Only the requests still inside the window ending at ``now_ms``."""
        start = now_ms - WINDOW_MS
        return Window(tuple(e for e in self.entries if e[0] > start))

    def with_admitted(self, now_ms: int, count: int) -> "Window":
        """``count`` more requests at ``now_ms``, added to the entry of their second (whose stamp moves up to
        ``now_ms``), or as a new entry."""
        if count == 0:
            return self
        second = now_ms // SLOT_MS
        for index in range(len(self.entries) - 1, -1, -1):
            at, counted = self.entries[index]
            if at // SLOT_MS == second:
                merged = (max(at, now_ms), counted + count)
                return Window((*self.entries[:index], merged, *self.entries[index + 1 :]))
            if at // SLOT_MS < second:
                break
        if not self.entries or self.entries[-1][0] < now_ms:
            return Window((*self.entries, (now_ms, count)))
        return Window(tuple(sorted((*self.entries, (now_ms, count)))))  # another replica's clock ran ahead

    def pack(self) -> bytes:
        base = self.entries[0][0] if self.entries else 0
        parts = [_HEADER.pack(_VERSION, base)]
        parts += [_ENTRY.pack(at - base, count) for at, count in self.entries]
        return b"".join(parts)

    @classmethod
    def unpack(cls, data: bytes) -> "Window":
        """An unreadable log counts as empty: losing one window beats refusing every request."""
        if len(data) < _HEADER.size or (len(data) - _HEADER.size) % _ENTRY.size:
            return cls()
        version, base = _HEADER.unpack_from(data)
        if version != _VERSION:
            return cls()
        entries = [(base + offset, count) for offset, count in _ENTRY.iter_unpack(data[_HEADER.size :])]
        return cls(tuple(sorted(entries)))


def _ceil_seconds(ms: int) -> int:
    return math.ceil(ms / 1000)


def _slot_frees_at(window: Window, limit: int) -> int:
    """Epoch ms when the window next holds fewer than ``limit`` requests."""
    must_leave = window.count - limit + 1
    left = 0
    for at, count in window.entries:
        left += count
        if left >= must_leave:
            return at + WINDOW_MS
    return window.entries[-1][0] + WINDOW_MS if window.entries else 0


def admit(window: Window, now_ms: int, limits: list[int]) -> tuple[Window, list[Verdict]]:
    """Admit waiting requests in order while the window has room for each one's limit.

    Returns the window with the admitted requests added and one verdict per request. Refused requests
    are not counted.
    """
    current = window.pruned(now_ms)
    counted = current.count
    admitted = 0
    outcomes: list[tuple[bool, int, int]] = []  # allowed, limit, count after it
    for limit in limits:
        if counted + admitted < limit:
            admitted += 1
            outcomes.append((True, limit, counted + admitted))
        else:
            outcomes.append((False, limit, counted + admitted))
    after = current.with_admitted(now_ms, admitted)
    oldest = after.entries[0][0] if after.entries else now_ms
    reset_at = _ceil_seconds(oldest + WINDOW_MS)
    verdicts = []
    for allowed, limit, count in outcomes:
        if allowed:
            verdicts.append(Verdict(True, limit, max(limit - count, 0), reset_at))
        else:
            frees_at = _slot_frees_at(after, limit)
            retry = max(1, _ceil_seconds(frees_at - now_ms))
            verdicts.append(Verdict(False, limit, 0, reset_at, retry))
    return after, verdicts
