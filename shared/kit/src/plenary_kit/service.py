"""A service process: the composition every service's bootstrap hands its wiring to.

``ServiceSpec`` says what a service is (name, tables, migrations, how to wire its handlers);
``Runtime`` is one running process of it: database, bus, outbox relay, flags, handlers, health.
"""

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import uvicorn
from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage
from nats.aio.client import Client
from pydantic import BaseModel

from plenary_contracts.envelope import CloudEvent
from plenary_contracts.events import EventSpec
from plenary_contracts.operations import HealthReply, OperationSpec, health_subject
from plenary_contracts.services import SERVICES
from plenary_contracts.streams import ConsumerSpec

from . import context as ctx
from .bus.connection import connect
from .bus.retry import PermanentError, retry_middleware
from .bus.rpc import OperationServer, raw_body
from .db.engine import create_engine_for, create_session_factory
from .db.messaging import MessagingTables
from .db.uow import UnitOfWork
from .flags import FlagClient
from .health import health_app
from .logging import bound, configure_logging, get_logger
from .metrics import CONSUMER_PENDING, HANDLER_SECONDS
from .outbox import OutboxRelay
from .settings import ServiceSettings, Settings

log = get_logger(__name__)

EventHandler = Callable[[UnitOfWork, CloudEvent, Any], Awaitable[None]]


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


