"""The workflow engine's figures: condition evaluations per second, and engine actions end to end over
the bus (request → validation → row lock → decision → approval + events in the outbox → reply)."""

import asyncio
import itertools
import statistics
import time
from typing import Any

from workflow_svc.bootstrap import SERVICE as WORKFLOW

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.conditions import compile_condition, evaluate
from plenary_contracts.enums import ApprovalAction
from plenary_contracts.flags import FlagKey
from plenary_kit import context as ctx
from plenary_kit import provision
from plenary_kit.bus.connection import connect
from plenary_kit.bus.rpc import call
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.registration import publish_registration

TENANT, EVENT = "bench-tenant", "bench-event"
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


def condition_figures(rounds: int = 200_000) -> list[str]:
    simple, compound = compile_condition(SIMPLE), compile_condition(COMPOUND)
    return [
        f"condition evaluation, simple: {_rate(simple, rounds):,.0f} evaluations/s compiled, "
        f"{_rate(lambda d: evaluate(SIMPLE, d), rounds // 4):,.0f}/s interpreted each time",
        f"condition evaluation, compound (3 levels, 6 leaves): {_rate(compound, rounds):,.0f} evaluations/s compiled, "
        f"{_rate(lambda d: evaluate(COMPOUND, d), rounds // 4):,.0f}/s interpreted each time",
    ]


async def _as_admin(nc: Any, spec: Any, body: dict[str, Any]) -> Any:
    return await call(nc, spec, body, context=ctx.Context(tenant_id=TENANT, actor_id="bench-admin"))


async def _register(nc: Any, count: int) -> list[str]:
    return [await publish_registration(nc, TENANT, EVENT) for _ in range(count)]


async def _wait_entered(nc: Any, ids: list[str]) -> None:
    for pid in ids:
        for _ in range(600):
            try:
                progress = await _as_admin(nc, contract.GET_PROGRESS, {"participantId": pid})
                if progress.current_step_id is not None:
                    break
            except Exception:
                pass
            await asyncio.sleep(0.05)


async def engine_figures(settings: Settings, actions: int, concurrency: int = 16) -> list[str]:
    provision.migrate(settings, [WORKFLOW])
    await provision.apply_streams(settings)
    runtime = Runtime(WORKFLOW, settings)
    await runtime.start()
    nc = await connect(settings.nats_url, "bench-workflow")
    try:
        await put_flag(nc, FlagKey.BULK_OPERATIONS, enabled=True)
        workflow = await _as_admin(nc, contract.CREATE_WORKFLOW, {"eventId": EVENT, "name": "bench"})
        steps = [
            await _as_admin(
                nc,
                contract.CREATE_STEP,
                {"workflowId": workflow.id, "name": f"step {n}", "order": n, "isEntryPoint": n == 0},
            )
            for n in range(4)
        ]
        for here, there in itertools.pairwise(steps):
            await _as_admin(
                nc, contract.UPDATE_STEP, {"workflowId": workflow.id, "stepId": here.id, "nextStepId": there.id}
            )
        await _as_admin(
            nc, contract.UPDATE_STEP, {"workflowId": workflow.id, "stepId": steps[-1].id, "isTerminal": True}
        )
        await _as_admin(nc, contract.PUBLISH_WORKFLOW, {"id": workflow.id})

        people = max(actions // 3, concurrency) + 100
        ids = await _register(nc, people)
        await _wait_entered(nc, ids)
        approve = contract.TAKE_ACTION[ApprovalAction.APPROVE]

        sequential: list[float] = []
        for pid in ids[: min(100, len(ids))]:
            t0 = time.perf_counter()
            await _as_admin(nc, approve, {"participantId": pid})
            sequential.append(time.perf_counter() - t0)

        timings: list[float] = []
        queue = iter([pid for _ in range(3) for pid in ids][len(sequential) : len(sequential) + actions])

        async def worker() -> None:
            for pid in queue:
                t0 = time.perf_counter()
                await _as_admin(nc, approve, {"participantId": pid})
                timings.append(time.perf_counter() - t0)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        ordered = sorted(timings)
        lines = [
            f"engine APPROVE over the bus, one caller: p50 {statistics.median(sequential) * 1000:.1f} ms "
            f"({len(sequential) / sum(sequential):,.0f} actions/s)",
            f"engine APPROVE over the bus ({concurrency} concurrent callers, {len(timings)} actions on {people} "
            f"participants): {len(timings) / elapsed:,.0f} actions/s, p50 {statistics.median(timings) * 1000:.1f} ms, "
            f"p99 {ordered[int(0.99 * (len(ordered) - 1))] * 1000:.1f} ms",
        ]

        batch_ids = await _register(nc, 100)
        await _wait_entered(nc, batch_ids)
        t0 = time.perf_counter()
        operation = await _as_admin(
            nc, contract.EXECUTE_BATCH_ACTION, {"eventId": EVENT, "action": "APPROVE", "participantIds": batch_ids}
        )
        lines.append(
            f"batch APPROVE of 100 participants through the engine (chunks of 20): {time.perf_counter() - t0:.2f} s, "
            f"{operation.success_count} succeeded"
        )
        return lines
    finally:
        await nc.drain()
        await runtime.stop()
