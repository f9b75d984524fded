"""Reading what a durable consumer reads (its filter, both lanes) straight from its stream, for a rebuild, and
where that durable stands (its ack floor)."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from typing import Any

from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from plenary_contracts.envelope import CloudEvent
from plenary_contracts.registry import EVENTS_BY_TYPE
from plenary_contracts.streams import ConsumerSpec
from plenary_kit.logging import get_logger

log = get_logger(__name__)
IDLE_SECONDS = 5.0  # nothing for this long before the end: the stream no longer holds the rest (limits)


@dataclass(frozen=True)
class Logged:
    sequence: int
    event: CloudEvent
    payload: Any  # None: a type not asked for, or one whose payload no longer reads


async def end_of(nc: Client, spec: ConsumerSpec) -> int:
    """The stream's last sequence now (0 when empty)."""
    return int((await nc.jetstream().stream_info(spec.stream)).state.last_seq)


async def ack_floor(nc: Client, spec: ConsumerSpec) -> int:
    """The stream sequence up to which the durable has acknowledged everything (0 when it does not exist)."""
    try:
        info = await nc.jetstream().consumer_info(spec.stream, spec.durable)
    except NotFoundError:
        return 0
    return int(info.ack_floor.stream_seq or 0) if info.ack_floor else 0


def _read(msg: Any, wanted: Collection[str]) -> tuple[CloudEvent, Any] | None:
    try:
        event = CloudEvent.from_nats(msg.headers, msg.data)
    except ValueError:
        return None
    spec = EVENTS_BY_TYPE.get(event.type) if event.type in wanted else None
    try:
        return event, spec.payload.model_validate(event.data) if spec else None
    except ValueError:
        log.warning("a logged event no longer reads; skipped", event_id=str(event.id), type=event.type)
        return event, None


async def read(
    nc: Client, spec: ConsumerSpec, *, after: int, end: int, chunk: int, wanted: Collection[str] = ()
) -> AsyncIterator[list[Logged]]:
    """The durable's events after sequence ``after`` up to ``end``, in stream order, ``chunk`` at a time (an
    ordered consumer: no acks, flow-controlled, re-created from the last sequence if a message is missed).
    Only the payloads of ``wanted`` types are read (the others' are None)."""
    if end <= after:
        return
    durable = spec.durables()[0]
    config = ConsumerConfig(
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=after + 1,
        filter_subjects=[subject for lane in spec.durables() for subject in lane.filter_subjects],
    )
    subscription = await nc.jetstream().subscribe(
        durable.filter_subjects[0],
        stream=spec.stream,
        config=config,
        ordered_consumer=True,
        idle_heartbeat=2.0,
        pending_msgs_limit=4 * chunk,
    )
    last = after
    batch: list[Logged] = []
    try:
        info = await subscription.consumer_info()
        if info.num_pending == 0 and not (info.delivered and info.delivered.consumer_seq):
            return  # nothing the filter matches after ``after`` (none pending, none sent): no message will come
        while last < end:
            try:
                msg = await subscription.next_msg(timeout=IDLE_SECONDS)
            except NatsTimeout:
                break
            if not msg.reply or not msg.reply.startswith("$JS.ACK."):
                continue  # a heartbeat or a flow control message
            sequence = msg.metadata.sequence.stream
            if sequence <= last:
                continue
            if sequence > end:
                break
            last = sequence
            read_back = _read(msg, wanted)
            if read_back is not None:
                batch.append(Logged(sequence, *read_back))
            if len(batch) >= chunk:
                yield batch
                batch = []
            if msg.metadata.num_pending == 0:
                break  # the last message the filter matches for now: the stream's end may be another subject's
        if batch:
            yield batch
    finally:
        with contextlib.suppress(NatsError, OSError, asyncio.TimeoutError):
            await subscription.unsubscribe()
