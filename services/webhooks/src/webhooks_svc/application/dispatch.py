"""From the bus to the delivery queue: each public event a producer's event gives is queued for every ACTIVE
subscription of its tenant taking its type, in the consumer's transaction (with its inbox mark), when the
tenant has webhooks on (``FF_WEBHOOKS``). Most bus events give none and cost nothing."""

from collections.abc import Callable
from typing import Any

from plenary_contracts.envelope import CloudEvent
from plenary_contracts.registry import EVENTS_BY_TYPE
from plenary_kit.db import UnitOfWork

from ..adapters import delivery_repository as deliveries
from ..adapters.delivery_repository import Queued
from ..domain import catalog


class Dispatch:
    def __init__(self, enabled_for: Callable[[str], bool], wake: Callable[[], None] = lambda: None) -> None:
        self.enabled_for = enabled_for
        self.wake = wake  # the local delivery worker, told once the new deliveries are committed

    async def on_event(self, uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
        subject = EVENTS_BY_TYPE[event.type].subject
        if subject not in catalog.BY_SUBJECT or event.tenantid is None or not self.enabled_for(event.tenantid):
            return
        found = catalog.public_events(subject, event.id, event.data, event.time)
        queued = [Queued(p.event_id, p.type, p.data, event.time) for p in found]
        if await deliveries.queue(uow.session, event.tenantid, queued):
            uow.after_commit(self.wake)
