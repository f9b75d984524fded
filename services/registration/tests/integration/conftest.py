"""A running registration service on real PostgreSQL and nats-server, driven over the bus as the
gateway would, with the events service's events published the way it publishes them."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from registration_svc.adapters import tables
from registration_svc.bootstrap import SERVICE as REGISTRATION

from plenary_contracts.catalog import events as events_contract
from plenary_contracts.streams import consumer
from plenary_kit.bus.connection import connect
from plenary_kit.ids import new_id
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.harness import ADMIN, OTHER_TENANT, TENANT, ServiceHarness

__all__ = ["ADMIN", "OTHER_TENANT", "TENANT"]  # the tests import them from here
from plenary_kit.testing.plugin import eventually


@dataclass
class SeededEvent:
    id: str
    tenant_id: str
    types: dict[str, str] = field(default_factory=dict)  # participant type code → id
    fields: dict[str, str] = field(default_factory=dict)  # field name → id

    @property
    def type_id(self) -> str:
        """The first participant type's id."""
        return next(iter(self.types.values()))


@dataclass
class RegistrationService(ServiceHarness):
    settings: Settings

    async def seed_event(
        self,
        *,
        tenant: str = TENANT,
        types: tuple[str, ...] = ("DELEGATE",),
        fields: tuple[dict[str, Any], ...] = (),
        start: datetime | None = None,
        days: int = 3,
    ) -> SeededEvent:
        """Publish an event, its participant types and its fields as the events service does; wait until
        registration's read model holds them all. ``fields`` are CreateFieldDefinition bodies (camelCase)."""
        now = datetime.now(UTC)
        start = start or now + timedelta(days=30)
        seeded = SeededEvent(new_id(), tenant)
        stamp = {"tenantId": tenant, "createdAt": now.isoformat(), "updatedAt": now.isoformat()}
        await self.publish(
            events_contract.EVENT_CREATED,
            {
                "event": {
                    "id": seeded.id,
                    "name": f"Congress {seeded.id[:6]}",
                    "description": "",
                    "status": "PUBLISHED",
                    "startDate": start.isoformat(),
                    "endDate": (start + timedelta(days=days)).isoformat(),
                    "timezone": "UTC",
                    **stamp,
                }
            },
            tenant=tenant,
        )
        for code in types:
            type_id = new_id()
            seeded.types[code] = type_id
            record = {"id": type_id, "eventId": seeded.id, "name": code.title(), "code": code, **stamp}
            await self.publish(events_contract.PARTICIPANT_TYPE_CREATED, {"participantType": record}, tenant=tenant)
        for body in fields:
            field_id = new_id()
            seeded.fields[body["name"]] = field_id
            record = {
                "id": field_id,
                "eventId": seeded.id,
                "entityType": "Participant",
                "label": body["name"].title(),
                "sortOrder": len(seeded.fields),
                "isRequired": False,
                "isUnique": False,
                "isSearchable": False,
                "isFilterable": False,
                **body,
                **stamp,
            }
            await self.publish(events_contract.FIELD_DEFINITION_CREATED, {"fieldDefinition": record}, tenant=tenant)

        async def held() -> bool:
            async with self.runtime.engine.connect() as conn:
                found_types = await conn.scalar(
                    sa.select(sa.func.count()).where(tables.participant_type.c.event_id == seeded.id)
                )
                found_fields = await conn.scalar(
                    sa.select(sa.func.count()).where(tables.field_definition.c.event_id == seeded.id)
                )
                found_event = await conn.scalar(sa.select(sa.func.count()).where(tables.event.c.id == seeded.id))
            return found_event == 1 and found_types == len(types) and found_fields == len(fields)

        await eventually(held, timeout=20)
        return seeded

    @asynccontextmanager
    async def screening_held(self, event_id: str, tenant: str = TENANT) -> AsyncIterator[None]:
        """Hold the event's screening lock, as a registration of the event does while it screens: every
        registration whose scope holds the event waits until the block ends."""
        lock = sa.func.hashtextextended(f"registration-screening:{tenant}:{event_id}", 0)
        async with self.runtime.engine.connect() as holder:
            await holder.execute(sa.select(sa.func.pg_advisory_lock(lock)))
            try:
                yield
            finally:
                await holder.execute(sa.select(sa.func.pg_advisory_unlock(lock)))

    async def waiting_for_locks(self, count: int) -> None:
        """Wait until ``count`` transactions wait for an advisory lock (screening, idempotency keys)."""
        query = sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        await eventually(lambda: self._scalar_is(query, count), timeout=20)

    async def _scalar_is(self, query: Any, expected: int) -> bool:
        return await self.scalar(query) == expected

    async def caught_up(self, durable: str) -> None:
        """Wait until the durable consumer handled (and acked) every message of its stream so far."""
        spec = consumer(durable)
        js = self.nc.jetstream()

        async def done() -> bool:
            info = await js.consumer_info(spec.stream, spec.durable)
            last = (await js.stream_info(spec.stream)).state.last_seq
            return info.delivered.stream_seq >= last and info.num_pending == 0 and info.num_ack_pending == 0

        await eventually(done, timeout=20)


@pytest.fixture
async def registration(plenary_settings: Settings) -> AsyncIterator[RegistrationService]:
    # The waitlist timer is driven by the tests themselves, never by the clock; imports are picked up fast.
    settings = plenary_settings.model_copy(update={"waitlist_timer_seconds": 3600, "import_poll_seconds": 0.2})
    runtime = Runtime(REGISTRATION, settings)
    await runtime.start()
    nc = await connect(settings.nats_url, "registration-test")
    try:
        yield RegistrationService(runtime, nc, settings)
    finally:
        await nc.drain()
        await runtime.stop()
