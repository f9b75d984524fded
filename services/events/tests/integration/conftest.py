"""A running events service on real PostgreSQL and nats-server, driven over the bus as the gateway
would, with other services' events published the way they publish them."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from events_svc.bootstrap import SERVICE as EVENTS

from plenary_contracts.catalog import events as contract
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_kit.bus.connection import connect
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.harness import ADMIN, OTHER_TENANT, TENANT, ServiceHarness

__all__ = ["ADMIN", "OTHER_TENANT", "TENANT"]  # the tests import them from here
from plenary_kit.testing.plugin import eventually


@dataclass
class EventsService(ServiceHarness):
    async def event(self, name: str = "Summit 2026", *, tenant: str = TENANT, **fields: Any) -> contract.Event:
        body = {"name": name, "startDate": "2026-05-01T09:00:00Z", "endDate": "2026-05-03T18:00:00Z"} | fields
        return await self.call(contract.CREATE_EVENT, body, tenant=tenant)


@pytest.fixture
async def events(plenary_settings: Settings) -> AsyncIterator[EventsService]:
    runtime = Runtime(EVENTS, plenary_settings)
    await runtime.start()
    nc = await connect(plenary_settings.nats_url, "events-test")
    try:
        # series and editions are gated by FF_EVENT_CLONE, on here for both tenants
        await put_flag(nc, FlagKey.EVENT_CLONE, tenants=(TENANT, OTHER_TENANT))
        await eventually(lambda: runtime.flags.is_enabled(FlagKey.EVENT_CLONE, FlagContext(tenant_id=OTHER_TENANT)))
        yield EventsService(runtime, nc)
    finally:
        await nc.drain()
        await runtime.stop()
