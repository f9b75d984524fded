"""Request/reply with a database read (identity's feature-flag evaluation), identity running as its own
process: sequential latency, throughput with 200 callers, and 1,000 callers at once all answered."""

import asyncio
import time
from collections.abc import Iterator

from plenary_contracts.catalog import identity as contract
from plenary_kit.bus.connection import connect
from plenary_kit.bus.rpc import call

from . import raw
from .context import Bench
from .report import Figure, at_least, below
from .services import peak_memory_mib, processes
from .stats import callers, percentile

AREA = "rpc"
REQUEST = contract.EvaluateFeatureFlag(key="FF_WAITLIST")


async def _drive(bench: Bench) -> list[Figure]:
    nc = await connect(bench.nats_url, "bench-rpc")
    try:

        async def one(_: int) -> float:
            started = time.perf_counter()
            await call(nc, contract.EVALUATE_FEATURE_FLAG, REQUEST)
            return time.perf_counter() - started

        for n in range(50):  # warm-up: connections, caches
            await one(n)
        sequential = [await one(n) for n in range(bench.sizes.rpc_sequential)]
        wall, _ = await callers(200, bench.sizes.rpc_calls_200, one)
        burst = bench.sizes.rpc_burst
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(one(n) for n in range(burst)), return_exceptions=True)
        burst_wall = time.perf_counter() - started
    finally:
        await nc.drain()
    answered = sum(1 for outcome in outcomes if not isinstance(outcome, BaseException))
    return [
        Figure(AREA, "rpc.p50_ms", percentile(sequential, 0.5) * 1000, "ms", below(1), raw.CORE_P50),
        Figure(AREA, "rpc.p99_ms", percentile(sequential, 0.99) * 1000, "ms", None, raw.CORE_P99),
        Figure(
            AREA,
            "rpc.calls_per_s_200",
            bench.sizes.rpc_calls_200 / wall,
            "calls/s",
            at_least(2000),
            raw.CORE_CONCURRENT,
        ),
        Figure(AREA, "rpc.answered_1000", answered, "calls", at_least(burst)),
        Figure(AREA, "rpc.seconds_1000", burst_wall, "s"),
    ]


def measure(bench: Bench) -> Iterator[Figure]:
    with processes(bench, ("identity",)) as api:
        yield from asyncio.run(_drive(bench))
        yield Figure(AREA, "rpc.identity_peak_rss_mib", peak_memory_mib(api, "identity"), "MiB")
