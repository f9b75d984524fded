"""A running webhooks service on real PostgreSQL and nats-server, with a real HTTP receiver (uvicorn on
127.0.0.1) and the producers' events published the way their outbox relays publish them."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
import uvicorn
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

__all__ = ["ADMIN", "OTHER_TENANT", "TENANT", "eventually"]


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """An HTTP endpoint of the test's own: records every request, answers with the next planned status
    (then ``default``)."""

    port: int = 0
    default: int = 200
    planned: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    delay: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def answering(self, *statuses: int) -> "Receiver":
        self.planned = list(statuses)
        return self

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.received.append(Received({k.decode(): v.decode() for k, v in scope["headers"]}, body))
        if self.delay:
            await asyncio.sleep(self.delay)
        status = self.planned.pop(0) if self.planned else self.default
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"got it"})

    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.received]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    server = uvicorn.Server(uvicorn.Config(found, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    server.config.setup_event_loop = lambda: None  # type: ignore[method-assign]
    serving = asyncio.create_task(server.serve())
    await eventually(lambda: server.started)
    found.port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield found
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(serving, 5)


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
    return {
        "participantId": participant_id,
        "participantName": "Ada Lovelace",
        "registrationCode": f"REG-{participant_id[-6:]}",
        "eventId": "event-1",
        "workflowId": "wf",
        "workflowVersionId": "wfv",
        "action": "APPROVE",
        "stepId": "step",
        "stepName": "Review",
        "previousStepId": "step",
        "nextStepId": None,
        "isComplete": True,
        "previousStatus": "IN_PROGRESS",
        "status": "APPROVED",
        "approvalId": new_id(),
        "version": 2,
        **changes,
    }


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
