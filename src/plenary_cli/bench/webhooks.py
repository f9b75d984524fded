"""Webhooks, the service as its own process, delivering to a receiver of the bench's own (uvicorn on 127.0.0.1,
another process, answering 200 at once). Events go into JetStream as registration's outbox relay publishes
them; every delivery is signed and goes through the service's pooled outbound client.

- ``deliveries_per_s``: 10,000 events to one subscription as fast as they come, first publish to last 2xx,
  with the service's CPU per delivery;
- ``delivery_p99_ms``: event time to the receiver's 2xx at a paced 1,000 events/s;
- head of line: 1,000 events to ten subscriptions, all answering, then again with one of the ten hanging (each
  of its requests held until the attempt's 10 s timeout): the nine's rate, and what share of a subscription's
  rate with ten healthy ones each of the nine keeps;
- ``replay_events_per_s``: 100,000 events stored in the log before the subscription existed, replayed to it:
  replay started to the last one's 2xx (and to the replay's end, when all are read and queued).
"""

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from nats.aio.client import Client

from plenary_contracts.catalog import registration
from plenary_contracts.catalog import webhooks as contract
from plenary_contracts.catalog.webhooks import ReplayStatus
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.flags import FlagKey
from plenary_contracts.streams import consumer
from plenary_kit.bus.connection import connect
from plenary_kit.testing.api import Api
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.producing import publish_event
from plenary_kit.testing.receiver import read_body
from plenary_kit.testing.registration import registered_event
from plenary_kit.testing.servers import free_port_range

from .context import Bench
from .driving import as_admin, until
from .peers import peer_process
from .proc import cpu_seconds
from .report import Figure, at_least, at_most, below
from .services import peak_memory_mib, pids, processes
from .stats import percentile

AREA = "webhooks"
SERVICES = ("webhooks",)
ENV = {"PLENARY_WEBHOOK_ALLOWED_NETWORKS": '["127.0.0.0/8"]', "PLENARY_WEBHOOK_ALLOW_HTTP": "true"}
EVENT_ID = "bench-event"
PUBLISHERS = 128  # publishes awaiting their PubAck at once
PACE_EVERY, PACED_RATE = 0.01, 1000
SUBSCRIPTIONS = 10  # the head-of-line phase: one of them hangs
HANGING = "hanging"
HANG_SECONDS = 15.0  # longer than the subscription's 10 s attempt timeout
WARM_UP = 200
DISPATCH = consumer("webhooks_dispatch_registration")


# --- the receiver (its own process) ----------------------------------------------------------------------


@dataclass
class _Received:
    ids: set[str] = field(default_factory=set)
    requests: int = 0
    first: float = 0.0
    last: float = 0.0
    lags_ms: list[float] = field(default_factory=list)  # event time to this answer


