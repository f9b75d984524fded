"""A running audit service on real PostgreSQL and nats-server, the producers' events published on their streams
the way their outbox relays publish them."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from audit_svc.adapters.tables import audit_entry
from audit_svc.bootstrap import SERVICE as AUDIT

from plenary_contracts.envelope import CE_PREFIX, CONTENT_TYPE, CloudEvent
from plenary_contracts.events import EventSpec
from plenary_kit.bus.connection import connect
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.harness import ADMIN, OTHER_TENANT, TENANT, ServiceHarness
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.producing import publish_event

__all__ = ["ADMIN", "OTHER_TENANT", "TENANT", "eventually"]


def stored(event: CloudEvent) -> dict[str, Any]:
    """The envelope a reader of the stream sees: the ``ce-`` attributes as sent, the content type and data."""
    headers = event.to_nats_headers()
    attributes: dict[str, Any] = {k[len(CE_PREFIX) :]: v for k, v in headers.items() if k.startswith(CE_PREFIX)}
    return {**attributes, "datacontenttype": headers[CONTENT_TYPE], "data": event.data}


@dataclass
class AuditService(ServiceHarness):
    async def emit(
        self,
        spec: EventSpec,
        data: dict[str, Any],
        *,
        tenant: str | None = TENANT,
        actor: str | None = ADMIN,
        subject: str | None = None,
        time: datetime | None = None,
    ) -> CloudEvent:
        """Publish an event on its producer's stream as the relay would (the index reads any payload)."""
        fields: dict[str, Any] = {"time": time} if time is not None else {}
        event = CloudEvent(source=spec.source, type=spec.type, dataschema=spec.dataschema, tenantid=tenant,
                           actorid=actor, subject=subject, data=data, **fields)  # fmt: skip
        return await publish_event(self.nc, spec, event)

    async def indexed(self, tenant: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(audit_entry)
        if tenant is not None:
            query = query.where(audit_entry.c.tenant_id == tenant)
        return await self.scalar(query)


async def start_audit(settings: Settings) -> tuple[Runtime, AuditService]:
    runtime = Runtime(AUDIT, settings)
    await runtime.start()
    nc = await connect(settings.nats_url, "audit-test")
    return runtime, AuditService(runtime, nc)


@pytest.fixture
async def audit(plenary_settings: Settings) -> AsyncIterator[AuditService]:
    runtime, service = await start_audit(plenary_settings)
    try:
        yield service
    finally:
        await service.nc.drain()
        await runtime.stop()
