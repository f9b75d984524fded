"""The event pipeline end to end: commit (outbox) → relay → JetStream → durable consumer (inbox) → handler,
in one process running a service runtime with a bench consumer.

- ``events_per_s``: 10,000 events committed 100 per transaction by 4 writers, first commit to last arrival;
- ``lag_p99_ms``: commit-to-handler lag at a paced 1,000 events/s (10 events every 10 ms);
- ``concurrent_writers_events_per_s``: 32 writers, one event per transaction, first commit to last arrival.
"""

import asyncio
import dataclasses
import time
from collections import defaultdict
from collections.abc import Iterator

from identity_svc.bootstrap import SERVICE as IDENTITY
from pydantic import BaseModel

from plenary_contracts.events import EventSpec
from plenary_contracts.streams import ConsumerSpec, event_stream_name
from plenary_kit import provision
from plenary_kit.service import Runtime
from plenary_kit.testing.servers import ensure_consumer

from . import raw
from .context import Bench
from .report import Figure, at_least, below
from .stats import percentile

AREA = "pipeline"
BATCH, BATCH_WRITERS, WRITERS, PACE_EVERY = 100, 4, 32, 0.01


class Tick(BaseModel):
    phase: str
    sent: float


TICK = EventSpec("identity", "bench", "ticked", Tick, "benchmark event")
CONSUMER = ConsumerSpec(
    service="identity",
    durable="bench_ticks",
    stream=event_stream_name("identity"),
    filter_subject=TICK.subject,
    description="benchmark consumer",
)


class Arrivals:
    """Commit-to-handler lags by phase, and a wait for a phase's count."""

    def __init__(self) -> None:
        self.lags: dict[str, list[float]] = defaultdict(list)
        self.last: dict[str, float] = {}
        self._expected: dict[str, tuple[int, asyncio.Event]] = {}

    def record(self, tick: Tick) -> None:
        lags = self.lags[tick.phase]
        lags.append(time.time() - tick.sent)
        self.last[tick.phase] = time.perf_counter()
        expected = self._expected.get(tick.phase)
        if expected and len(lags) >= expected[0]:
            expected[1].set()

    async def wait(self, phase: str, count: int, timeout: float = 600) -> float:
        """Wait until ``count`` ticks of ``phase`` arrived; the perf_counter time of the last one."""
        done = asyncio.Event()
        self._expected[phase] = (count, done)
        if len(self.lags[phase]) >= count:
            done.set()
        await asyncio.wait_for(done.wait(), timeout)
        return self.last[phase]


async def _commit(runtime: Runtime, phase: str, count: int) -> None:
    async with runtime.uow() as uow:
        for _ in range(count):
            uow.publish(TICK, Tick(phase=phase, sent=time.time()))
        await uow.commit()


async def _throughput(runtime: Runtime, arrivals: Arrivals, events: int) -> float:
    batches = iter(range(0, events, BATCH))

    async def writer() -> None:
        for first in batches:
            await _commit(runtime, "throughput", min(BATCH, events - first))

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(BATCH_WRITERS)))
    return events / (await arrivals.wait("throughput", events) - started)


async def _paced(runtime: Runtime, arrivals: Arrivals, seconds: int) -> int:
    per_tick = round(1000 * PACE_EVERY)
    ticks = round(seconds / PACE_EVERY)
    started = time.perf_counter()
    for n in range(ticks):
        await asyncio.sleep(max(0.0, started + n * PACE_EVERY - time.perf_counter()))
        await _commit(runtime, "paced", per_tick)
    await arrivals.wait("paced", ticks * per_tick)
    return ticks * per_tick


async def _writers(runtime: Runtime, arrivals: Arrivals, each: int) -> tuple[float, float]:
    async def writer() -> None:
        for _ in range(each):
            await _commit(runtime, "writers", 1)

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(WRITERS)))
    committed = time.perf_counter() - started
    total = WRITERS * each
    return total / (await arrivals.wait("writers", total) - started), total / committed


async def _measure(bench: Bench) -> list[Figure]:
    # The writers stand in for requests: the runtime's pool is sized for as many at once.
    settings = bench.settings().model_copy(update={"request_concurrency": WRITERS})
    provision.migrate(settings, [IDENTITY])
    await provision.apply_streams(settings)
    await provision.seed(settings, [IDENTITY])
    await ensure_consumer(settings.nats_url, CONSUMER)
    arrivals = Arrivals()

    async def record(uow, event, payload) -> None:  # type: ignore[no-untyped-def]
        arrivals.record(payload)

    runtime = Runtime(dataclasses.replace(IDENTITY, seed=None), settings)
    runtime.consume(CONSUMER, [TICK], record)
    await runtime.start()
    try:
        await _commit(runtime, "warm-up", 100)
        await arrivals.wait("warm-up", 100)
        events_per_s = await _throughput(runtime, arrivals, bench.sizes.pipeline_events)
        await _paced(runtime, arrivals, bench.sizes.paced_seconds)
        end_to_end, commits = await _writers(runtime, arrivals, bench.sizes.writer_events)
    finally:
        await runtime.stop()
    paced, burst = arrivals.lags["paced"], arrivals.lags["throughput"]
    return [
        Figure(AREA, "pipeline.events_per_s", events_per_s, "events/s", at_least(5000), raw.JS_PIPELINED),
        Figure(AREA, "pipeline.lag_p99_ms", percentile(paced, 0.99) * 1000, "ms", below(100)),
        Figure(AREA, "pipeline.lag_p50_ms", percentile(paced, 0.5) * 1000, "ms"),
        Figure(AREA, "pipeline.throughput_lag_p99_ms", percentile(burst, 0.99) * 1000, "ms"),
        Figure(
            AREA, "pipeline.concurrent_writers_events_per_s", end_to_end, "events/s", at_least(1500), raw.PG_COMMITS_8
        ),
        Figure(AREA, "pipeline.concurrent_writers_commits_per_s", commits, "commits/s", None, raw.PG_COMMITS_8),
    ]


def measure(bench: Bench) -> Iterator[Figure]:
    yield from asyncio.run(_measure(bench))
