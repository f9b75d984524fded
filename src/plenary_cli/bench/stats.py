"""Percentiles and timing helpers shared by the areas."""

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0 < q <= 1); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, int(-(-q * len(ordered) // 1)))  # ceil(q * n)
    return ordered[min(rank, len(ordered)) - 1]


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


async def callers(count: int, jobs: int, one: Callable[[int], Awaitable[float]]) -> tuple[float, list[float]]:
    """``count`` concurrent callers sharing ``jobs`` calls of ``one(n)`` (which returns its own duration):
    the wall time and every call's duration."""
    import asyncio

    numbers = iter(range(jobs))
    durations: list[float] = []

    async def caller() -> None:
        for n in numbers:
            durations.append(await one(n))

    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(count)))
    return time.perf_counter() - started, durations
