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
from plenary_kit.personal_keys import read_as_erased

log = get_logger(__name__)
IDLE_SECONDS = 5.0  # nothing for this long before the end: the stream no longer holds the rest (limits)
PENDING_MESSAGES = 65_536  # read ahead of the fold at most this many (beyond it the client drops, and resumes)


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
    if spec is not None and spec.personal is not None:
        read_as_erased([event])  # the projections count; they never read a person's details
    try:
        return event, spec.payload.model_validate(event.data) if spec else None
    except ValueError:
        log.warning("a logged event no longer reads; skipped", event_id=str(event.id), type=event.type)
        return event, None


async def read(
    nc: Client, spec: ConsumerSpec, *, after: int, end: int, chunk: int, wanted: Collection[str] = ()
) -> AsyncIterator[list[Logged]]:
    """The durable's events after sequence ``after`` up to ``end``, in stream order, ``chunk`` at a time (an
    ordered consumer: no acks, flow-controlled). Only the payloads of ``wanted`` types are read (the others'
    are None).

    A subscription that falls silent after it has read something (the client dropped messages as a slow
    consumer, the last ones before the quiet, so no gap showed) is opened again after the last sequence read,
    so a replay does not end short of what the stream holds; one silent from its start ends the read."""
    last = after
    while last < end:
        batch: list[Logged] = []
        went_silent = _Silence()
        started_at = last
        async for logged in _read_from(nc, spec, after=last, end=end, wanted=wanted, silence=went_silent):
            last = logged.sequence
            batch.append(logged)
            if len(batch) >= chunk:
                yield batch
                batch = []
        if batch:
            yield batch
        if not went_silent.seen or last == started_at:
            return  # read to the end (or past it), or silent from the start: nothing more will come
        log.info("replay resumed after a silent subscription", durable=spec.durable, after=last, end=end)


@dataclass
class _Silence:
    seen: bool = False


def _filter_subjects(spec: ConsumerSpec) -> list[str]:
    return [subject for lane in spec.durables() for subject in lane.filter_subjects]


async def _read_from(
    nc: Client, spec: ConsumerSpec, *, after: int, end: int, wanted: Collection[str], silence: "_Silence"
) -> AsyncIterator[Logged]:
    """One ordered subscription from ``after``; stops at ``end``, at the filter's last message for now, or when
    nothing comes for ``IDLE_SECONDS`` (``silence.seen``)."""
    durable = spec.durables()[0]
    config = ConsumerConfig(
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=after + 1,
        filter_subjects=_filter_subjects(spec),
    )
    subscription = await nc.jetstream().subscribe(
        durable.filter_subjects[0],
        stream=spec.stream,
        config=config,
        ordered_consumer=True,
        idle_heartbeat=2.0,
        pending_msgs_limit=PENDING_MESSAGES,
    )
    last = after
    try:
        info = await subscription.consumer_info()
        if info.num_pending == 0 and not (info.delivered and info.delivered.consumer_seq):
            return  # nothing the filter matches after ``after`` (none pending, none sent): no message will come
        while last < end:
            try:
                msg = await subscription.next_msg(timeout=IDLE_SECONDS)
            except NatsTimeout:
                silence.seen = True
                return
            if not msg.reply or not msg.reply.startswith("$JS.ACK."):
                continue  # a heartbeat or a flow control message
            sequence = msg.metadata.sequence.stream
            if sequence <= last:
                continue
            if sequence > end:
                return
            last = sequence
            read_back = _read(msg, wanted)
            if read_back is not None:
                yield Logged(sequence, *read_back)
            if msg.metadata.num_pending == 0:
                return  # the last message the filter matches for now: the stream's end may be another subject's
    finally:
        with contextlib.suppress(NatsError, OSError, asyncio.TimeoutError):
            await subscription.unsubscribe()