class Receiver:
    """An ASGI app: ``POST /hooks/<label>`` answers 200 at once (``hanging``: after ``HANG_SECONDS``) and counts
    by label; ``GET /stats`` the counts, ``GET /lags/<label>`` every delivery's event-to-answer time."""

    def __init__(self) -> None:
        self.labels: dict[str, _Received] = defaultdict(_Received)

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        label = scope["path"].rpartition("/")[2]
        if scope["method"] == "GET":
            await self._answer(send, json.dumps(self._report(scope["path"], label)).encode())
            return
        body = await read_body(receive)
        if label == HANGING:
            await asyncio.sleep(HANG_SECONDS)
        now = time.time()
        got = self.labels[label]
        got.requests += 1
        got.first = got.first or now
        got.last = now
        got.ids.add(dict(scope["headers"]).get(b"webhook-id", b"").decode())
        got.lags_ms.append((now - datetime.fromisoformat(json.loads(body)["timestamp"]).timestamp()) * 1000)
        await self._answer(send, b"ok")

    def _report(self, path: str, label: str) -> Any:
        if path.startswith("/lags/"):
            return self.labels[label].lags_ms
        return {name: [len(got.ids), got.requests, got.first, got.last] for name, got in self.labels.items()}

    @staticmethod
    async def _answer(send: Callable, body: bytes) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def serve_receiver(port: int) -> None:
    import uvicorn

    uvicorn.run(Receiver(), host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")


@dataclass(frozen=True)
class Counts:
    unique: int
    requests: int
    first: float
    last: float


class Hooks:
    """The driver's side of the receiver."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.http = httpx.AsyncClient(base_url=self.base, timeout=10)

    def url(self, label: str) -> str:
        return f"{self.base}/hooks/{label}"

    async def counts(self) -> dict[str, Counts]:
        return {name: Counts(*values) for name, values in (await self.http.get("/stats")).json().items()}

    async def lags_ms(self, label: str) -> list[float]:
        return list((await self.http.get(f"/lags/{label}")).json())

    async def wait(self, labels: Iterable[str], count: int, timeout: float) -> float:
        """Until every label has ``count`` distinct deliveries; the time of the last one."""
        wanted = list(labels)
        deadline = time.monotonic() + timeout
        while True:
            counts = await self.counts()
            if all(name in counts and counts[name].unique >= count for name in wanted):
                return max(counts[name].last for name in wanted)
            if time.monotonic() > deadline:
                got = {name: counts[name].unique if name in counts else 0 for name in wanted}
                raise TimeoutError(f"deliveries did not arrive in {timeout:.0f} s: {got} of {count} each")
            await asyncio.sleep(0.05)


@contextmanager
def receiver(bench: Bench) -> Iterator[int]:
    """The receiver in a process of its own; its port."""
    port = free_port_range(1)
    code = f"from plenary_cli.bench.webhooks import serve_receiver; serve_receiver({port})"
    with peer_process(bench, "webhook-receiver", code, f"http://127.0.0.1:{port}/stats"):
        yield port


# --- the driver --------------------------------------------------------------------------------------------


@dataclass
class Driver:
    nc: Client
    hooks: Hooks

    async def subscribe(self, tenant: str, label: str) -> str:
        body = {"url": self.hooks.url(label), "events": ["participant.registered"], "description": label}
        # again while the service has not yet seen the tenant's flag
        created = await until(lambda: as_admin(self.nc, contract.CREATE_SUBSCRIPTION, body, tenant), 30)
        return str(created.subscription.id)

    async def publish(self, tenant: str, count: int) -> None:
        """``count`` registrations in ``tenant``, as registration's relay publishes them: many PubAcks awaited
        at once."""
        events = iter(range(count))

        async def publisher() -> None:
            for _ in events:
                await self.publish_one(registered_event(tenant, EVENT_ID))

        await asyncio.gather(*(publisher() for _ in range(min(PUBLISHERS, count))))

    async def publish_one(self, event: CloudEvent) -> None:
        await publish_event(self.nc, registration.PARTICIPANT_REGISTERED, event)

    async def paced(self, tenant: str, seconds: int) -> tuple[int, float]:
        """``PACED_RATE`` events a second for ``seconds``, in ticks of ``PACE_EVERY``; how many and the rate
        really published (a tick's publishes do not hold the next tick up)."""
        per_tick, ticks = round(PACED_RATE * PACE_EVERY), round(seconds / PACE_EVERY)
        pending: set[asyncio.Task[Any]] = set()
        started = time.perf_counter()
        for n in range(ticks):
            await asyncio.sleep(max(0.0, started + n * PACE_EVERY - time.perf_counter()))
            tick = [self.publish_one(registered_event(tenant, EVENT_ID)) for _ in range(per_tick)]
            task = asyncio.ensure_future(asyncio.gather(*tick))
            pending.add(task)
            task.add_done_callback(pending.discard)
        await asyncio.gather(*pending)
        return ticks * per_tick, ticks * per_tick / (time.perf_counter() - started)

    async def drained(self, timeout: float) -> None:
        """Until the dispatch consumer has handled everything published so far."""

        async def idle() -> bool:
            info = await self.nc.jetstream().consumer_info(DISPATCH.stream, DISPATCH.durable)
            return info.num_pending == 0 and info.num_ack_pending == 0

        await until(idle, timeout, poll=0.1)


def _seconds_for(count: int) -> float:
    """How long ``count`` deliveries may take before the bench gives up: at 50 a second, and two minutes more."""
    return 120 + count / 50


async def _fan_out(driver: Driver, tenant: str, labels: list[str], answering: list[str], count: int) -> float:
    """Deliveries a second to the ``answering`` subscriptions of ``labels`` (all of one tenant)."""
    for label in labels:
        await driver.subscribe(tenant, label)
    started = time.time()
    await driver.publish(tenant, count)
    last = await driver.hooks.wait(answering, count, _seconds_for(count * len(answering)))
    return count * len(answering) / (last - started)


async def _warm_up(driver: Driver, bench: Bench, api: Api) -> list[Figure]:
    """Every phase's tenant gets FF_WEBHOOKS; the first deliveries open the pools and connections."""
    await put_flag(driver.nc, FlagKey.WEBHOOKS, tenants=TENANTS)
    await driver.subscribe("bench-warm", "warm")
    await driver.publish("bench-warm", WARM_UP)
    await driver.hooks.wait(["warm"], WARM_UP, _seconds_for(WARM_UP))
    return []


async def _burst(driver: Driver, bench: Bench, api: Api) -> list[Figure]:
    """As fast as they come, one subscription."""
    count = bench.sizes.webhook_events
    await driver.subscribe("bench-burst", "burst")
    servers = pids(api, list(SERVICES))
    before, started = cpu_seconds(servers), time.time()
    await driver.publish("bench-burst", count)
    last = await driver.hooks.wait(["burst"], count, _seconds_for(count))
    cpu_ms = (cpu_seconds(servers) - before) * 1000 / count
    return [
        Figure(AREA, "webhooks.deliveries_per_s", count / (last - started), "deliveries/s", at_least(1000)),
        Figure(AREA, "webhooks.cpu_ms_per_delivery", cpu_ms, "ms"),
    ]


async def _paced(driver: Driver, bench: Bench, api: Api) -> list[Figure]:
    """Event to 2xx at a steady rate."""
    await driver.subscribe("bench-paced", "paced")
    sent, rate = await driver.paced("bench-paced", bench.sizes.webhook_paced_seconds)
    await driver.hooks.wait(["paced"], sent, _seconds_for(sent))
    lags = await driver.hooks.lags_ms("paced")
    return [
        Figure(AREA, "webhooks.delivery_p99_ms", percentile(lags, 0.99), "ms", below(1000)),
        Figure(AREA, "webhooks.delivery_p50_ms", percentile(lags, 0.5), "ms"),
        Figure(AREA, "webhooks.paced_events_per_s", rate, "events/s", at_least(PACED_RATE * 0.95)),
    ]


async def _head_of_line(driver: Driver, bench: Bench, api: Api) -> list[Figure]:
    """Ten subscriptions answering, then one of ten hanging."""
    count = bench.sizes.webhook_fanout_events
    healthy = [f"all{n}" for n in range(SUBSCRIPTIONS)]
    all_rate = await _fan_out(driver, "bench-fan-out", healthy, healthy, count)
    nine = [f"nine{n}" for n in range(SUBSCRIPTIONS - 1)]
    nine_rate = await _fan_out(driver, "bench-head-of-line", [HANGING, *nine], nine, count)
    kept = (nine_rate / len(nine)) / (all_rate / len(healthy))
    return [
        Figure(AREA, "webhooks.fan_out_deliveries_per_s", all_rate, "deliveries/s"),
        Figure(AREA, "webhooks.hol_nine_deliveries_per_s", nine_rate, "deliveries/s"),
        Figure(AREA, "webhooks.hol_rate_kept", kept, "of the rate", at_least(0.9)),
    ]


async def _replay(driver: Driver, bench: Bench, api: Api) -> list[Figure]:
    """Events stored before the subscription existed, replayed to it."""
    count, tenant = bench.sizes.webhook_replay_events, "bench-replay"
    since = datetime.now(UTC) - timedelta(seconds=1)
    await driver.publish(tenant, count)
    await driver.drained(_seconds_for(count))
    subscription = await driver.subscribe(tenant, "replay")
    started = time.time()
    body = {"id": subscription, "since": since.isoformat()}
    replay = await as_admin(driver.nc, contract.START_REPLAY, body, tenant)

    async def finished() -> Any:
        got = await as_admin(driver.nc, contract.GET_REPLAY, {"id": replay.id}, tenant)
        return got if got.status != ReplayStatus.RUNNING else None

    done = await until(finished, _seconds_for(count), poll=0.1)
    read = time.time() - started
    if done.status != ReplayStatus.COMPLETED:
        raise RuntimeError(f"the replay ended {done.status}: {done.error}")
    last = await driver.hooks.wait(["replay"], count, _seconds_for(count))
    return [
        Figure(AREA, "webhooks.replay_events_per_s", count / (last - started), "events/s"),
        Figure(AREA, "webhooks.replay_read_events_per_s", count / read, "events/s"),
    ]


async def _totals(driver: Driver, bench: Bench, api: Api) -> list[Figure]:
    counts = await driver.hooks.counts()
    again = sum(c.requests - c.unique for name, c in counts.items() if name != HANGING)
    return [
        Figure(AREA, "webhooks.deliveries_sent_twice", again, "deliveries", at_most(0)),
        Figure(AREA, "webhooks.webhooks_peak_rss_mib", peak_memory_mib(api, "webhooks"), "MiB"),
    ]


Phase = Callable[[Driver, Bench, Api], Awaitable[list[Figure]]]
PHASES: tuple[Phase, ...] = (_warm_up, _burst, _paced, _head_of_line, _replay, _totals)
TENANTS = ("bench-warm", "bench-burst", "bench-paced", "bench-fan-out", "bench-head-of-line", "bench-replay")


async def _run(phase: Phase, bench: Bench, api: Api, port: int) -> list[Figure]:
    nc = await connect(api.nats_url, "bench-webhooks")
    driver = Driver(nc, Hooks(port))
    try:
        return await phase(driver, bench, api)
    finally:
        await driver.hooks.http.aclose()
        await nc.drain()


def measure(bench: Bench) -> Iterator[Figure]:
    with receiver(bench) as port, processes(bench, SERVICES, env=ENV) as api:
        for phase in PHASES:  # each phase's figures printed as soon as it ends
            yield from asyncio.run(_run(phase, bench, api, port))
