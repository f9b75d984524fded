"""Analytics, the service as its own process, fed the way the owners' relays publish (registrations on
registration's stream, actions on workflow's).

- ``lag_p99_ms``: registrations and approvals published at a paced 1,000 events/s; each registration's
  time from its publish to the first poll of the event's summary (over the bus, every 20 ms) that counts it;
- ``dashboard_p95_ms``: the dashboard metrics of an event of ``analytics_participants`` participants, asked
  200 times one after another over the bus (the gateway's own cost is the gateway area's);
- ``replay_events_per_s``: a rebuild by replay of everything published, from the start of the operation to
  its swap, as its operation reports it.
"""

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from nats.aio.client import Client

from plenary_contracts.catalog import analytics as contract
from plenary_contracts.catalog import events, registration, workflow
from plenary_contracts.flags import FlagKey
from plenary_contracts.streams import consumers_of
from plenary_kit.bus.connection import connect
from plenary_kit.ids import new_id
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.producing import produced, publish_event, publish_produced
from plenary_kit.testing.registration import registered_event

from .context import Bench
from .driving import as_admin, until
from .report import Figure, at_least, below
from .services import processes
from .stats import percentile

AREA = "analytics"
SERVICES = ("analytics",)
TENANT = "bench-analytics"
PUBLISHERS = 128
PACE_EVERY = 0.01  # ten events per tick: 1,000 events/s
POLL_SECONDS = 0.02
DASHBOARD_CALLS = 200


def measure(bench: Bench) -> Iterator[Figure]:
    with processes(bench, SERVICES) as _api:
        yield from asyncio.run(_run(bench))


async def _run(bench: Bench) -> list[Figure]:
    nc = await connect(bench.nats_url, "bench-analytics")
    try:
        await put_flag(nc, FlagKey.ANALYTICS_DASHBOARD, tenants=(TENANT,))
        event_id = await _event(nc)
        figures = [await _lag(nc, event_id, bench.sizes.analytics_paced_seconds)]
        loaded = await _load(nc, bench.sizes.analytics_participants)
        figures.append(await _dashboard(nc, loaded))
        figures.append(await _replay(nc))
        return figures
    finally:
        await nc.drain()


async def _event(nc: Client, name: str = "Bench summit") -> str:
    now = datetime.now(UTC).isoformat()
    event_id = new_id()
    record = {"id": event_id, "tenantId": TENANT, "name": name, "description": "", "status": "PUBLISHED"}
    record |= {"startDate": now, "endDate": now, "timezone": "UTC", "createdAt": now, "updatedAt": now}
    await publish_produced(nc, events.EVENT_CREATED, {"event": record}, tenant=TENANT)
    await until(lambda: _summary(nc, event_id), timeout=60)
    return event_id


async def _summary(nc: Client, event_id: str) -> Any:
    return await as_admin(nc, contract.GET_SUMMARY, {"eventId": event_id}, TENANT)


def _approval(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "participantId": record["id"], "participantName": "Ada", "registrationCode": record["registrationCode"],
        "eventId": record["eventId"], "workflowId": "wf", "workflowVersionId": "wfv", "action": "APPROVE",
        "stepId": "review", "stepName": "Review", "previousStepId": "review", "nextStepId": None, "isComplete": True,
        "previousStatus": "PENDING", "status": "APPROVED", "approvalId": new_id(), "version": 2,
    }  # fmt: skip


async def _lag(nc: Client, event_id: str, seconds: int) -> Figure:
    """Half registrations, half approvals of the registered (each approval is two events, as workflow sends
    them), ten events per 10 ms tick; the summary polled meanwhile."""
    published: list[float] = []
    seen: list[tuple[float, int]] = []
    done = asyncio.Event()

    async def poll() -> None:
        while not done.is_set() or (seen and seen[-1][1] < len(published)):
            total = (await _summary(nc, event_id)).total
            seen.append((time.monotonic(), total))
            await asyncio.sleep(POLL_SECONDS)

    poller = asyncio.create_task(poll())
    start = time.monotonic()
    pending: list[dict[str, Any]] = []
    for tick in range(seconds * 100):
        await asyncio.sleep(max(0.0, start + tick * PACE_EVERY - time.monotonic()))
        sends = []
        for _ in range(5):
            event = registered_event(TENANT, event_id)
            pending.append(event.data["participant"])
            sends.append(publish_event(nc, registration.PARTICIPANT_REGISTERED, event))
        if len(pending) > 50:
            payload = _approval(pending.pop(0))
            for spec in (workflow.PARTICIPANT_APPROVED, workflow.PARTICIPANT_STATUS_CHANGED):
                sends.append(publish_event(nc, spec, produced(spec, payload, tenant=TENANT)))
        await asyncio.gather(*sends)
        published.extend([time.monotonic()] * 5)
    done.set()
    await asyncio.wait_for(poller, timeout=120)
    lags, at = [], 0
    for i, sent in enumerate(published):
        while seen[at][1] <= i:
            at += 1
        lags.append(max(seen[at][0] - sent, 0.0) * 1000)
    return Figure(AREA, "analytics.lag_p99_ms", percentile(lags, 99), "ms", below(500))


async def _load(nc: Client, count: int) -> str:
    """An event of ``count`` participants, published as fast as JetStream takes them; until all are counted."""
    event_id = await _event(nc, "Bench expo")
    numbers = iter(range(count))

    async def publisher() -> None:
        for _ in numbers:
            await publish_event(nc, registration.PARTICIPANT_REGISTERED, registered_event(TENANT, event_id))

    await asyncio.gather(*(publisher() for _ in range(min(PUBLISHERS, count))))

    async def counted() -> bool:
        return bool((await _summary(nc, event_id)).total >= count)

    await until(counted, timeout=600, poll=0.5)
    return event_id


async def _dashboard(nc: Client, event_id: str) -> Figure:
    times = []
    for _ in range(DASHBOARD_CALLS):
        started = time.perf_counter()
        await as_admin(nc, contract.GET_DASHBOARD, {"eventId": event_id}, TENANT)
        times.append((time.perf_counter() - started) * 1000)
    return Figure(AREA, "analytics.dashboard_p95_ms", percentile(times, 95), "ms", below(50))


async def _replay(nc: Client) -> Figure:
    js = nc.jetstream()
    streams = {spec.stream for spec in consumers_of("analytics")}
    total = sum([(await js.stream_info(stream)).state.messages for stream in streams])
    op = await as_admin(nc, contract.START_REBUILD, {}, None)  # type: ignore[arg-type]

    async def ended() -> Any:
        found = await as_admin(nc, contract.GET_REBUILD, {"id": op.id}, None)  # type: ignore[arg-type]
        return found if found.status != "running" else None

    done = await until(ended, timeout=900, poll=0.2)
    if done.status != "succeeded":
        raise RuntimeError(f"the rebuild failed: {done.error}")
    seconds = (done.finished_at - done.started_at).total_seconds()
    assert done.events_replayed >= total * 0.99, (done.events_replayed, total)
    return Figure(AREA, "analytics.replay_events_per_s", done.events_replayed / seconds, "events/s", at_least(20_000))
