"""A running events service on real PostgreSQL and nats-server, driven over the bus as the gateway
would, with other services' events published the way they publish them."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from events_svc.bootstrap import SERVICE as EVENTS

from plenary_contracts.catalog import events as contract
from plenary_contracts.flags import FlagKey
from plenary_kit.settings import Settings
from plenary_kit.testing.harness import ADMIN, OTHER_TENANT, TENANT, ServiceHarness, running

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
