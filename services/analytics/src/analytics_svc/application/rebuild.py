"""Rebuilding the projections by replay, while the live consumers go on.

1. A new generation is begun (rows another failed rebuild left go). The live consumers keep writing the
   current one.
2. Each analytics durable's stream is read from its start to its end (what the durable reads: its filter,
   both lanes), in chunks; each chunk is folded into the new generation in a transaction of its own, and
   the operation's progress moves. A catch-up pass reads what came meanwhile, until the rest is short.
3. The swap, in one transaction: the generation row is locked for update, which waits for the live batch in
   hand (each holds it shared while it writes) and holds back the next ones. Then, per stream, the events
   after the replayed end up to the stream's end *now* are folded in; every event from the durable's ack
   floor to that end is recorded in the inbox as the durable's, so the live consumer skips the ones the
   replay counted and it has not handled yet (those it did handle are there already); the generation
   becomes current. Events after that end are the live consumer's, into the new generation.
4. The old generation's rows are deleted.

A live batch held back by the swap gives up on its lock after 100 ms and is retried: nothing is lost.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nats.aio.client import Client

from plenary_contracts.catalog import analytics as contract
from plenary_contracts.catalog import identity
from plenary_contracts.errors import Conflict, NotFound
from plenary_contracts.streams import ConsumerSpec, consumers_of
from plenary_kit.acting import utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.logging import get_logger

from ..adapters import event_log, rebuild_store, tenant_data
from ..adapters.rebuild_store import Operation
from .facts import TRANSLATIONS, facts_of
from .projector import project

log = get_logger(__name__)
CHUNK = 5000
CATCH_UP_ROUNDS = 3
SHORT_TAIL = 2000
FOLDED = frozenset({*TRANSLATIONS, identity.TENANT_DELETED.type})  # the types whose payloads a replay reads


def replayed_consumers() -> list[ConsumerSpec]:
    """Every analytics durable: the projections' (one per producer stream) and the tenant purge's."""
    return consumers_of("analytics")


@dataclass
class Replay:
    """What a rebuild read so far, per durable: the last sequence and the end it aimed at."""

    operation_id: str
    generation: int
    done: dict[str, int] = field(default_factory=dict)
    ends: dict[str, int] = field(default_factory=dict)
    replayed: int = 0
    deleted_tenants: set[str] = field(default_factory=set)

    def streams(self) -> list[dict[str, Any]]:
        return [
            {"stream": durable, "replayed": self.done.get(durable, 0), "end": end} for durable, end in self.ends.items()
        ]


def to_contract(op: Operation) -> contract.RebuildOperation:
    return contract.RebuildOperation(
        id=op.id,
        status=op.status,  # type: ignore[arg-type]
        generation=op.generation,
        events_replayed=op.events_replayed,
        streams=[contract.StreamProgress(**s) for s in op.streams],
        error=op.error,
        started_at=op.started_at,
        updated_at=op.updated_at,
        finished_at=op.finished_at,
    )


class Rebuilds:
    def __init__(self, new_uow: Callable[[], UnitOfWork], nats: Callable[[], Client]) -> None:
        self.new_uow = new_uow
        self.nats = nats
        self._running: set[asyncio.Task[None]] = set()

    async def begin(self) -> Operation:
        async with self.new_uow() as uow:
            op = await rebuild_store.begin(uow.session, utcnow())
            if op is None:
                raise Conflict("a rebuild is running; GET it for its progress")
            await uow.commit()
        return op

    async def start(self, request: contract.StartRebuild, uow: UnitOfWork) -> contract.RebuildOperation:
        """The admin route: the rebuild runs in this process; the reply is its operation, to GET."""
        op = await self.begin()
        task = asyncio.create_task(self.run(op), name=f"analytics-rebuild-{op.id}")
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return to_contract(op)

    async def get(self, request: contract.RebuildRef, uow: UnitOfWork) -> contract.RebuildOperation:
        op = await rebuild_store.get(uow.session, request.id)
        if op is None:
            raise NotFound("no such rebuild")
        return to_contract(op)

    async def operation(self, operation_id: str) -> Operation:
        async with self.new_uow().for_reading() as uow:
            op = await rebuild_store.get(uow.session, operation_id)
        if op is None:
            raise NotFound("no such rebuild")
        return op

    async def run(self, op: Operation) -> Operation:
        replay = Replay(op.id, op.generation)
        try:
            nc = self.nats()
            for spec in replayed_consumers():
                replay.ends[spec.durable] = await event_log.end_of(nc, spec)
            for spec in replayed_consumers():
                await self._replay(nc, spec, replay, replay.ends[spec.durable])
            for _ in range(CATCH_UP_ROUNDS):
                behind = 0
                for spec in replayed_consumers():
                    replay.ends[spec.durable] = await event_log.end_of(nc, spec)
                    behind += replay.ends[spec.durable] - replay.done.get(spec.durable, 0)
                if behind <= SHORT_TAIL:
                    break
                for spec in replayed_consumers():
                    await self._replay(nc, spec, replay, replay.ends[spec.durable])
            await self._swap(nc, replay)
        except Exception as error:
            log.exception("rebuild failed", operation=op.id)
            async with self.new_uow() as uow:
                await rebuild_store.finish(uow.session, op.id, utcnow(), error=repr(error))
                await uow.commit()
        async with self.new_uow() as uow:
            done = await rebuild_store.get(uow.session, op.id)
        assert done is not None
        if done.status == "succeeded":
            async with self.new_uow() as uow:
                await rebuild_store.drop_other_generations(uow.session, op.generation)
                await uow.commit()
        return done

    async def _fold(self, uow: UnitOfWork, spec: ConsumerSpec, replay: Replay, chunk: list[event_log.Logged]) -> None:
        facts = []
        for logged in chunk:
            if logged.payload is None:
                continue
            if logged.event.type == identity.TENANT_DELETED.type:
                replay.deleted_tenants.add(logged.payload.tenant_id)
                continue
            facts.extend(facts_of(logged.event, logged.payload))
        await project(uow, replay.generation, facts, alone=True)  # no live batch writes the new generation
        replay.done[spec.durable] = chunk[-1].sequence
        replay.replayed += len(chunk)

    async def _replay(self, nc: Client, spec: ConsumerSpec, replay: Replay, end: int) -> None:
        """Read and write at once: the next chunk is read while the database writes the last one."""
        chunks: asyncio.Queue[list[event_log.Logged] | None] = asyncio.Queue(maxsize=2)

        async def reading() -> None:
            try:
                after = replay.done.get(spec.durable, 0)
                async for chunk in event_log.read(nc, spec, after=after, end=end, chunk=CHUNK, wanted=FOLDED):
                    await chunks.put(chunk)
            finally:
                await chunks.put(None)

        reader = asyncio.create_task(reading())
        try:
            while (chunk := await chunks.get()) is not None:
                async with self.new_uow() as uow:
                    await self._fold(uow, spec, replay, chunk)
                    await rebuild_store.progress(
                        uow.session, replay.operation_id, replay.streams(), replay.replayed, utcnow()
                    )
                    await uow.commit()
            await reader  # its failure, if any
        finally:
            reader.cancel()
        replay.done[spec.durable] = max(replay.done.get(spec.durable, 0), end)

    async def _swap(self, nc: Client, replay: Replay) -> None:
        async with self.new_uow() as uow:
            await rebuild_store.lock_generation(uow.session)
            for spec in replayed_consumers():
                end = replay.ends[spec.durable] = await event_log.end_of(nc, spec)
                after = replay.done.get(spec.durable, 0)
                async for chunk in event_log.read(nc, spec, after=after, end=end, chunk=CHUNK, wanted=FOLDED):
                    await self._fold(uow, spec, replay, chunk)
                replay.done[spec.durable] = end
                floor = await event_log.ack_floor(nc, spec)
                async for chunk in event_log.read(nc, spec, after=floor, end=end, chunk=CHUNK):
                    await uow.claim_many(spec.durable, [(logged.event.id, logged.event.type) for logged in chunk])
            for tenant_id in replay.deleted_tenants:
                await tenant_data.purge(uow.session, tenant_id)
            await rebuild_store.switch_to(uow.session, replay.generation)
            await rebuild_store.progress(uow.session, replay.operation_id, replay.streams(), replay.replayed, utcnow())
            await rebuild_store.finish(uow.session, replay.operation_id, utcnow())
            await uow.commit()
        log.info("projections rebuilt", generation=replay.generation, events=replay.replayed)