class Runtime:
    def __init__(self, spec: ServiceSpec, settings: Settings | None = None) -> None:
        self.spec = spec
        self.base_settings = settings or Settings()
        self.settings: ServiceSettings = self.base_settings.service(spec.name)
        self.engine = create_engine_for(self.settings.database_url, application_name=f"plenary-{spec.name}")
        self.sessions = create_session_factory(self.engine)
        self.flags = FlagClient()
        self.consumers: dict[str, ConsumerSpec] = {}
        self.nc: Client | None = None
        self.relay_hook: Callable[[CloudEvent], Awaitable[None]] | None = None
        self.public_app: Any = None  # an ASGI app the wiring may set, served on PLENARY_HTTP_PORT
        self._tasks: list[asyncio.Task[None]] = []
        self._timers: list[tuple[float, Callable[[], Awaitable[None]]]] = []
        self._on_start: list[Callable[[], Awaitable[None]]] = []
        self._on_stop: list[Callable[[], Awaitable[None]]] = []
        self.broker = NatsBroker(
            self.settings.nats_url,
            name=f"plenary-{spec.name}",
            ack_policy=AckPolicy.NACK_ON_ERROR,
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,
            graceful_timeout=5.0,
            log_level=logging.DEBUG,  # FastStream's per-message access log: too costly at INFO on every message
            middlewares=[
                retry_middleware(
                    spec.name,
                    self.consumers,
                    self._publish_dead_letter,
                    base=self.base_settings.retry_base_seconds,
                    cap=self.base_settings.retry_cap_seconds,
                )
            ],
        )
        self.broker.subscriber(health_subject(spec.name), queue=spec.name, no_reply=True)(self._on_health)
        spec.wire(self)

    # --- wiring API used by bootstraps ---

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.spec.messaging)

    def serve(self, operation: OperationSpec, handler: Callable[[Any, UnitOfWork], Awaitable[BaseModel]]) -> None:
        server = OperationServer(operation, handler, self.uow, self.flags.is_enabled)

        async def on_request(msg: NatsMessage) -> None:
            raw = msg.raw_message
            reply = await server(raw.headers, raw.data)
            if raw.reply:
                await raw.respond(reply)

        # Requests to one operation run concurrently (row locks keep them correct), not one after another.
        workers = self.base_settings.request_concurrency
        self.broker.subscriber(
            operation.subject, queue=self.spec.name, no_reply=True, max_workers=workers, decoder=raw_body
        )(on_request)

    def consume_each(self, consumer: ConsumerSpec, handlers: Mapping[EventSpec, EventHandler]) -> None:
        """Handle several event types on one durable consumer, each with its own handler."""
        by_type = {spec.type: handler for spec, handler in handlers.items()}

        async def dispatch(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
            await by_type[event.type](uow, event, payload)

        self.consume(consumer, list(handlers), dispatch)

    def consume(self, consumer: ConsumerSpec, events: list[EventSpec], handler: EventHandler) -> None:
        """Handle events on a durable consumer, exactly once per event thanks to the inbox."""
        by_type = {spec.type: spec for spec in events}
        self.consumers[consumer.durable] = consumer

        async def on_event(msg: NatsMessage) -> None:
            started = time.perf_counter()
            outcome = "error"
            raw = msg.raw_message
            try:
                event = CloudEvent.from_nats(raw.headers, raw.data)
            except ValueError as error:
                raise PermanentError(str(error)) from error
            spec = by_type.get(event.type)
            if spec is None:
                raise PermanentError(f"{consumer.durable} does not handle event type {event.type}")
            payload = spec.payload.model_validate(event.data)
            token = ctx.use(
                ctx.Context(
                    tenant_id=event.tenantid,
                    actor_id=event.actorid,
                    correlation_id=event.correlationid or str(event.id),
                    causation_id=str(event.id),
                    credential=event.credential,
                )
            )
            try:
                with bound(consumer=consumer.durable, event_id=str(event.id), tenant=event.tenantid):
                    async with self.uow() as uow:
                        if await uow.claim(consumer.durable, event.id, event.type):
                            await handler(uow, event, payload)
                            await uow.commit()
                            outcome = "ok"
                        else:
                            outcome = "duplicate"
            finally:
                ctx.reset(token)
                HANDLER_SECONDS.labels(consumer.durable, outcome).observe(time.perf_counter() - started)

        self.broker.subscriber(
            consumer.filter_subject,
            stream=JStream(consumer.stream, declare=False),
            durable=consumer.durable,
            pull_sub=PullSub(batch_size=10, timeout=1.0),
            ack_policy=AckPolicy.NACK_ON_ERROR,
            decoder=raw_body,  # the envelope is read from the raw message; a deep body must not recurse here
        )(on_event)

    def every(self, seconds: float, job: Callable[[], Awaitable[None]]) -> None:
        self._timers.append((seconds, job))

    def on_start(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run once the bus connection is up, before timers start."""
        self._on_start.append(hook)

    def on_stop(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run first at shutdown, while the bus is still connected; bounded like every other step."""
        self._on_stop.append(hook)

    # --- lifecycle ---

    async def start(self) -> None:
        self.nc = await connect(self.settings.nats_url, f"plenary-{self.spec.name}-runtime")
        js = self.nc.jetstream()
        self.flags.start(self.nc)
        await self.broker.start()
        relay = OutboxRelay(
            self.engine,
            self.settings.database_url,
            self.spec.messaging,
            js,
            poll_seconds=self.base_settings.outbox_poll_seconds,
            publish_timeout=self.base_settings.outbox_publish_timeout_seconds,
            after_publish=self.relay_hook,
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
        for hook in self._on_stop:
            await _bounded(hook(), 5, "stop hook")
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        self._tasks.clear()
        await _bounded(self.flags.stop(), 5, "flag watcher")
        await _bounded(self.broker.stop(), 15, "broker")
        if self.nc is not None:
            await _bounded(self.nc.drain(), 5, "nats connection")
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

    async def _on_health(self, msg: NatsMessage) -> None:
        raw = msg.raw_message
        checks = await self.readiness()
        reply = HealthReply(service=self.spec.name, ready=all(checks.values()), checks=checks)
        if raw.reply:
            await raw.respond(reply.model_dump_json().encode())

    async def _measure_lag(self) -> None:
        assert self.nc is not None
        js = self.nc.jetstream()
        for spec in self.consumers.values():
            info = await js.consumer_info(spec.stream, spec.durable)
            CONSUMER_PENDING.labels(spec.durable).set(info.num_pending + (info.num_ack_pending or 0))

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
    return _HttpServer(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off"))


async def serve(spec: ServiceSpec, settings: Settings | None = None) -> None:
    """Run one process of a service until SIGINT or SIGTERM."""
    settings = settings or Settings()
    configure_logging(spec.name, settings.log_level, settings.log_json)
    runtime = Runtime(spec, settings)
    await runtime.start()
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
    await asyncio.gather(*running, return_exceptions=True)
    await runtime.stop()
    log.info("service stopped", service=spec.name)


def main(spec: ServiceSpec) -> None:
    asyncio.run(serve(spec))
