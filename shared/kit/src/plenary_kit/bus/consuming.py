"""A durable JetStream consumer that handles a fetched batch in one unit of work, exactly once per event.

One loop per consumer and process fetches up to ``batch_size`` messages, claims the batch in the inbox
with one statement, runs the handlers of the new events one after another in stream order, commits, and
only then acks the messages. Each handler runs in a savepoint: one that fails takes back only its own
effects and claim, and its message alone is settled by the retry policy (nak with a delay, or dead
letter), so a handler runs once per delivery and a failure never replays its neighbours. An envelope
that cannot be read or an event type the consumer does not handle is permanent: dead-lettered at once.
The durable itself is created by ``plenary streams apply``, never here.
"""

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext

from plenary_contracts.envelope import CloudEvent
from plenary_contracts.events import EventSpec
from plenary_contracts.registry import EVENTS_BY_TYPE
from plenary_contracts.streams import ConsumerSpec

from .. import context as ctx
from ..db.uow import UnitOfWork
from ..logging import bound, get_logger
from ..metrics import HANDLER_SECONDS
from ..personal_keys import PersonKeys, open_events
from .retry import PermanentError, RetryPolicy

log = get_logger(__name__)

# A batch holds the row locks of all its handlers until it commits, so a handler that waits for a lock may
# close a cycle with a request that locks several rows (a batch action's undo) which no single-event
# transaction could. The handler gives up well before PostgreSQL's deadlock check (1 s) would pick a victim,
# possibly the request: its message is retried by the retry policy, and the request goes on once the batch commits.
LOCK_WAIT_MS = 100

EventHandler = Callable[[UnitOfWork, CloudEvent, Any], Awaitable[None]]


@dataclass(frozen=True)
class Delivery:
    """A message whose envelope and payload were read."""

    msg: Msg
    event: CloudEvent
    payload: Any


def event_context(event: CloudEvent) -> ctx.Context:
    return ctx.Context(
        tenant_id=event.tenantid,
        actor_id=event.actorid,
        correlation_id=event.correlationid or str(event.id),
        causation_id=str(event.id),
        credential=event.credential,
        lane=event.lane,  # what a bulk event causes stays in the bulk lane
    )


