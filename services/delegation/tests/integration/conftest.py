"""A running delegation service on real PostgreSQL and nats-server, driven over the bus as the gateway would.

The events service runs beside it (delegation asks it whether a quota's event exists; registration asks it
for the event's types and fields). Tests name events and types by readable ids: the harness puts them, under
those ids, in the events service's own tables, as if an organiser had created them. Registration runs too
when a test registers delegates (``registration`` fixture)."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from delegation_svc.adapters.tables import delegation_invite, delegation_quota
from delegation_svc.bootstrap import SERVICE as DELEGATION
from sqlalchemy.dialects.postgresql import insert

from plenary_contracts.catalog import delegation as contract
from plenary_contracts.flags import FlagKey
from plenary_kit.bus.connection import connect
from plenary_kit.discovery import load_services
from plenary_kit.sealing import Sealer
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.harness import ADMIN, OTHER_TENANT, TENANT, ServiceHarness
from plenary_kit.testing.plugin import eventually

__all__ = ["ADMIN", "OTHER_TENANT", "TENANT", "eventually"]  # the tests import them from here

EVENT = "event-1"
DELEGATE_TYPE = "type-delegate"
ORG = "org-ghana"


@dataclass
class DelegationService(ServiceHarness):
    settings: Settings
    events_service: Runtime

    async def seed_event(self, event_id: str = EVENT, *, tenant: str = TENANT) -> None:
        """The event and its delegate type, under these ids, in the events service of ``tenant``."""
        tables = self.events_service.spec.metadata.tables
        event, participant_type = tables["events.event"], tables["events.participant_type"]
        start = datetime.now(UTC) + timedelta(days=30)
        async with self.events_service.engine.begin() as conn:
            values = {
                "id": event_id,
                "tenant_id": tenant,
                "name": f"Congress {event_id}",
                "description": "",
                "status": "PUBLISHED",
                "start_date": start,
                "end_date": start + timedelta(days=3),
            }
            await conn.execute(insert(event).values(**values).on_conflict_do_nothing())
            kind = {"id": DELEGATE_TYPE, "tenant_id": tenant, "event_id": event_id, "name": "Delegate", "code": "DEL"}
            await conn.execute(insert(participant_type).values(**kind).on_conflict_do_nothing())

    async def quota(self, places: int, *, org: str = ORG, event: str = EVENT, tenant: str = TENANT) -> contract.Quota:
        body = {"eventId": event, "organizationId": org, "maxParticipants": places}
        return await self.call(contract.UPSERT_QUOTA, body, tenant=tenant)

    async def invite(self, quota: contract.Quota, email: str = "delegate@example.org", **more: Any) -> str:
        """Send an invite; the token as the e-mail's link carries it (unsealed from ``invite.sent``)."""
        invite = await self.call(contract.SEND_INVITE, {"quotaId": quota.id, "email": email, **more})
        return await self.token_of(invite.id)

    async def token_of(self, invite_id: str) -> str:
        """The latest token sent for the invite, opened as comms opens it."""
        sealer = Sealer(self.settings.delegation_invite_secret, contract.SEALING_PURPOSE)
        sent = [e for e in await self.events(contract.INVITE_SENT) if e["invite"]["id"] == invite_id]
        return sealer.unseal(sent[-1]["sealedToken"])

    async def accept(self, token: str) -> Any:
        return await self.call(contract.ACCEPT_INVITE, {"token": token}, tenant=None, actor=None)

    async def invite_row(self, invite_id: str) -> Any:
        async with self.runtime.engine.connect() as conn:
            found = await conn.execute(sa.select(delegation_invite).where(delegation_invite.c.id == invite_id))
            return found.one()

    async def invite_row_by_email(self, email: str) -> Any:
        async with self.runtime.engine.connect() as conn:
            found = await conn.execute(sa.select(delegation_invite).where(delegation_invite.c.email == email))
            return found.one()

    async def used(self, quota_id: str) -> int:
        q = delegation_quota.c
        return await self.scalar(sa.select(q.used_count).where(q.id == quota_id))

    async def expire_in_table(self, invite_id: str) -> None:
        """Move the invite's expiry into the past, as time passing would."""
        past = datetime.now(UTC) - timedelta(minutes=1)
        i = delegation_invite.c
        await self.execute(sa.update(delegation_invite).where(i.id == invite_id).values(expires_at=past))


async def running(settings: Settings) -> tuple[Runtime, Runtime]:
    (events_spec,) = load_services(["events"])
    events_service = Runtime(events_spec, settings)
    await events_service.start()
    runtime = Runtime(DELEGATION, settings)
    await runtime.start()
    return runtime, events_service


@pytest.fixture
async def delegation(plenary_settings: Settings) -> AsyncIterator[DelegationService]:
    # The sweeper is driven by the tests themselves (``Invites.sweep``) unless a test starts its own timer.
    settings = plenary_settings.model_copy(update={"delegation_sweep_seconds": 3600})
    runtime, events_service = await running(settings)
    nc = await connect(settings.nats_url, "delegation-test")
    try:
        service = DelegationService(runtime, nc, settings, events_service)
        await service.flags(FlagKey.DELEGATION_PORTAL)
        await service.seed_event()
        yield service
    finally:
        await nc.drain()
        await runtime.stop()
        await events_service.stop()


@pytest.fixture
async def registration(delegation: DelegationService) -> AsyncIterator[Runtime]:
    """registration beside delegation: delegates register through its one path."""
    (spec,) = load_services(["registration"])
    runtime = Runtime(spec, delegation.settings)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


async def at_once(*calls: Any) -> list[Any]:
    """Run the calls concurrently; each one's reply or the error it raised."""
    return await asyncio.gather(*calls, return_exceptions=True)
