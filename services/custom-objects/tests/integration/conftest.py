"""A running custom-objects service on real PostgreSQL and nats-server, driven over the bus as the gateway
would, with FF_CUSTOM_OBJECTS on for both test tenants."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from custom_objects_svc.bootstrap import SERVICE as CUSTOM_OBJECTS

from plenary_contracts.catalog import custom_objects as contract
from plenary_contracts.flags import FlagKey
from plenary_kit.settings import Settings
from plenary_kit.testing.harness import ADMIN, OTHER_TENANT, TENANT, ServiceHarness, running
from plenary_kit.testing.plugin import eventually

__all__ = ["ADMIN", "OTHER_TENANT", "TENANT", "eventually"]  # the tests import them from here

HOTEL_FIELDS: list[dict[str, Any]] = [
    {"name": "name", "label": "Name", "dataType": "TEXT", "required": True},
    {"name": "stars", "label": "Stars", "dataType": "NUMBER", "defaultValue": 3, "sortOrder": 1},
    {"name": "kind", "label": "Kind", "dataType": "ENUM", "options": ["hotel", "hostel"], "sortOrder": 2},
    {"name": "email", "label": "E-mail", "dataType": "EMAIL", "sortOrder": 3},
]


@dataclass
class CustomObjectsService(ServiceHarness):
    async def definition(
        self, name: str = "Hotels", *, fields: list[dict[str, Any]] | None = None, tenant: str = TENANT, **extra: Any
    ) -> contract.CustomObjectDefinition:
        body = {"name": name, "fields": HOTEL_FIELDS if fields is None else fields} | extra
        return await self.call(contract.CREATE_DEFINITION, body, tenant=tenant)

    async def record(
        self, definition: str, data: dict[str, Any], *, tenant: str = TENANT
    ) -> contract.CustomObjectRecord:
        return await self.call(contract.CREATE_RECORD, {"definitionId": definition, "data": data}, tenant=tenant)


@pytest.fixture
async def service(plenary_settings: Settings) -> AsyncIterator[CustomObjectsService]:
    async with running(CUSTOM_OBJECTS, plenary_settings, flags=[FlagKey.CUSTOM_OBJECTS]) as (runtime, nc):
        yield CustomObjectsService(runtime, nc)
