"""What every registration reads and almost nothing changes (an event with its participant types and
fields, the events whose dates overlap it, the blacklist), kept in each process.

A change lands in one process only (a durable consumer hands each event to one replica; a blacklist
write is served by one), so the unit of work that writes it calls ``changed``: once it commits, this
process drops the tenant's entries and announces the tenant to every other process, which drop theirs
(``forget``). A load that overlapped a drop is not kept, so nothing read before a change outlives it
here; entries also expire after ``TTL_SECONDS``, which bounds what a lost announcement could leave.
"""

import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from plenary_kit.db import UnitOfWork

from ..adapters.commit_hooks import after_commit

T = TypeVar("T")

TTL_SECONDS = 30.0
MAX_ENTRIES = 20_000
EVERY_TENANT = ""  # announced when global blacklist entries change: they screen every tenant


class ReferenceCache:
    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self.announce: Callable[[str], None] = lambda tenant_id: None  # set once the bus is up
        self._entries: dict[tuple[str, Hashable], tuple[float, Any]] = {}
        self._generations: dict[str, int] = {}
        self._everyone = 0  # generation of every tenant at once

    def _generation(self, tenant_id: str) -> tuple[int, int]:
        return self._generations.get(tenant_id, 0), self._everyone

    def get(self, tenant_id: str, key: Hashable) -> Any | None:
        found = self._entries.get((tenant_id, key))
        if found is None or self.clock() - found[0] > self.ttl:
            return None
        return found[1]

    async def load(self, tenant_id: str, key: Hashable, read: Callable[[], Awaitable[T]]) -> T:
        """The entry, or what ``read`` returns, kept unless the tenant's entries were dropped meanwhile."""
        found = self.get(tenant_id, key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        before = self._generation(tenant_id)
        value = await read()
        self.put(tenant_id, key, value, before)
        return value

    def token(self, tenant_id: str) -> tuple[int, int]:
        """Taken before reading what ``put`` will keep."""
        return self._generation(tenant_id)

    def put(self, tenant_id: str, key: Hashable, value: Any, token: tuple[int, int]) -> None:
        if self._generation(tenant_id) != token:
            return  # read before a change this process has heard of since
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[(tenant_id, key)] = (self.clock(), value)

    def forget(self, tenant_id: str) -> None:
        """Drop the tenant's entries (every tenant's for ``EVERY_TENANT``)."""
        if tenant_id == EVERY_TENANT:
            self._everyone += 1
            self._entries.clear()
            return
        self._generations[tenant_id] = self._generations.get(tenant_id, 0) + 1
        for cached in [k for k in self._entries if k[0] == tenant_id]:
            del self._entries[cached]

    def changed(self, uow: UnitOfWork, tenant_id: str | None) -> None:
        """``uow`` changes what the tenant's entries hold (None: global entries, every tenant's)."""
        tenant = tenant_id or EVERY_TENANT

        def committed() -> None:
            self.forget(tenant)
            self.announce(tenant)

        after_commit(uow.session, committed)
