"""What an open live feed reads: a JetStream ordered consumer on the feed's stream and subjects.

nats-py's ordered consumer (push, flow-controlled, idle heartbeats, no acks, in memory, one replica)
re-creates itself from the sequence after the last one it delivered whenever it sees a gap or misses two
heartbeats (a reconnect, a server restart). Added here:

- it starts at an explicit sequence: the one after the client's ``Last-Event-ID``, or the stream's next one
  (new messages only); the library's resume point starts just before it, so a re-creation before the first
  delivery resumes there rather than at the stream's first message;
- a message at or before the last one handed out is dropped, so a re-creation can never repeat one;
- closing unsubscribes and deletes the consumer, under whatever name its last re-creation gave it; one the
  server is never told about (the gateway died) is removed by the server after ``inactive_seconds``
  without interest.
"""

import asyncio
import contextlib
from collections.abc import Callable

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext

from plenary_contracts.errors import ServiceUnavailable
from plenary_kit.logging import get_logger

log = get_logger(__name__)

HEARTBEAT_SECONDS = 5.0
INACTIVE_SECONDS = 30.0
DELETE_TIMEOUT_SECONDS = 2.0
JS_ACK_PREFIX = "$JS.ACK."


class FeedSource:
    def __init__(self, js: JetStreamContext, subscription: JetStreamContext.PushSubscription, stream: str, after: int):
        self._js = js
        self._subscription = subscription
        self.stream = stream
        self.last = after  # the last sequence handed out (or the one before the first to hand out)

    @classmethod
    async def open(
        cls,
        nc: Client,
        stream: str,
        subjects: list[str],
        after: int | None,
        *,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        inactive_seconds: float = INACTIVE_SECONDS,
    ) -> "FeedSource":
        """Read ``subjects`` of ``stream`` from the message after sequence ``after`` (None: from the next one
        the stream stores). A position past the stream's end counts as its end."""
        js = nc.jetstream()
        info = await js.stream_info(stream)
        end = info.state.last_seq
        after = end if after is None else min(after, end)
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=after + 1,
            filter_subjects=list(subjects),
            inactive_threshold=inactive_seconds,
        )
        subscription = await js.subscribe(
            subjects[0],
            stream=stream,
            config=config,
            ordered_consumer=True,
            idle_heartbeat=heartbeat_seconds,
        )
        state = getattr(subscription._sub, "_jsi", None)  # the library's ordered-consumer state
        if state is not None and state._sseq < after:
            state._sseq = after
        return cls(js, subscription, stream, after)

    @property
    def consumer(self) -> str:
        """The consumer's current name (a re-creation gives it a new one)."""
        return str(self._subscription._consumer)

    async def next(self, timeout: float) -> Msg | None:
        """The next message after the last one handed out; None when none came within ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                msg = await self._subscription.next_msg(timeout=max(deadline - loop.time(), 0.001))
            except NatsTimeout:
                return None
            if not msg.reply or not msg.reply.startswith(JS_ACK_PREFIX):
                continue  # a status the server sends (a deleted consumer), no message of the stream
            sequence = msg.metadata.sequence.stream
            if sequence > self.last:
                self.last = sequence
                return msg

    async def close(self) -> None:
        consumer = self.consumer
        with contextlib.suppress(NatsError, OSError, asyncio.TimeoutError):
            await self._subscription.unsubscribe()
        try:
            await asyncio.wait_for(self._js.delete_consumer(self.stream, consumer), DELETE_TIMEOUT_SECONDS)
        except (NatsError, OSError, TimeoutError) as error:  # gone already, or the server removes it idle
            log.debug("feed consumer not deleted", stream=self.stream, consumer=consumer, error=repr(error))


class FeedSources:
    """Opens feed sources on the runtime's current bus connection."""

    def __init__(
        self,
        connection: Callable[[], Client | None],
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        inactive_seconds: float = INACTIVE_SECONDS,
    ) -> None:
        self._connection = connection
        self.heartbeat_seconds = heartbeat_seconds
        self.inactive_seconds = inactive_seconds

    async def __call__(self, stream: str, subjects: list[str], after: int | None) -> FeedSource:
        nc = self._connection()
        if nc is None or not nc.is_connected:
            raise ServiceUnavailable("the gateway is not connected to the bus")
        return await FeedSource.open(
            nc,
            stream,
            subjects,
            after,
            heartbeat_seconds=self.heartbeat_seconds,
            inactive_seconds=self.inactive_seconds,
        )
