"""A running events service on real PostgreSQL and nats-server, driven over the bus as the gateway
would, with other services' events published the way they publish them."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from events_svc.bootstrap import SERVICE as EVENTS

from plenary_contracts.catalog import events as contract
from plenary_contracts.enums import CloneStatus
from plenary_contracts.errors import PlenaryError
from plenary_contracts.flags import FlagKey
from plenary_contracts.saga_parts import COPY_EVENT_PART, DROP_EVENT_PART, CopiedPart, CopyEventPart, DroppedPart
from plenary_kit.bus.rpc import error_reply, ok_reply
from plenary_kit.settings import Settings
from plenary_kit.testing.harness import ADMIN, OTHER_TENANT, TENANT, ServiceHarness, running
from plenary_kit.testing.plugin import eventually

__all__ = ["ADMIN", "OTHER_TENANT", "TENANT"]  # the tests import them from here


@dataclass
class EventsService(ServiceHarness):
    async def event(self, name: str = "Summit 2026", *, tenant: str = TENANT, **fields: Any) -> contract.Event:
        body = {"name": name, "startDate": "2026-05-01T09:00:00Z", "endDate": "2026-05-03T18:00:00Z"} | fields
        return await self.call(contract.CREATE_EVENT, body, tenant=tenant)


@pytest.fixture
async def events(plenary_settings: Settings) -> AsyncIterator[EventsService]:
    # series and editions are gated by FF_EVENT_CLONE, on here for both tenants
    async with running(EVENTS, plenary_settings, flags=[FlagKey.EVENT_CLONE]) as (runtime, nc):
        yield EventsService(runtime, nc)


# --- cloning: short saga timings, and other services' parts played over the bus -----------------

CLONE_TIMINGS = {
    "events_clone_retry_seconds": 1.0,
    "events_clone_lease_seconds": 2.0,
    "events_clone_sweep_seconds": 0.3,
}


@pytest.fixture
async def cloning(plenary_settings: Settings) -> AsyncIterator[EventsService]:
    """events with the clone saga's retry window, lease and sweep short enough for a test."""
    settings = plenary_settings.model_copy(update=CLONE_TIMINGS)
    async with running(EVENTS, settings, flags=[FlagKey.EVENT_CLONE]) as (runtime, nc):
        yield EventsService(runtime, nc)


@dataclass
class Call:
    kind: str  # "copy" or "drop"
    headers: dict[str, str]
    body: dict[str, Any]


class PartService:
    """One service's ``copy_event_part`` / ``drop_event_part`` answered by the test on the real bus, the
    way that service answers: ``copy`` decides each copy's reply (a ``CopiedPart`` or an error to send);
    ``hold`` (when set) keeps copies waiting until it is set."""

    def __init__(self, nc: Any, service: str) -> None:
        self.nc, self.service = nc, service
        self.calls: list[Call] = []
        self.copy: Callable[[CopyEventPart], CopiedPart | PlenaryError] = lambda request: CopiedPart()
        self.answers_copies = True
        self.hold: asyncio.Event | None = None
        self._subscriptions: list[Any] = []

    async def start(self) -> "PartService":
        self._subscriptions = [
            await self.nc.subscribe(COPY_EVENT_PART[self.service].subject, cb=self._on_copy),
            await self.nc.subscribe(DROP_EVENT_PART[self.service].subject, cb=self._on_drop),
        ]
        return self

    async def stop_copies(self) -> None:
        """No one answers copies any more (the service is down for them); drops still are."""
        await self._subscriptions[0].unsubscribe()

    async def _on_copy(self, msg: Any) -> None:
        self.calls.append(Call("copy", dict(msg.headers or {}), json.loads(msg.data)))
        if self.hold is not None:
            await self.hold.wait()
        outcome = self.copy(CopyEventPart.model_validate_json(msg.data))
        reply = error_reply(outcome) if isinstance(outcome, PlenaryError) else ok_reply(outcome)
        await self.nc.publish(msg.reply, reply)

    async def _on_drop(self, msg: Any) -> None:
        self.calls.append(Call("drop", dict(msg.headers or {}), json.loads(msg.data)))
        await self.nc.publish(msg.reply, ok_reply(DroppedPart(counts={"rows": 1})))

    def of(self, kind: str) -> list[Call]:
        return [call for call in self.calls if call.kind == kind]


async def part(nc: Any, service: str) -> PartService:
    return await PartService(nc, service).start()


async def clone_settled(events: EventsService, operation_id: str, timeout: float = 20) -> contract.CloneOperation:
    """The operation once its saga ended (COMPLETED or ROLLED_BACK)."""

    async def ended() -> contract.CloneOperation | None:
        found = await events.call(contract.GET_CLONE_OPERATION, {"id": operation_id})
        return found if found.status in (CloneStatus.COMPLETED, CloneStatus.ROLLED_BACK) else None

    return await eventually(ended, timeout=timeout)
