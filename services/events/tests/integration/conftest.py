"""A running events service on real PostgreSQL and nats-server, driven over the bus as the gateway
would, with other services' events published the way they publish them."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from events_svc.bootstrap import SERVICE as EVENTS
from nats.aio.client import Client
from pydantic import BaseModel

from plenary_contracts.catalog import events as contract
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.events import EventSpec
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_contracts.operations import OperationSpec
from plenary_kit import context as ctx
from plenary_kit.bus.connection import connect
from plenary_kit.bus.rpc import call
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.plugin import eventually

TENANT = "tenant-a"
OTHER_TENANT = "tenant-b"
ADMIN = "admin-user"


@dataclass
class EventsService:
    runtime: Runtime
    nc: Client

    async def call(
        self,
        spec: OperationSpec,
        request: BaseModel | dict[str, Any],
        *,
        tenant: str | None = TENANT,
        actor: str | None = ADMIN,
        **context: Any,
    ) -> Any:
        return await call(self.nc, spec, request, context=ctx.Context(tenant_id=tenant, actor_id=actor, **context))

    async def event(self, name: str = "Summit 2026", *, tenant: str = TENANT, **fields: Any) -> contract.Event:
        body = {"name": name, "startDate": "2026-05-01T09:00:00Z", "endDate": "2026-05-03T18:00:00Z"} | fields
        return await self.call(contract.CREATE_EVENT, body, tenant=tenant)

    async def publish(self, spec: EventSpec, data: dict[str, Any], *, tenant: str = TENANT) -> CloudEvent:
        """Publish another service's event on JetStream, as its outbox relay would."""
        event = CloudEvent(
            source=spec.source,
            type=spec.type,
            dataschema=spec.dataschema,
            tenantid=tenant,
            actorid=ADMIN,
            data=spec.payload.model_validate(data).model_dump(mode="json"),
        )
        await self.nc.jetstream().publish(
            spec.subject, event.to_nats_payload(), headers=event.to_nats_headers(), timeout=5
        )
        return event

    async def events(self, spec: EventSpec) -> list[dict[str, Any]]:
        """Payloads (``data``) of the committed events of one kind, oldest first."""
        outbox = EVENTS.messaging.outbox
        async with self.runtime.engine.connect() as conn:
            rows = await conn.execute(
                sa.select(outbox.c.envelope).where(outbox.c.subject == spec.subject).order_by(outbox.c.created_at)
            )
            return [r.envelope["data"] for r in rows]

    async def scalar(self, statement: Any) -> Any:
        async with self.runtime.engine.connect() as conn:
            return (await conn.execute(statement)).scalar()


@pytest.fixture
async def events(plenary_settings: Settings) -> AsyncIterator[EventsService]:
    runtime = Runtime(EVENTS, plenary_settings)
    await runtime.start()
    nc = await connect(plenary_settings.nats_url, "events-test")
    try:
        # series and editions are gated by FF_EVENT_CLONE (P4-10), on here for both tenants
        await put_flag(nc, FlagKey.EVENT_CLONE, tenants=(TENANT, OTHER_TENANT))
        await eventually(lambda: runtime.flags.is_enabled(FlagKey.EVENT_CLONE, FlagContext(tenant_id=OTHER_TENANT)))
        yield EventsService(runtime, nc)
    finally:
        await nc.drain()
        await runtime.stop()
