"""Rate limits shared by every gateway replica: one sliding window of per-second counts per caller in a
NATS KV bucket.

Each write is a compare-and-set on the entry's revision, so two replicas can never both count the
last free slot. Within one replica the requests for one caller queue behind a single in-flight
compare-and-set; when it lands, everything that queued meanwhile is decided by the next one, which
admits as many of them as the window has room for: a hot key costs one KV round trip per batch, not
per request, and a burst costs a few writes, not a retry storm.

A round trip is short, so under steady load few requests queue behind one and the batches stay small.
When requests did queue behind the last write (the caller is busy), the next write waits a few
milliseconds more for others to join: a busy key then costs one write per few milliseconds, whatever its
rate. A caller whose requests come one after another never waits for that.
"""

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError

from plenary_contracts.errors import ServiceUnavailable
from plenary_contracts.streams import RATE_LIMITS_BUCKET

from ..domain.rate_window import Verdict, Window, admit
from .kv import Buckets

_MAX_ATTEMPTS = 64
_KNOWN_LIMIT = 10_000  # callers whose last written log this replica remembers
GATHER_SECONDS = 0.003  # how long a busy caller's next write waits for more requests to join it


@dataclass
class _Lane:
    waiting: list[tuple[int, asyncio.Future[Verdict]]] = field(default_factory=list)
    worker: asyncio.Task[None] | None = None


class KvRateLimiter:
    def __init__(
        self,
        buckets: Buckets,
        bucket: str = RATE_LIMITS_BUCKET.name,
        clock: Callable[[], float] = time.time,
        gather_seconds: float = GATHER_SECONDS,
    ) -> None:
        self._buckets = buckets
        self._gather_seconds = gather_seconds
        self._bucket = bucket
        self._clock = clock
        self._lanes: dict[str, _Lane] = {}
        # The last log this replica wrote or read per caller, with its revision: a guess that saves a read.
        # It can only miss requests other replicas counted, and then the compare-and-set fails and we read.
        self._known: OrderedDict[str, tuple[int, Window]] = OrderedDict()

    async def acquire(self, caller: str, limit: int) -> Verdict:
        """Count one request for ``caller`` if its window has room; the verdict says which."""
        lane = self._lanes.setdefault(caller, _Lane())
        decided: asyncio.Future[Verdict] = asyncio.get_running_loop().create_future()
        lane.waiting.append((limit, decided))
        if lane.worker is None:
            lane.worker = asyncio.create_task(self._work(caller, lane))
        return await decided

    async def _work(self, caller: str, lane: _Lane) -> None:
        try:
            busy = False
            while lane.waiting:
                if busy and self._gather_seconds > 0:
                    await asyncio.sleep(self._gather_seconds)
                busy = True  # whatever is waiting after this batch queued behind a write
                batch, lane.waiting = lane.waiting, []
                try:
                    verdicts = await self._settle(caller, lane, batch)
                except Exception as error:
                    for _, decided in batch:
                        if not decided.done():
                            decided.set_exception(error)
                    continue
                for (_, decided), verdict in zip(batch, verdicts, strict=True):
                    if not decided.done():
                        decided.set_result(verdict)
        finally:
            lane.worker = None
            if not lane.waiting and self._lanes.get(caller) is lane:
                del self._lanes[caller]

    async def _settle(
        self, caller: str, lane: _Lane, batch: list[tuple[int, asyncio.Future[Verdict]]]
    ) -> list[Verdict]:
        kv = await self._buckets.get(self._bucket)
        known = self._known.get(caller)
        for _ in range(_MAX_ATTEMPTS):
            if known is None:
                try:
                    entry = await kv.get(caller)
                    known = (entry.revision or 0, Window.unpack(entry.value or b""))
                except KeyNotFoundError:
                    known = (0, Window())
                self._remember(caller, *known)
            revision, window = known
            after, verdicts = admit(window, int(self._clock() * 1000), [limit for limit, _ in batch])
            if not any(verdict.allowed for verdict in verdicts):
                return verdicts  # nothing admitted, nothing to write
            try:
                if revision:
                    revision = await kv.update(caller, after.pack(), last=revision)
                else:
                    revision = await kv.create(caller, after.pack())
            except KeyWrongLastSequenceError:
                known = None
                batch.extend(lane.waiting)  # whoever queued meanwhile joins the retry
                lane.waiting = []
                continue
            self._remember(caller, revision, after)
            return verdicts
        raise ServiceUnavailable("the rate limiter is too contended to decide; retry shortly")

    def _remember(self, caller: str, revision: int, window: Window) -> None:
        self._known[caller] = (revision, window)
        self._known.move_to_end(caller)
        while len(self._known) > _KNOWN_LIMIT:
            self._known.popitem(last=False)
