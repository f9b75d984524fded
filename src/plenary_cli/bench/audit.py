"""The auditor's log, the audit service as its own process, fed the way the producers' relays publish.

``audit_tenants`` tenants' events (``audit_events_per_tenant`` each, alternately on registration's and workflow's
streams, their times spread over one day) are published as fast as JetStream takes them while the index
follows them. Then:

- ``index_events_per_s``: the events published over the time from the first publish until the index's
  durables have nothing pending (publishing and indexing overlap; the index cannot run ahead of the publish);
- ``tenant_day_ms``: one tenant's whole day read through ``list_events`` over the bus, every page of 500 (the
  index selects the tenant's (stream, sequence) pairs, each page's events are read from JetStream at once),
  the median of ``DAY_READS`` reads. The issue sets no goal: this is the measured cost of the index decision.
"""

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import cycle

from nats.aio.client import Client

from plenary_contracts.catalog import audit as contract
from plenary_contracts.catalog import registration, workflow
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import consumers_of
from plenary_kit.bus.connection import connect
from plenary_kit.testing.producing import publish_event

from .context import Bench
from .driving import as_admin, until
from .report import Figure
from .services import processes
from .stats import percentile

AREA = "audit"
SERVICES = ("audit",)
PUBLISHERS = 128
DAY_READS = 5
DAY = datetime(2026, 1, 15, tzinfo=UTC)


def measure(bench: Bench) -> Iterator[Figure]:
    with processes(bench, SERVICES) as _api:
        yield from asyncio.run(_run(bench))


async def _run(bench: Bench) -> list[Figure]:
    nc = await connect(bench.nats_url, "bench-audit")
    try:
        tenants = [f"bench-audit-{n:03d}" for n in range(bench.sizes.audit_tenants)]
        per_tenant = bench.sizes.audit_events_per_tenant
        started = time.perf_counter()
        await _publish(nc, tenants, per_tenant)
        await until(lambda: _caught_up(nc), timeout=1800, poll=0.2)
        total = len(tenants) * per_tenant
        indexed = Figure(AREA, "audit.index_events_per_s", total / (time.perf_counter() - started), "events/s")
        return [indexed, await _tenant_day(nc, tenants[len(tenants) // 2], per_tenant)]
    finally:
        await nc.drain()


async def _publish(nc: Client, tenants: list[str], per_tenant: int) -> None:
    step = timedelta(days=1) / per_tenant
    specs = cycle((registration.PARTICIPANT_REGISTERED, workflow.PARTICIPANT_APPROVED))
    plan = iter([(tenant, n) for n in range(per_tenant) for tenant in tenants])  # the tenants interleaved

    async def publisher() -> None:
        for tenant, n in plan:
            spec = next(specs)
            data = {"participant": {"id": f"{tenant}-p{n}", "n": n}}
            event = CloudEvent(
                source=spec.source,
                type=spec.type,
                dataschema=spec.dataschema,
                tenantid=tenant,
                actorid="bench-admin",
                time=DAY + n * step,
                data=data,
            )
            await publish_event(nc, spec, event)

    await asyncio.gather(*(publisher() for _ in range(PUBLISHERS)))


async def _caught_up(nc: Client) -> bool:
    js = nc.jetstream()
    for spec in consumers_of("audit"):
        if spec.stream in ("EVT_REGISTRATION", "EVT_WORKFLOW") and spec.durable.startswith("audit_index_"):
            info = await js.consumer_info(spec.stream, spec.durable)
            if info.num_pending or info.num_ack_pending:
                return False
    return True


async def _tenant_day(nc: Client, tenant: str, expected: int) -> Figure:
    times = []
    for _ in range(DAY_READS):
        started = time.perf_counter()
        read, after = 0, None
        while True:
            body = {"from": DAY.isoformat(), "to": (DAY + timedelta(days=1)).isoformat(), "limit": contract.MAX_PAGE}
            page = await as_admin(nc, contract.LIST_EVENTS, body | ({"after": after} if after else {}), tenant)
            read += len(page.data)
            after = page.next_cursor
            if after is None:
                break
        times.append((time.perf_counter() - started) * 1000)
        if read != expected:
            raise RuntimeError(f"read {read} events of the tenant's day, expected {expected}")
    return Figure(AREA, "audit.tenant_day_ms", percentile(times, 50), "ms")
