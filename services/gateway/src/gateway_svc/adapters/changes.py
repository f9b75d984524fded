"""A wake-up call for whoever watches a mirrored bucket: an open event stream re-checks its credential as
soon as a revocation or an API key's change arrives, not only on its next periodic check."""

import asyncio
import contextlib
from collections.abc import Iterator


class Changes:
    def __init__(self) -> None:
        self._watchers: set[asyncio.Event] = set()

    def notify(self) -> None:
        for watcher in self._watchers:
            watcher.set()

    @contextlib.contextmanager
    def watching(self) -> Iterator[asyncio.Event]:
        """An event set at every change from now on (clear it after each look), until the block ends."""
        watcher = asyncio.Event()
        self._watchers.add(watcher)
        try:
            yield watcher
        finally:
            self._watchers.discard(watcher)

    @property
    def watchers(self) -> int:
        return len(self._watchers)
