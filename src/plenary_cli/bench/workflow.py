"""The workflow engine, running as its own process (events beside it, which it asks about events): APPROVE
over the bus (request → validation → row lock → decision → approval and events in the outbox → reply) from
one caller and from 16, a batch APPROVE, and the condition language's evaluations per second in-process."""

import asyncio
import os
import time
from collections.abc import Iterator
from typing import Any

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.conditions import compile_condition, evaluate
from plenary_contracts.enums import ApprovalAction
from plenary_contracts.flags import FlagKey
from plenary_kit.bus.connection import connect
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.registration import publish_registration

from . import raw
from .context import Bench
from .driving import as_admin, create_event, publish_workflow, wait_entered
from .proc import cpu_seconds
from .report import Figure, at_least, below
from .services import peak_memory_mib, pids, processes
from .stats import callers, percentile

AREA = "workflow"
TENANT, CALLERS = "bench-tenant", 16
SIMPLE = {"type": "simple", "field": "nationality", "operator": "eq", "value": "ke"}
COMPOUND = {
    "type": "compound",
    "operator": "and",
    "conditions": [
        SIMPLE,
        {
            "type": "compound",
            "operator": "or",
            "conditions": [
                {"type": "simple", "field": "age", "operator": "gte", "value": 18},
                {"type": "simple", "field": "organization", "operator": "contains", "value": "union"},
                {"type": "simple", "field": "role", "operator": "in", "value": ["delegate", "observer"]},
            ],
        },
        {"type": "simple", "field": "email", "operator": "notEmpty"},
    ],
}
DATA = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada@example.org",
    "nationality": "KE",
    "organization": "African Union",
    "age": "34",
    "role": "delegate",
}


def _rate(fn: Any, rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        fn(DATA)
    return rounds / (time.perf_counter() - started)


def condition_figures(rounds: int) -> list[Figure]:
    simple, compound = compile_condition(SIMPLE), compile_condition(COMPOUND)
    return [
        Figure(AREA, "workflow.condition_simple_per_s", _rate(simple, rounds), "evaluations/s"),
        Figure(AREA, "workflow.condition_compound_per_s", _rate(compound, rounds), "evaluations/s"),
        Figure(
            AREA,
            "workflow.condition_compound_interpreted_per_s",
            _rate(lambda d: evaluate(COMPOUND, d), rounds // 4),
            "evaluations/s",
        ),
    ]


async def _settled_cpu(process: list[int], quiet: float = 0.01, step: float = 0.2, limit: float = 10) -> float:
    """The CPU seconds of ``process`` once it has gone quiet (its relay and consumers done with what an action
    left behind): sampled every ``step`` until one step used under ``quiet`` of a second."""
    last, deadline = cpu_seconds(process), time.monotonic() + limit
    while time.monotonic() < deadline:
        await asyncio.sleep(step)
        now = cpu_seconds(process)
        if now - last < quiet:
            return now
        last = now
    return last


async def _drive(bench: Bench, engine: list[int]) -> list[Figure]:
    me = [os.getpid()]
    nc = await connect(bench.nats_url, "bench-workflow")
    try:
        await put_flag(nc, FlagKey.BULK_OPERATIONS, enabled=True)
        event, kind = await create_event(nc, TENANT)
        await publish_workflow(nc, TENANT, event)
        sequential_count, actions = bench.sizes.workflow_sequential, bench.sizes.workflow_actions
        # each participant can be approved three times (four steps); the one caller takes the first ones
        people = -(-(sequential_count + actions) // 3) + CALLERS
        ids = [await publish_registration(nc, TENANT, event, participantTypeId=kind) for _ in range(people)]
        await wait_entered(nc, TENANT, ids)
        approve = contract.TAKE_ACTION[ApprovalAction.APPROVE]
        queue = [pid for _ in range(3) for pid in ids]

        async def one(n: int) -> float:
            started = time.perf_counter()
            await as_admin(nc, approve, {"participantId": queue[n]}, TENANT)
            return time.perf_counter() - started

        engine_cpu, client_cpu = await _settled_cpu(engine), cpu_seconds(me)
        sequential = [await one(n) for n in range(sequential_count)]

        async def next_one(n: int) -> float:
            return await one(sequential_count + n)

        wall, timings = await callers(CALLERS, actions, next_one)
        # what the actions cost the engine's process, its relay and its consumers of their events included
        engine_cpu, client_cpu = await _settled_cpu(engine) - engine_cpu, cpu_seconds(me) - client_cpu
        cpu_per_action = 1000 / (sequential_count + actions)
        batch_ids = [await publish_registration(nc, TENANT, event, participantTypeId=kind) for _ in range(100)]
        await wait_entered(nc, TENANT, batch_ids)
        started = time.perf_counter()
        operation = await as_admin(
            nc,
            contract.EXECUTE_BATCH_ACTION,
            {"eventId": event, "action": "APPROVE", "participantIds": batch_ids},
            TENANT,
        )
        batch_s = time.perf_counter() - started
    finally:
        await nc.drain()
    return [
        Figure(AREA, "workflow.p50_ms", percentile(sequential, 0.5) * 1000, "ms", below(5), raw.CORE_P50),
        Figure(AREA, "workflow.actions_per_s", actions / wall, "actions/s", at_least(300), raw.PG_COMMITS_8),
        Figure(AREA, "workflow.p99_ms_16", percentile(timings, 0.99) * 1000, "ms"),
        Figure(AREA, "workflow.cpu_ms_per_action", engine_cpu * cpu_per_action, "ms"),
        Figure(AREA, "workflow.client_cpu_ms_per_action", client_cpu * cpu_per_action, "ms"),
        Figure(AREA, "workflow.batch_approve_100_s", batch_s, "s"),
        Figure(AREA, "workflow.batch_approve_100_succeeded", operation.success_count, "participants", at_least(100)),
    ]


def measure(bench: Bench) -> Iterator[Figure]:
    yield from condition_figures(bench.sizes.condition_rounds)
    with processes(bench, ("events", "workflow")) as api:
        yield from asyncio.run(_drive(bench, pids(api, ["workflow"])))
        yield Figure(AREA, "workflow.peak_rss_mib", peak_memory_mib(api, "workflow"), "MiB")
