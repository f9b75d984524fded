"""Replays: every event since a time sent again to one subscription from the producers' streams.

Starting one records the end of every producer's stream at that moment; a worker (whichever replica claims it,
``FOR UPDATE SKIP LOCKED`` with a lease) reads each stream with an ordered consumer from the start time to
that end, keeps the tenant's events that happened in ``[since, until)`` and that the subscription takes, and
queues them under their original public ids: a delivery already made is made again, one still waiting is
left as it is. Progress (the last sequence read per stream, counts) commits with each chunk queued, so a
restarted worker goes on where the last one stopped, and a cancel is seen at the next chunk.
"""

from collections.abc import Callable
from datetime import timedelta

from nats.aio.client import Client

from plenary_contracts.catalog import webhooks as contract
from plenary_contracts.catalog.webhooks import ReplayStatus
from plenary_contracts.errors import Conflict, NotFound
from plenary_kit.acting import actor, field_error, refuse, tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.logging import get_logger
from plenary_kit.personal_keys import PersonKeys, open_events

from ..adapters import delivery_repository as deliveries
from ..adapters import event_log
from ..adapters import replay_repository as replays
from ..adapters import subscription_repository as subscriptions
from ..adapters.delivery_repository import Queued
from ..adapters.replay_repository import Running
from ..domain import catalog

log = get_logger(__name__)
PRODUCERS = tuple(sorted({subject.split(".")[1] for subject in catalog.BY_SUBJECT}))
LEASE = timedelta(seconds=60)


class Replays:
    def __init__(
        self, bus: Callable[[], Client], new_uow: Callable[[], UnitOfWork], person_keys: PersonKeys | None = None
    ) -> None:
        self.bus = bus
        self.person_keys = person_keys  # opens the personal data sealed in the replayed events
        self.new_uow = new_uow

    async def start(self, request: contract.StartReplay, uow: UnitOfWork) -> contract.Replay:
        tenant_id = tenant()
        subscription = await subscriptions.get(uow.session, tenant_id, request.id)
        if subscription is None:
            raise NotFound(f"webhook subscription {request.id} not found")
        until = request.until or utcnow()
        errors = []
        if request.since >= until:
            errors.append(field_error(["body", "since"], "since must be before until"))
        if request.event_types:
            unknown = catalog.unknown_types(request.event_types)
            if unknown:
                errors.append(field_error(["body", "eventTypes"], f"Invalid event types: {', '.join(unknown)}"))
        refuse("the replay cannot start", errors)
        ends = {producer: await event_log.end_of(self.bus(), producer) for producer in PRODUCERS}
        return await replays.insert(
            uow.session,
            {
                "id": new_id(),
                "tenant_id": tenant_id,
                "subscription_id": subscription.id,
                "since": request.since,
                "until": until,
                "event_types": request.event_types,
                "positions": dict.fromkeys(PRODUCERS, 0),
                "ends": ends,
                "created_by": actor(),
            },
        )

    async def list_replays(self, request: contract.ListReplays, uow: UnitOfWork) -> contract.ReplayList:
        tenant_id = tenant()
        if await subscriptions.get(uow.session, tenant_id, request.id) is None:
            raise NotFound(f"webhook subscription {request.id} not found")
        return contract.ReplayList(data=await replays.of_subscription(uow.session, tenant_id, request.id))

    async def get(self, request: contract.ReplayRef, uow: UnitOfWork) -> contract.Replay:
        found = await replays.get(uow.session, tenant(), request.id)
        if found is None:
            raise NotFound(f"replay {request.id} not found")
        return found

    async def cancel(self, request: contract.ReplayRef, uow: UnitOfWork) -> contract.Replay:
        tenant_id = tenant()
        cancelled = await replays.cancel(uow.session, tenant_id, request.id)
        if cancelled is not None:
            return cancelled
        if await replays.get(uow.session, tenant_id, request.id) is None:
            raise NotFound(f"replay {request.id} not found")
        raise Conflict("only a running replay can be cancelled")

    # --- the worker ---

    async def run_due(self) -> int:
        """Run every replay nobody works on, one after another; how many ran."""
        ran = 0
        while True:
            async with self.new_uow() as uow:
                job = await replays.claim(uow.session, utcnow() + LEASE)
                await uow.commit()
            if job is None:
                return ran
            try:
                await self.run(job)
            except Exception as error:
                log.exception("replay failed", replay=job.id)
                async with self.new_uow() as uow:
                    await replays.finish(uow.session, job.id, ReplayStatus.FAILED, repr(error)[:1000])
                    await uow.commit()
            ran += 1

    async def run(self, job: Running) -> None:
        positions = dict(job.positions)
        for producer in PRODUCERS:
            after, end = positions.get(producer, 0), job.ends.get(producer, 0)
            async for chunk in event_log.read(self.bus(), producer, after=after, since=job.since, end=end):
                await open_events(self.person_keys, [logged.event for logged in chunk if logged.event is not None])
                queued = [
                    Queued(p.event_id, p.type, p.data, e.time)
                    for logged in chunk
                    if (e := logged.event) is not None
                    and e.tenantid == job.tenant_id
                    and job.since <= e.time < job.until
                    for p in catalog.public_events(logged.subject, e.id, e.data, e.time)
                ]
                positions[producer] = chunk[-1].sequence
                async with self.new_uow() as uow:
                    count = await deliveries.queue_replayed(
                        uow.session, job.tenant_id, job.subscription_id, queued, job.event_types
                    )
                    if not await replays.progress(uow.session, job.id, positions, len(chunk), count, utcnow() + LEASE):
                        return  # cancelled (or the subscription deleted): what was queued already still goes
                    await uow.commit()
        async with self.new_uow() as uow:
            await replays.finish(uow.session, job.id, ReplayStatus.COMPLETED)
            await uow.commit()