class BatchConsumer:
    def __init__(
        self,
        spec: ConsumerSpec,
        events: Mapping[str, EventSpec],
        handler: EventHandler,
        new_uow: Callable[[], UnitOfWork],
        retry: RetryPolicy,
        *,
        durable: str | None = None,
        batch_size: int = 100,
        fetch_timeout: float = 1.0,
        person_keys: PersonKeys | None = None,
    ) -> None:
        """``durable`` is the JetStream durable to read (one of ``spec.durables()``, one per lane); the inbox
        and the dead letters go by ``spec.durable`` whatever the lane. ``person_keys`` opens the personal data
        sealed in events before their payloads are read (without it, sealed values read as erased)."""
        self.spec = spec
        self.durable = durable or spec.durable
        self.events = events
        self.handler = handler
        self.new_uow = new_uow
        self.retry = retry
        self.batch_size = batch_size
        self.fetch_timeout = fetch_timeout
        self.person_keys = person_keys
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Finish the batch in hand, then return; messages fetched and not acked are redelivered."""
        self._stopping.set()

    async def run(self, nc: Client) -> None:
        """Fetch and handle batches until ``stop``; survives fetch timeouts, reconnects and server restarts."""
        js = nc.jetstream()
        subscription: JetStreamContext.PullSubscription | None = None
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            while not self._stopping.is_set():
                try:
                    if subscription is None:
                        subscription = await js.pull_subscribe_bind(durable=self.durable, stream=self.spec.stream)
                    messages = await self._fetch(subscription, stopping)
                    if messages:
                        await self.handle_batch(messages)
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    log.warning("consumer loop failed, retrying", consumer=self.durable, error=repr(error))
                    await self._pause(1.0)
        finally:
            stopping.cancel()
            if subscription is not None:
                # Else the connection's drain waits for messages still queued to a fetch nobody reads.
                with contextlib.suppress(Exception):
                    await subscription.unsubscribe()

    async def _fetch(self, subscription: JetStreamContext.PullSubscription, stopping: asyncio.Future[Any]) -> list[Msg]:
        """The next batch; none when the fetch timed out idle or ``stop`` came first. A stop does not wait for an
        idle fetch to time out: a message the server sends after it is not acked, so it comes again after the
        ack wait, to this consumer or another replica's."""
        fetching = asyncio.ensure_future(subscription.fetch(self.batch_size, timeout=self.fetch_timeout))
        try:
            await asyncio.wait((fetching, stopping), return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            fetching.cancel()
            raise
        if not fetching.done():
            fetching.cancel()
        with contextlib.suppress(NatsTimeout, TimeoutError, asyncio.CancelledError):
            return await fetching
        return []

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    async def handle_batch(self, messages: list[Msg]) -> None:
        envelopes = [(msg, event) for msg in messages if (event := await self._envelope(msg)) is not None]
        await open_events(self.person_keys, [event for _, event in envelopes])
        deliveries = [delivery for msg, event in envelopes if (delivery := await self._read(msg, event)) is not None]
        if deliveries:
            await self._handle(deliveries)

    async def _envelope(self, msg: Msg) -> CloudEvent | None:
        """The message's event, of a type this consumer handles; None when it was acknowledged unhandled (a type
        of the contracts this consumer takes no interest in, under a wildcard filter: a producer's new event
        type must not stop its consumers), or dead-lettered because it can never be handled (an unreadable
        envelope, a type no contract declares: a newer producer's, kept to replay once this side knows it)."""
        try:
            try:
                event = CloudEvent.from_nats(msg.headers, msg.data)
            except ValueError as error:
                raise PermanentError(str(error)) from error
            if event.type not in self.events:
                if event.type in EVENTS_BY_TYPE:
                    await msg.ack()
                    return None
                raise PermanentError(f"{self.spec.durable} does not handle event type {event.type}")
            return event
        except Exception as error:
            await self._give_up(msg, error)
            return None

    async def _read(self, msg: Msg, event: CloudEvent) -> Delivery | None:
        """The event with its payload read; None when it was dead-lettered because the payload is unreadable."""
        try:
            return Delivery(msg, event, self.events[event.type].payload.model_validate(event.data))
        except Exception as error:
            await self._give_up(msg, error)
            return None

    async def _give_up(self, msg: Msg, error: Exception) -> None:
        await self.retry.settle_failure(msg, self.spec, error)
        HANDLER_SECONDS.labels(self.spec.durable, "error").observe(0.0)

    async def _handle(self, deliveries: list[Delivery]) -> None:
        """One unit of work for the batch; each handler in a savepoint, so one that fails takes back only its
        own writes and events (and its inbox claim). After the commit, the others are acked and the failed
        ones settled by the retry policy; if the commit fails, every message is."""
        started = time.perf_counter()
        durable = self.spec.durable
        outcomes: list[tuple[Delivery, str, float]] = []
        failures: list[tuple[Delivery, Exception]] = []
        try:
            async with self.new_uow() as uow:
                await uow.limit_lock_waits(LOCK_WAIT_MS)
                new = await uow.claim_many(durable, [(d.event.id, d.event.type) for d in deliveries])
                for delivery in deliveries:
                    if delivery.event.id not in new:
                        outcomes.append((delivery, "duplicate", 0.0))
                        continue
                    new.discard(delivery.event.id)  # a copy later in the batch is a duplicate
                    handler_started = time.perf_counter()
                    try:
                        async with uow.checkpoint():  # the session's own savepoint costs more CPU than the handler
                            await self._run_handler(uow, delivery)
                    except Exception as error:
                        await uow.unclaim(durable, delivery.event.id)
                        failures.append((delivery, error))
                        outcomes.append((delivery, "error", time.perf_counter() - handler_started))
                        continue
                    outcomes.append((delivery, "ok", time.perf_counter() - handler_started))
                await uow.commit()
        except Exception as error:
            log.warning("batch not committed", consumer=durable, size=len(deliveries), error=repr(error))
            for delivery in deliveries:
                await self._settle(delivery, error)
            HANDLER_SECONDS.labels(durable, "error").observe(time.perf_counter() - started)
            return
        failed = {id(delivery) for delivery, _ in failures}
        for delivery in deliveries:
            if id(delivery) not in failed:
                await delivery.msg.ack()
        for delivery, error in failures:
            await self._settle(delivery, error)
        shared = (time.perf_counter() - started - sum(seconds for _, _, seconds in outcomes)) / len(deliveries)
        for _, outcome, seconds in outcomes:
            HANDLER_SECONDS.labels(durable, outcome).observe(seconds + shared)

    async def _run_handler(self, uow: UnitOfWork, delivery: Delivery) -> None:
        event = delivery.event
        token = ctx.use(event_context(event))
        try:
            with bound(consumer=self.spec.durable, event_id=str(event.id), tenant=event.tenantid):
                await self.handler(uow, event, delivery.payload)
        finally:
            ctx.reset(token)

    async def _settle(self, delivery: Delivery, error: Exception) -> None:
        event = delivery.event
        with bound(consumer=self.spec.durable, event_id=str(event.id), tenant=event.tenantid):
            await self.retry.settle_failure(delivery.msg, self.spec, error)


@dataclass(frozen=True)
class StreamEvent:
    """A message of a stream with where it sits there: its stream sequence, subject and envelope."""

    stream: str
    sequence: int
    subject: str
    event: CloudEvent


StreamBatchHandler = Callable[[UnitOfWork, list[StreamEvent]], Awaitable[None]]


class StreamBatchConsumer(BatchConsumer):
    """A durable whose handler takes the whole fetched batch with each message's stream sequence, of every event
    type, and no inbox: for a handler idempotent by (stream, sequence) itself, such as an index of the streams.
    One unit of work per batch; once it commits the batch is acked; if it fails every message is settled by
    the retry policy. An envelope that cannot be read is dead-lettered at once."""

    def __init__(
        self,
        spec: ConsumerSpec,
        handler: StreamBatchHandler,
        new_uow: Callable[[], UnitOfWork],
        retry: RetryPolicy,
        *,
        durable: str | None = None,
        batch_size: int = 500,
        fetch_timeout: float = 1.0,
    ) -> None:
        super().__init__(
            spec, {}, _no_handler, new_uow, retry, durable=durable, batch_size=batch_size, fetch_timeout=fetch_timeout
        )
        self.batch_handler = handler

    async def handle_batch(self, messages: list[Msg]) -> None:
        read: list[tuple[Msg, StreamEvent]] = []
        for msg in messages:
            try:
                event = CloudEvent.from_nats(msg.headers, msg.data)
            except ValueError as error:
                await self.retry.settle_failure(msg, self.spec, PermanentError(str(error)))
                continue
            meta = msg.metadata
            read.append((msg, StreamEvent(meta.stream, meta.sequence.stream, msg.subject, event)))
        if not read:
            return
        started = time.perf_counter()
        try:
            async with self.new_uow() as uow:
                await self.batch_handler(uow, [each for _, each in read])
                await uow.commit()
        except Exception as error:
            log.warning("batch not committed", consumer=self.durable, size=len(read), error=repr(error))
            for msg, _ in read:
                await self.retry.settle_failure(msg, self.spec, error)
            HANDLER_SECONDS.labels(self.spec.durable, "error").observe(time.perf_counter() - started)
            return
        await asyncio.gather(*(msg.ack() for msg, _ in read))
        HANDLER_SECONDS.labels(self.spec.durable, "ok").observe((time.perf_counter() - started) / len(read))


async def _no_handler(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
    raise AssertionError("a stream batch consumer hands batches to its batch handler")
