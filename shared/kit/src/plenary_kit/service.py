"""A service process: the composition every service's bootstrap hands its wiring to.

``ServiceSpec`` says what a service is (name, tables, migrations, how to wire its handlers);
``Runtime`` is one running process of it: database, bus, outbox relay, flags, handlers, health.
"""

import asyncio
import contextlib
import gc
import signal
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import uvicorn
import uvloop
from nats.aio.client import Client
from pydantic import BaseModel

from plenary_contracts.envelope import CloudEvent
from plenary_contracts.events import EventSpec
from plenary_contracts.inbox_trace import INBOX_TRACE_SUBJECT
from plenary_contracts.operations import HealthReply, OperationSpec, health_subject
from plenary_contracts.services import SERVICES
from plenary_contracts.streams import ConsumerSpec, consumers_of

from .bus.connection import connect
from .bus.consuming import BatchConsumer, EventHandler, StreamBatchConsumer, StreamBatchHandler
from .bus.inbox_trace import inbox_trace_responder
from .bus.retry import RetryPolicy
from .bus.rpc import OperationServer
from .bus.serving import RequestServer
from .db.engine import create_engine_for, create_session_factory
from .db.messaging import MessagingTables
from .db.uow import UnitOfWork
from .flags import FlagClient
from .health import health_app
from .logging import configure_logging, get_logger
from .metrics import CONSUMER_PENDING
from .outbox import OutboxRelay
from .personal_keys import PersonKeys
from .settings import ServiceSettings, Settings

log = get_logger(__name__)

__all__ = ["EventHandler", "Runtime", "ServiceSpec", "main", "serve"]


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    metadata: sa.MetaData
    messaging: MessagingTables
    migrations_dir: Path
    wire: Callable[["Runtime"], None] = field(default=lambda runtime: None)
    seed: Callable[[ServiceSettings], Awaitable[list[str]]] | None = None

    @property
    def schema(self) -> str:
        assert self.metadata.schema is not None
        return self.metadata.schema


def pool_size(settings: Settings, service: str) -> int:
    """The connections one process's units of work use at once, kept open: one per request it runs (the
    request limit is per process), one per consumer loop of the service (one per lane), and two for the
    outbox relay's hook and a timer. More (a consumer outside the contracts, a second timer) borrows from
    the overflow. The relay's claim and readiness checks have a small pool of their own."""
    return settings.request_concurrency + sum(len(c.durables()) for c in consumers_of(service)) + 2


