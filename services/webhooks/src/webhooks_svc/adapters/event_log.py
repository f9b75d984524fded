"""Reading a producer's event stream from a point in time or a sequence (a replay), with an ordered consumer.

An ordered consumer is the server's cheapest way to read a stream in order: no acks, flow-controlled, and
re-created by the client from the last sequence seen if a message is missed. It reads both lanes
(``evt.<producer>.>`` and ``bulk.evt.<producer>.>``) and stops at the sequence the caller gives (the stream's
end when the replay began), so a replay ends even while new events keep coming.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import ConsumerConfig, DeliverPolicy

from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import BULK_LANE, event_stream_name, events_of, lane_subject
from plenary_kit.logging import get_logger

log = get_logger(__name__)
JS_ACK_PREFIX = "$JS.ACK."
IDLE_SECONDS = 5.0  # no message for this long before the end sequence: the rest was deleted (limits)


@dataclass(frozen=True)
class Logged:
    sequence: int
    subject: str  # without the lane prefix
    event: CloudEvent | None  # None: unreadable, skipped


async def end_of(nc: Client, producer: str) -> int:
    """The stream's last sequence now (0 when empty)."""
    return (await nc.jetstream().stream_info(event_stream_name(producer))).state.last_seq


async def read(
    nc: Client, producer: str, *, after: int, since: datetime, end: int, chunk: int = 500
) -> AsyncIterator[list[Logged]]:
    """Messages after sequence ``after`` (0: from ``since``) up to ``end``, in chunks, in stream order."""
    if end <= after:
        return
    js = nc.jetstream()
    stream = event_stream_name(producer)
    interactive = events_of(producer)
    subjects = [interactive, lane_subject(interactive, BULK_LANE)]
    if after:
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=after + 1, filter_subjects=subjects
        )
    else:
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=since, filter_subjects=subjects
        )
    subscription = await js.subscribe(
        subjects[0], stream=stream, config=config, ordered_consumer=True, idle_heartbeat=2.0
    )
    prefix = BULK_LANE + "."
    last = after
    try:
        batch: list[Logged] = []
        while last < end:
            try:
                msg = await subscription.next_msg(timeout=IDLE_SECONDS if not batch else 0.05)
            except NatsTimeout:
                if batch:
                    yield batch
                    batch = []
                    continue
                return  # nothing more comes before the end: the stream no longer holds it
            if not msg.reply or not msg.reply.startswith(JS_ACK_PREFIX):
                continue
            sequence = msg.metadata.sequence.stream
            if sequence <= last:
                continue
            last = sequence
            if sequence > end:
                break
            try:
                event: CloudEvent | None = CloudEvent.from_nats(msg.headers, msg.data)
            except ValueError:
                event = None
            batch.append(Logged(sequence, msg.subject.removeprefix(prefix), event))
            if len(batch) >= chunk:
                yield batch
                batch = []
        if batch:
            yield batch
    finally:
        with contextlib.suppress(NatsError, OSError, asyncio.TimeoutError):
            await subscription.unsubscribe()
