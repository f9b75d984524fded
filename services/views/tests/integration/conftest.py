"""A running views service on real PostgreSQL and nats-server, driven over the bus as the gateway would, with
the owners of the lists its views show beside it (events; registration or custom-objects where a test needs
them): a view is checked against the fields its owner declares and runs on that owner. Identity's events are
published the way identity publishes them."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from views_svc.bootstrap import SERVICE as VIEWS

from plenary_contracts.catalog import events, identity
from plenary_contracts.catalog import views as contract
from plenary_contracts.flags import FlagKey
from plenary_kit.discovery import load_services
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.harness import ADMIN, OTHER_TENANT, TENANT, ServiceHarness, running

__all__ = ["ADMIN", "OTHER_TENANT", "TENANT"]  # the tests import them from here

COLLEAGUE = "colleague-user"


@dataclass
class ViewsService(ServiceHarness):
    async def view(self, name: str = "Upcoming", *, actor: str = ADMIN, tenant: str = TENANT, **fields: Any):
        """A view of events (the entity that needs no scope) made by ``actor``."""
        body = {"name": name, "entityType": "event"} | fields
        return await self.call(contract.CREATE_VIEW, body, actor=actor, tenant=tenant)

    async def event(self, name: str, start: str, *, status: str = "PUBLISHED", tenant: str = TENANT) -> Any:
        body = {"name": name, "startDate": start, "endDate": start, "status": status}
        return await self.call(events.CREATE_EVENT, body, tenant=tenant)

    async def user(self, user_id: str, name: str, *, tenant: str = TENANT, at: str = "2026-01-01T00:00:00Z") -> None:
        """identity's ``user.created``, as views hears it."""
        user = {
            "id": user_id,
            "email": f"{user_id}@users.test",
            "username": user_id,
            "name": name,
            "status": "ACTIVE",
            "tenantId": tenant,
            "createdAt": at,
            "updatedAt": at,
        }
        await self.publish(identity.USER_CREATED, {"user": user}, tenant=tenant)


async def _beside(settings: Settings, owners: list[str]) -> AsyncIterator[ViewsService]:
    """views with the owners of the lists its tests run views on, each its own runtime."""
    started = []
    for spec in load_services(owners):
        started.append(Runtime(spec, settings))
        await started[-1].start()
    try:
        async with running(VIEWS, settings, flags=[FlagKey.SAVED_VIEWS]) as (runtime, nc):
            yield ViewsService(runtime, nc)
    finally:
        for owner in reversed(started):
            await owner.stop()


@pytest.fixture
async def views(plenary_settings: Settings) -> AsyncIterator[ViewsService]:
    async for service in _beside(plenary_settings, ["events"]):
        yield service


@pytest.fixture
async def with_custom_objects(plenary_settings: Settings) -> AsyncIterator[ViewsService]:
    """views and custom-objects (its flag on for the test tenant: record lists are behind it)."""
    async for service in _beside(plenary_settings, ["custom-objects"]):
        await service.flags(FlagKey.CUSTOM_OBJECTS)
        yield service


@pytest.fixture
async def with_registration(plenary_settings: Settings) -> AsyncIterator[ViewsService]:
    """views, events and registration (which keeps the events' participant types and fields from events)."""
    async for service in _beside(plenary_settings, ["events", "registration"]):
        yield service