class Runtime:
    def __init__(self, spec: ServiceSpec, settings: Settings | None = None) -> None:
        self.spec = spec
        self.base_settings = settings or Settings()
        self.settings: ServiceSettings = self.base_settings.service(spec.name)
        # Transactions as SQLAlchemy begins them: the outbox relay's claim, readiness, a service's own setup.
        name = f"plenary-{spec.name}"
        self.engine = create_engine_for(self.settings.database_url, pool_size=2, application_name=name)
        self.uow_engine = create_engine_for(
            self.settings.database_url,
            pool_size=pool_size(self.base_settings, spec.name),
            application_name=name,
            driver_autocommit=True,
        )
        self.sessions = create_session_factory(self.uow_engine)
        self.flags = FlagClient()
        self.person_keys = PersonKeys(self.base_settings.personal_data_secret)
        self.consumers: dict[str, ConsumerSpec] = {}
        self.nc: Client | None = None
        self.relay_hook: Callable[[CloudEvent], Awaitable[None]] | None = None
        # The event types relay_hook cares about; None: every event, and the relay then publishes one at a time.
        self.relay_hook_types: Collection[str] | None = None
        self.public_app: Any = None  # an ASGI app the wiring may set, served on PLENARY_HTTP_PORT
        self._tasks: list[asyncio.Task[None]] = []
        self._consumer_loops: list[BatchConsumer] = []
        self._consumer_tasks: list[asyncio.Task[None]] = []
        self._timers: list[tuple[float, Callable[[], Awaitable[None]]]] = []
        self._on_start: list[Callable[[], Awaitable[None]]] = []
        self._on_stop: list[Callable[[], Awaitable[None]]] = []
        self._on_drain: list[Callable[[], Awaitable[None]]] = []
        self.retry = RetryPolicy(
            spec.name,
            self._publish_dead_letter,
            base=self.base_settings.retry_base_seconds,
            cap=self.base_settings.retry_cap_seconds,
        )
        self.requests = RequestServer(spec.name, self.base_settings.request_concurrency)
        self.requests.route(health_subject(spec.name), self._on_health, limited=False)
        self.requests.route(INBOX_TRACE_SUBJECT, inbox_trace_responder(spec.name, self.engine, spec.messaging))
        spec.wire(self)

    # --- wiring API used by bootstraps ---

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.spec.messaging, person_keys=self.person_keys)

    def serve(self, operation: OperationSpec, handler: Callable[[Any, UnitOfWork], Awaitable[BaseModel]]) -> None:
        self.requests.route(operation.subject, OperationServer(operation, handler, self.uow, self.flags.is_enabled))

    def consume_each(self, consumer: ConsumerSpec, handlers: Mapping[EventSpec, EventHandler]) -> None:
        """Handle several event types on one durable consumer, each with its own handler."""
        by_type = {spec.type: handler for spec, handler in handlers.items()}

        async def dispatch(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
            await by_type[event.type](uow, event, payload)

        self.consume(consumer, list(handlers), dispatch)

    def consume(self, consumer: ConsumerSpec, events: list[EventSpec], handler: EventHandler) -> None:
        """Handle events on a durable consumer, exactly once per event thanks to the inbox."""
        self.consumers[consumer.durable] = consumer
        by_type = {spec.type: spec for spec in events}
        for lane in consumer.durables():
            self._consumer_loops.append(
                BatchConsumer(
                    consumer,
                    by_type,
                    handler,
                    self.uow,
                    self.retry,
                    durable=lane.durable,
                    batch_size=self.base_settings.consumer_batch_size,
                    person_keys=self.person_keys,
                )
            )

    def consume_stream(self, consumer: ConsumerSpec, handler: StreamBatchHandler, *, batch_size: int = 500) -> None:
        """Hand whole fetched batches, with their stream sequences, to ``handler``; no inbox: the handler is
        idempotent by (stream, sequence) itself (``StreamBatchConsumer``)."""
        self.consumers[consumer.durable] = consumer
        for lane in consumer.durables():
            self._consumer_loops.append(
                StreamBatchConsumer(
                    consumer, handler, self.uow, self.retry, durable=lane.durable, batch_size=batch_size
                )
            )

    def every(self, seconds: float, job: Callable[[], Awaitable[None]]) -> None:
        self._timers.append((seconds, job))

    def on_start(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run once the bus connection is up, before timers start."""
        self._on_start.append(hook)

    def on_stop(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run first at shutdown, while the bus is still connected; bounded like every other step."""
        self._on_stop.append(hook)

    def on_drain(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run as soon as the process is told to stop, while its HTTP servers wait for the responses in hand:
        ends responses that never end by themselves (the gateway's event streams). ``stop`` runs it too."""
        self._on_drain.append(hook)

    async def drain(self) -> None:
        """Run the drain hooks, once."""
        hooks, self._on_drain = self._on_drain, []
        for hook in hooks:
            await _bounded(hook(), 5, "drain hook")

    # --- lifecycle ---

    async def start(self) -> None:
        self.nc = await connect(self.settings.nats_url, f"plenary-{self.spec.name}-runtime")
        js = self.nc.jetstream()
        self.flags.start(self.nc)
        await self.person_keys.start(self.nc)
        await self.requests.start(self.nc)
        for consumer in self._consumer_loops:
            task = asyncio.create_task(consumer.run(self.nc), name=f"{self.spec.name}-{consumer.durable}")
            self._consumer_tasks.append(task)
        relay = OutboxRelay(
            self.engine,
            self.settings.database_url,
            self.spec.messaging,
            js,
            poll_seconds=self.base_settings.outbox_poll_seconds,
            publish_timeout=self.base_settings.outbox_publish_timeout_seconds,
            after_publish=self.relay_hook,
            after_publish_types=self.relay_hook_types,
        )
        self._tasks.append(asyncio.create_task(relay.run(), name=f"{self.spec.name}-outbox"))
        if self.consumers:
            self._tasks.append(asyncio.create_task(_every(15.0, self._measure_lag), name=f"{self.spec.name}-lag"))
        for hook in self._on_start:
            await hook()
        for seconds, job in self._timers:
            self._tasks.append(asyncio.create_task(_every(seconds, job), name=f"{self.spec.name}-timer"))
        log.info("service started", service=self.spec.name)

    async def stop(self) -> None:
        """Stop within bounded time, whatever a library does with cancellation."""
        await self.drain()
        for hook in self._on_stop:
            await _bounded(hook(), 5, "stop hook")
        await _bounded(self.requests.stop(grace=5), 10, "request server")
        for consumer in self._consumer_loops:
            consumer.stop()  # each finishes the batch in hand; an idle fetch is dropped
        if self._consumer_tasks:
            _, late = await asyncio.wait(self._consumer_tasks, timeout=10)
            for task in late:
                task.cancel()  # a batch abandoned uncommitted and unacked is redelivered
            if late:
                await asyncio.wait(late, timeout=5)
        self._consumer_tasks.clear()
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        self._tasks.clear()
        await _bounded(self.flags.stop(), 5, "flag watcher")
        await _bounded(self.person_keys.stop(), 5, "person key watcher")
        if self.nc is not None:
            await _bounded(self.nc.drain(), 5, "nats connection")
        await _bounded(self.uow_engine.dispose(), 5, "database pool")
        await _bounded(self.engine.dispose(), 5, "database pool")

    async def readiness(self) -> dict[str, bool]:
        checks = {"nats": bool(self.nc and self.nc.is_connected), "flags": self.flags.loaded.is_set()}
        try:
            async with self.engine.connect() as conn:
                await asyncio.wait_for(conn.execute(sa.text("SELECT 1")), 2.0)
            checks["database"] = True
        except Exception:
            checks["database"] = False
        return checks

    async def _on_health(self, headers: dict[str, str] | None, body: bytes) -> bytes:
        checks = await self.readiness()
        return HealthReply(service=self.spec.name, ready=all(checks.values()), checks=checks).model_dump_json().encode()

    async def _measure_lag(self) -> None:
        assert self.nc is not None
        js = self.nc.jetstream()
        for spec in self.consumers.values():
            for lane in spec.durables():
                info = await js.consumer_info(spec.stream, lane.durable)
                CONSUMER_PENDING.labels(lane.durable).set(info.num_pending + (info.num_ack_pending or 0))

    async def _publish_dead_letter(self, subject: str, data: bytes, headers: dict[str, str]) -> None:
        assert self.nc is not None
        await self.nc.jetstream().publish(subject, data, headers=headers, timeout=5.0)


async def _bounded(step: Awaitable[Any], seconds: float, what: str) -> None:
    """Run a shutdown step for at most ``seconds``; one that ignores cancellation is left behind, logged."""
    task = asyncio.ensure_future(step)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        task.cancel()
        log.warning("shutdown step did not finish in time", step=what, seconds=seconds)
    elif not task.cancelled() and task.exception() is not None:
        log.warning("shutdown step failed", step=what, error=repr(task.exception()))


class _HttpServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the process's shutdown is ours to order."""

    @contextlib.contextmanager
    def capture_signals(self):  # type: ignore[no-untyped-def]
        yield


async def _every(seconds: float, job: Callable[[], Awaitable[None]]) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await job()
        except Exception:
            log.exception("timer job failed")


def _http(app: Any, host: str, port: int) -> "_HttpServer":
    return _HttpServer(
        uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", http="httptools", loop="none")
    )


async def serve(spec: ServiceSpec, settings: Settings | None = None) -> None:
    """Run one process of a service until SIGINT or SIGTERM."""
    settings = settings or Settings()
    configure_logging(spec.name, settings.log_level, settings.log_json)
    runtime = Runtime(spec, settings)
    await runtime.start()
    # What is alive now (modules, contracts, compiled statements) lives as long as the process: out of the
    # collector's sight, a full collection no longer walks it (about 100 ms of pause in the gateway).
    gc.collect()
    gc.freeze()
    health_port = runtime.settings.health_port(SERVICES.index(spec.name))
    servers = [_http(health_app(spec.name, runtime.readiness, runtime.flags), settings.http_host, health_port)]
    if runtime.public_app is not None:
        servers.append(_http(runtime.public_app, settings.http_host, settings.http_port))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    running = [asyncio.create_task(each.serve()) for each in servers]
    await stop.wait()
    for each in servers:
        each.should_exit = True
    await runtime.drain()  # the servers wait for every open response, an event stream's too
    await asyncio.gather(*running, return_exceptions=True)
    await runtime.stop()
    log.info("service stopped", service=spec.name)


def main(spec: ServiceSpec) -> None:
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve(spec))
