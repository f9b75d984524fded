"""Driving the services over the bus as an administrator: events created through the events service,
published workflows, waiting for participants to enter them."""

import asyncio
import itertools
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from nats.aio.client import Client

from plenary_contracts.catalog import events
from plenary_contracts.catalog import workflow as contract
from plenary_kit import context as ctx
from plenary_kit.bus.rpc import call


async def as_admin(nc: Client, spec: Any, body: dict[str, Any], tenant: str, timeout: float = 0) -> Any:
    context = ctx.Context(tenant_id=tenant, actor_id="bench-admin")
    return await call(nc, spec, body, context=context, timeout=timeout or spec.timeout_seconds)


async def until(check: Any, timeout: float, poll: float = 0.2) -> Any:
    """Poll ``check()`` until it returns something truthy (a failing check counts as not yet)."""
    deadline = time.monotonic() + timeout
    failure: Exception | None = None
    while True:
        try:
            value = await check()
        except Exception as error:  # a read model may not hold the event yet
            value, failure = None, error
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"the bench's setup did not converge in {timeout:.0f} s") from failure
        await asyncio.sleep(poll)


async def create_event(nc: Client, tenant: str) -> tuple[str, str]:
    """A published event with one participant type, through the events service; their ids."""
    now = datetime.now(UTC)
    body = {
        "name": f"Bench congress {uuid.uuid4().hex[:8]}",
        "startDate": (now + timedelta(days=30)).isoformat(),
        "endDate": (now + timedelta(days=33)).isoformat(),
        "status": "PUBLISHED",
    }
    event = await until(lambda: as_admin(nc, events.CREATE_EVENT, body, tenant), 60)
    kind = {"eventId": event.id, "name": "Delegate", "code": "DELEGATE"}
    made = await as_admin(nc, events.CREATE_PARTICIPANT_TYPE, kind, tenant)
    return event.id, made.id


async def publish_workflow(nc: Client, tenant: str, event_id: str, steps: int = 4) -> None:
    """A published workflow of ``steps`` steps in a chain for ``event_id``."""
    workflow = await as_admin(nc, contract.CREATE_WORKFLOW, {"eventId": event_id, "name": "bench"}, tenant)
    made = [
        await as_admin(
            nc,
            contract.CREATE_STEP,
            {"workflowId": workflow.id, "name": f"step {n}", "order": n, "isEntryPoint": n == 0},
            tenant,
        )
        for n in range(steps)
    ]
    for here, there in itertools.pairwise(made):
        body = {"workflowId": workflow.id, "stepId": here.id, "nextStepId": there.id}
        await as_admin(nc, contract.UPDATE_STEP, body, tenant)
    body = {"workflowId": workflow.id, "stepId": made[-1].id, "isTerminal": True}
    await as_admin(nc, contract.UPDATE_STEP, body, tenant)
    await as_admin(nc, contract.PUBLISH_WORKFLOW, {"id": workflow.id}, tenant)


async def has_entered(nc: Client, tenant: str, participant_id: str) -> bool:
    try:
        progress = await as_admin(nc, contract.GET_PROGRESS, {"participantId": participant_id}, tenant)
    except Exception:  # not there yet
        return False
    return progress.current_step_id is not None


async def wait_entered(nc: Client, tenant: str, participant_ids: list[str], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    for pid in participant_ids:
        while not await has_entered(nc, tenant, pid):
            if time.monotonic() > deadline:
                raise TimeoutError(f"participant {pid} did not enter its workflow in {timeout:.0f} s")
            await asyncio.sleep(0.05)
