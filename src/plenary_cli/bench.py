"""`plenary bench`: the plumbing's speed and memory on this machine, on real servers it starts itself.

Prints figures; asserts nothing. Measures: outbox commit rate, relay + durable consumer end-to-end
latency and throughput (inbox included), request/reply latency sequentially and with concurrency,
and the process's peak memory.
"""

import asyncio
import dataclasses
import resource
import statistics
import tempfile
import time
from pathlib import Path

from identity_svc.bootstrap import SERVICE as IDENTITY
from pydantic import BaseModel

from plenary_contracts.catalog import identity as contract
from plenary_contracts.events import EventSpec
from plenary_contracts.streams import ConsumerSpec, event_stream_name
from plenary_kit import provision
from plenary_kit.bus.connection import connect
from plenary_kit.bus.rpc import call
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.servers import ensure_consumer, nats_server, postgres_server, settings_for


class Tick(BaseModel):
    n: int
    sent: float


TICK = EventSpec("identity", "bench", "ticked", Tick, "benchmark event")
CONSUMER = ConsumerSpec(
    service="identity",
    durable="bench_ticks",
    stream=event_stream_name("identity"),
    filter_subject=TICK.subject,
    description="benchmark consumer",
)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


async def _bench(settings: Settings, events: int, calls: int) -> list[str]:
    lines: list[str] = []
    provision.migrate(settings, [IDENTITY])
    await provision.apply_streams(settings)
    await provision.seed(settings, [IDENTITY])
    await ensure_consumer(settings.nats_url, CONSUMER)
    nc = await connect(settings.nats_url, "bench")

    latencies: list[float] = []
    done = asyncio.Event()

    async def record(uow, event, payload) -> None:  # type: ignore[no-untyped-def]
        latencies.append(time.time() - payload.sent)
        if len(latencies) == events:
            done.set()

    runtime = Runtime(dataclasses.replace(IDENTITY, seed=None), settings)
    runtime.consume(CONSUMER, [TICK], record)
    await runtime.start()
    try:
        started = time.perf_counter()
        for n in range(events):
            async with runtime.uow() as uow:
                uow.publish(TICK, Tick(n=n, sent=time.time()))
                await uow.commit()
        committed = time.perf_counter() - started
        await asyncio.wait_for(done.wait(), 300)
        total = time.perf_counter() - started
        lines += [
            f"outbox commit (one event per transaction): {events / committed:,.0f} events/s",
            f"commit -> relay -> JetStream -> durable consumer (inbox): {events / total:,.0f} events/s end to end",
            f"  event latency p50 {_ms(statistics.median(latencies))}, p95 {_ms(_pct(latencies, 0.95))},"
            f" p99 {_ms(_pct(latencies, 0.99))}",
        ]

        request = contract.EvaluateFeatureFlag(key="FF_WAITLIST")
        timings: list[float] = []
        for _ in range(calls):
            t0 = time.perf_counter()
            await call(nc, contract.EVALUATE_FEATURE_FLAG, request)
            timings.append(time.perf_counter() - t0)
        lines.append(
            f"request/reply (query with a database read), sequential: p50 {_ms(statistics.median(timings))},"
            f" p99 {_ms(_pct(timings, 0.99))}, {calls / sum(timings):,.0f} calls/s"
        )
        t0 = time.perf_counter()
        await asyncio.gather(*(call(nc, contract.EVALUATE_FEATURE_FLAG, request) for _ in range(calls)))
        lines.append(f"request/reply, {calls} concurrent: {calls / (time.perf_counter() - t0):,.0f} calls/s")
    finally:
        await runtime.stop()
        await nc.drain()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"peak memory of this process (one service runtime + client): {peak:.0f} MiB")
    return lines


def run(events: int = 2000, calls: int = 1000) -> list[str]:
    workdir = Path(tempfile.mkdtemp(prefix="plenary-bench-"))
    workdir.chmod(0o755)
    with postgres_server(workdir) as pg, nats_server(workdir) as nats:
        database = pg.create_database()
        settings = settings_for(pg.url_for(database), nats.url, log_level="WARNING")
        return asyncio.run(_bench(settings, events, calls))
