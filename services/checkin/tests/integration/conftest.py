"""A running checkin service on real PostgreSQL and nats-server, driven over the bus as the gateway would,
with the events, registration and workflow services' events published the way they publish them."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from checkin_svc.adapters import tables
from checkin_svc.bootstrap import SERVICE as CHECKIN
from sqlalchemy.dialects.postgresql import insert

from plenary_contracts.catalog import events as events_contract
from plenary_contracts.catalog import registration, workflow
from plenary_contracts.enums import ParticipantStatus
from plenary_contracts.streams import consumer
from plenary_kit.bus.connection import connect
from plenary_kit.discovery import load_services
from plenary_kit.ids import new_id
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.harness import ADMIN, OTHER_TENANT, TENANT, ServiceHarness, consumers_settled
from plenary_kit.testing.plugin import eventually

__all__ = ["ADMIN", "OTHER_TENANT", "TENANT", "eventually"]  # the tests import them from here


@dataclass(frozen=True)
class SeededEvent:
    id: str
    tenant_id: str
    type_id: str
    timezone: str
    end_date: datetime


@dataclass(frozen=True)
class SeededParticipant:
    id: str
    tenant_id: str
    event_id: str
    registration_code: str
    email: str
    type_id: str


def status_change(
    participant: SeededParticipant, status: ParticipantStatus, *, version: int, participant_id: str | None = None
) -> dict[str, Any]:
    """Workflow's ``participant.status_changed`` payload for a participant (``participant_id`` overrides whom)."""
    return {
        "participantId": participant_id or participant.id,
        "participantName": "Ada Lovelace",
        "registrationCode": participant.registration_code,
        "eventId": participant.event_id,
        "workflowId": "wf",
        "workflowVersionId": "wfv",
        "action": "REJECT" if status is ParticipantStatus.REJECTED else "APPROVE",
        "stepId": "step",
        "stepName": "Review",
        "previousStepId": "step",
        "nextStepId": None,
        "isComplete": True,
        "previousStatus": "IN_PROGRESS",
        "status": status.value,
        "approvalId": new_id(),
        "version": version,
    }


@dataclass
class CheckinService(ServiceHarness):
    settings: Settings

    async def seed_event(
        self, *, tenant: str = TENANT, timezone: str = "UTC", ends_in: timedelta = timedelta(days=3)
    ) -> SeededEvent:
        """Publish an event as the events service does; wait until checkin's read model holds it."""
        now = datetime.now(UTC)
        end = now + ends_in
        event_id = new_id()
        record = {
            "id": event_id,
            "tenantId": tenant,
            "name": f"Summit {event_id[:6]}",
            "description": "",
            "status": "PUBLISHED",
            "startDate": (min(now, end) - timedelta(days=1)).isoformat(),
            "endDate": end.isoformat(),
            "timezone": timezone,
            "createdAt": now.isoformat(),
            "updatedAt": now.isoformat(),
        }
        await self.publish(events_contract.EVENT_CREATED, {"event": record}, tenant=tenant)
        await self.holds(tables.event, event_id)
        return SeededEvent(event_id, tenant, new_id(), timezone, end)

    async def register(
        self,
        event: SeededEvent,
        *,
        status: ParticipantStatus = ParticipantStatus.APPROVED,
        type_id: str | None = None,
        first_name: str = "Ada",
        last_name: str = "Lovelace",
    ) -> SeededParticipant:
        """Publish a registration as the registration service does; wait until checkin holds the participant."""
        now = datetime.now(UTC).isoformat()
        participant_id = new_id()
        code = f"REG-{participant_id[-8:].upper()}"
        email = f"{participant_id[-10:]}@example.org"
        record = {
            "id": participant_id,
            "tenantId": event.tenant_id,
            "eventId": event.id,
            "participantTypeId": type_id or event.type_id,
            "registrationCode": code,
            "firstName": first_name,
            "lastName": last_name,
            "email": email,
            "status": status.value,
            "extras": {},
            "createdAt": now,
            "updatedAt": now,
        }
        await self.publish(registration.PARTICIPANT_REGISTERED, {"participant": record}, tenant=event.tenant_id)
        await self.holds(tables.participant, participant_id)
        return SeededParticipant(participant_id, event.tenant_id, event.id, code, email, type_id or event.type_id)

    async def decide(self, participant: SeededParticipant, status: ParticipantStatus, *, version: int) -> None:
        """Publish workflow's status change of a participant (``version`` orders them); wait until mirrored."""
        payload = status_change(participant, status, version=version)
        await self.publish(workflow.PARTICIPANT_STATUS_CHANGED, payload, tenant=participant.tenant_id)
        column = tables.participant.c

        async def mirrored() -> bool:
            return await self.scalar(sa.select(column.status).where(column.id == participant.id)) == status

        await eventually(mirrored, timeout=20)

    async def holds(self, table: sa.Table, row_id: str) -> None:
        async def there() -> bool:
            return await self.scalar(sa.select(sa.func.count()).where(table.c.id == row_id)) == 1

        await eventually(there, timeout=20)

    async def count(self, table: sa.Table, *where: Any) -> int:
        return await self.scalar(sa.select(sa.func.count()).select_from(table).where(*where))


@pytest.fixture
async def checkin(plenary_settings: Settings) -> AsyncIterator[CheckinService]:
    # The kiosk sweep is driven by the tests themselves, never by the clock.
    settings = plenary_settings.model_copy(update={"kiosk_sweep_seconds": 3600})
    runtime = Runtime(CHECKIN, settings)
    await runtime.start()
    nc = await connect(settings.nats_url, "checkin-test")
    try:
        yield CheckinService(runtime, nc, settings)
    finally:
        await nc.drain()
        await runtime.stop()


async def consumed(service: ServiceHarness, durable: str) -> None:
    """Wait until the durable (each of its lanes) has handled and acknowledged every event published so far:
    the way to see that an event was ignored."""
    await consumers_settled(service.nc, [consumer(durable)], timeout=20)


@pytest.fixture
async def identity(checkin: CheckinService) -> AsyncIterator[Runtime]:
    """identity running beside checkin, which pairs devices and kiosks through identity's API keys; it holds
    the test tenants (an API key belongs to a tenant identity knows)."""
    (spec,) = load_services(["identity"])
    runtime = Runtime(spec, checkin.settings)
    tenant = spec.metadata.tables["identity.tenant"]
    rows = [
        {"id": t, "name": t, "slug": t, "email": f"office@{t}.test", "phone": "+251000000"}
        for t in (TENANT, OTHER_TENANT)
    ]
    async with runtime.engine.begin() as conn:
        await conn.execute(insert(tenant).on_conflict_do_nothing(), rows)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


async def add_checkpoint(
    service: CheckinService,
    event: SeededEvent,
    *,
    direction: str = "entry",
    reentry: str = "once-per-day",
    zone_id: str | None = None,
    allowed_type_ids: list[str] | None = None,
    refuse_passback: bool = False,
    is_active: bool = True,
) -> str:
    """A checkpoint of the event, written straight into checkin's table: scan tests set up their gates
    without the checkpoint operations (and the events service those ask about participant types)."""
    checkpoint_id = new_id()
    await service.execute(
        sa.insert(tables.checkpoint).values(
            id=checkpoint_id,
            tenant_id=event.tenant_id,
            event_id=event.id,
            name=f"Gate {checkpoint_id[-6:]}",
            type="gate",
            direction=direction,
            reentry=reentry,
            zone_id=zone_id,
            allowed_participant_type_ids=allowed_type_ids,
            refuse_passback=refuse_passback,
            is_active=is_active,
        )
    )
    return checkpoint_id
