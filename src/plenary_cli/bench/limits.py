"""The raw limits the platform's paths ride on, measured in the same run on the same servers: JetStream
publish (pipelined, and each PubAck awaited in turn), core NATS request/reply (sequential and concurrent),
PostgreSQL one-row commits (1 and 8 connections), 100-row ``executemany`` and COPY.

Each probe produces a few figures; the runner asks only for the probes whose figures the selected areas
compare with when ``limits`` itself is not selected."""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable

import nats
import psycopg
from nats.js.api import StorageType, StreamConfig

from . import raw
from .context import Bench, libpq
from .report import Figure
from .stats import callers, percentile

AREA = "limits"
PAYLOAD = b"x" * 512  # about one CloudEvent of the platform
STREAM, SUBJECT = "BENCH_LIMITS", "bench.limits"


async def _jetstream(bench: Bench) -> list[Figure]:
    nc = await nats.connect(bench.nats_url)
    try:
        js = nc.jetstream()
        await js.add_stream(
            StreamConfig(name=STREAM, subjects=[f"{SUBJECT}.>"], storage=StorageType.FILE, duplicate_window=7200)
        )
        count = bench.sizes.js_pipelined
        started = time.perf_counter()
        pending = [
            await js.publish_async(f"{SUBJECT}.p", PAYLOAD, headers={"Nats-Msg-Id": f"p{n}"}) for n in range(count)
        ]
        await asyncio.gather(*pending)
        pipelined = count / (time.perf_counter() - started)
        count = bench.sizes.js_sequential
        started = time.perf_counter()
        for n in range(count):
            await js.publish(f"{SUBJECT}.s", PAYLOAD, headers={"Nats-Msg-Id": f"s{n}"})
        acked_each = count / (time.perf_counter() - started)
        await js.delete_stream(STREAM)
    finally:
        await nc.drain()
    return [
        Figure(AREA, raw.JS_PIPELINED, pipelined, "msg/s"),
        Figure(AREA, raw.JS_ACKED_EACH, acked_each, "msg/s"),
    ]


async def _core(bench: Bench) -> list[Figure]:
    server, client = await nats.connect(bench.nats_url), await nats.connect(bench.nats_url)
    try:

        async def echo(msg) -> None:  # type: ignore[no-untyped-def]
            await msg.respond(msg.data)

        await server.subscribe("bench.echo", cb=echo)
        await server.flush()

        async def one(_: int) -> float:
            started = time.perf_counter()
            await client.request("bench.echo", PAYLOAD, timeout=10)
            return time.perf_counter() - started

        sequential = [await one(n) for n in range(bench.sizes.core_sequential)]
        wall, _ = await callers(200, bench.sizes.core_concurrent, one)
    finally:
        await client.drain()
        await server.drain()
    return [
        Figure(AREA, raw.CORE_P50, percentile(sequential, 0.5) * 1000, "ms"),
        Figure(AREA, raw.CORE_P99, percentile(sequential, 0.99) * 1000, "ms"),
        Figure(AREA, raw.CORE_CONCURRENT, bench.sizes.core_concurrent / wall, "calls/s"),
    ]


ROW = "INSERT INTO bench_rows (id, first_name, last_name, email, n) VALUES (%s, %s, %s, %s, %s)"


def _row(n: int) -> tuple[str, str, str, str, int]:
    return (str(uuid.uuid4()), f"First{n % 3000}", f"Last{n % 20000}", f"person{n}@bench.example", n)


async def _commits(url: str, connections: int, total: int) -> float:
    conns = [await psycopg.AsyncConnection.connect(url) for _ in range(connections)]
    numbers = iter(range(total))

    async def writer(conn: psycopg.AsyncConnection) -> None:
        for n in numbers:
            await conn.execute(ROW, _row(n))
            await conn.commit()

    try:
        started = time.perf_counter()
        await asyncio.gather(*(writer(conn) for conn in conns))
        return total / (time.perf_counter() - started)
    finally:
        for conn in conns:
            await conn.close()


async def _postgres(bench: Bench) -> list[Figure]:
    url = libpq(bench.database_url())
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await conn.execute(
            "CREATE TABLE bench_rows (id uuid PRIMARY KEY, first_name text, last_name text, email text, n int,"
            " created_at timestamptz NOT NULL DEFAULT now())"
        )
    one = await _commits(url, 1, bench.sizes.pg_commits)
    eight = await _commits(url, 8, bench.sizes.pg_commits * 2)
    rows = bench.sizes.pg_rows
    async with await psycopg.AsyncConnection.connect(url) as conn:
        started = time.perf_counter()
        for first in range(0, rows, 100):
            async with conn.cursor() as cursor:
                await cursor.executemany(ROW, [_row(n) for n in range(first, min(first + 100, rows))])
            await conn.commit()
        executemany = rows / (time.perf_counter() - started)
        started = time.perf_counter()
        async with conn.cursor() as cursor:
            async with cursor.copy("COPY bench_rows (id, first_name, last_name, email, n) FROM STDIN") as copy:
                for n in range(rows, 2 * rows):
                    await copy.write_row(_row(n))
        await conn.commit()
        copied = rows / (time.perf_counter() - started)
    return [
        Figure(AREA, raw.PG_COMMITS_1, one, "commits/s"),
        Figure(AREA, raw.PG_COMMITS_8, eight, "commits/s"),
        Figure(AREA, raw.PG_EXECUTEMANY, executemany, "rows/s"),
        Figure(AREA, raw.PG_COPY, copied, "rows/s"),
    ]


PROBES: tuple[tuple[frozenset[str], Callable[[Bench], Awaitable[list[Figure]]]], ...] = (
    (frozenset({raw.JS_PIPELINED, raw.JS_ACKED_EACH}), _jetstream),
    (frozenset({raw.CORE_P50, raw.CORE_P99, raw.CORE_CONCURRENT}), _core),
    (frozenset({raw.PG_COMMITS_1, raw.PG_COMMITS_8, raw.PG_EXECUTEMANY, raw.PG_COPY}), _postgres),
)


def measure_only(bench: Bench, names: Iterable[str]) -> list[Figure]:
    """The probes that produce any of ``names`` (each probe runs whole: its figures come together)."""
    wanted = set(names)
    figures: list[Figure] = []
    for produces, probe in PROBES:
        if produces & wanted:
            figures += asyncio.run(probe(bench))
    return figures


def measure(bench: Bench) -> list[Figure]:
    return measure_only(bench, {name for produces, _ in PROBES for name in produces})
