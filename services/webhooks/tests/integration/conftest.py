"""A running webhooks service on real PostgreSQL and nats-server, with a real HTTP receiver (the kit's, on
127.0.0.1) and the producers' events published the way their outbox relays publish them."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from webhooks_svc.adapters import tables
from webhooks_svc.bootstrap import SERVICE as WEBHOOKS

from plenary_contracts.catalog import webhooks as contract
from plenary_contracts.catalog import workflow
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_kit.bus.connection import connect
from plenary_kit.ids import new_id
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.harness import ADMIN, OTHER_TENANT, TENANT, ServiceHarness
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.receiver import HttpReceiver, serving
from plenary_kit.testing.workflow import decided

__all__ = ["ADMIN", "OTHER_TENANT", "TENANT", "eventually"]


@pytest.fixture
async def receiver() -> AsyncIterator[HttpReceiver]:
    async with serving(HttpReceiver()) as found:
        yield found


@dataclass
class WebhooksService(ServiceHarness):
    settings: Settings

    async def subscribe(
        self, url: str, events: list[str], *, tenant: str = TENANT, **more: Any
    ) -> contract.CreatedSubscription:
        return await self.call(contract.CREATE_SUBSCRIPTION, {"url": url, "events": events, **more}, tenant=tenant)

    async def approve(self, *, tenant: str = TENANT, participant: str | None = None) -> str:
        """Publish workflow's ``participant.approved`` as its relay would; the public event id it gives."""
        data = acted(participant or new_id())
        event = await self.publish(workflow.PARTICIPANT_APPROVED, data, tenant=tenant)
        from webhooks_svc.domain.catalog import public_event_id

        return str(public_event_id(event.id, "participant.approved"))

    async def delivery_rows(self, *where: Any) -> list[Any]:
        async with self.runtime.engine.connect() as conn:
            query = sa.select(tables.webhook_delivery).where(*where).order_by(tables.webhook_delivery.c.created_at)
            return list((await conn.execute(query)).all())

    async def subscription_row(self, subscription_id: str) -> Any:
        async with self.runtime.engine.connect() as conn:
            s = tables.webhook_subscription
            return (await conn.execute(sa.select(s).where(s.c.id == subscription_id))).one()


def acted(participant_id: str, **changes: Any) -> dict[str, Any]:
    return decided(participant_id, **changes)


@pytest.fixture
async def webhooks(plenary_settings: Settings) -> AsyncIterator[WebhooksService]:
    settings = plenary_settings.model_copy(
        update={
            "webhook_allowed_networks": ["127.0.0.0/8"],
            "webhook_allow_http": True,
            "webhook_poll_seconds": 0.05,
            "webhook_retry_schedule_seconds": [0, 0, 0, 0, 0],
        }
    )
    runtime = Runtime(WEBHOOKS, settings)
    await runtime.start()
    nc = await connect(settings.nats_url, "webhooks-test")
    service = WebhooksService(runtime, nc, settings)
    await put_flag(nc, FlagKey.WEBHOOKS, tenants=(TENANT, OTHER_TENANT))
    await eventually(lambda: runtime.flags.is_enabled(FlagKey.WEBHOOKS, FlagContext(tenant_id=OTHER_TENANT)))
    try:
        yield service
    finally:
        await nc.drain()
        await runtime.stop()  # again, for a test that stopped it already: each step is bounded and forgiving


def now() -> datetime:
    return datetime.now(UTC)
