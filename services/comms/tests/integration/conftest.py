"""A running comms service on real PostgreSQL and nats-server, with a real SMTP server (aiosmtpd on 127.0.0.1)
and the other services' events published the way their outbox relays publish them."""

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from comms_svc.adapters import tables
from comms_svc.bootstrap import SERVICE as COMMS

from plenary_contracts.catalog import events as events_contract
from plenary_contracts.catalog import identity, registration
from plenary_contracts.flags import FlagKey
from plenary_kit.bus.connection import connect
from plenary_kit.ids import new_id
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.harness import ADMIN, OTHER_TENANT, TENANT, ServiceHarness
from plenary_kit.testing.plugin import eventually

__all__ = ["ADMIN", "OTHER_TENANT", "TENANT", "eventually"]


@dataclass
class MailSink:
    """What the SMTP server accepted, and how it answers: ``refuse`` refusals (451) before accepting, a pause
    per message."""

    messages: list[Message] = field(default_factory=list)
    refuse: int = 0
    refused: int = 0
    pause: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.pause:
            await asyncio.sleep(self.pause)
        with self.lock:
            if self.refused < self.refuse:
                self.refused += 1
                return "451 4.3.0 try again later"
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for m in self.messages]

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def mail() -> Any:
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield sink, controller.port
    finally:
        controller.stop()


@dataclass(frozen=True)
class SeededEvent:
    id: str
    tenant_id: str
    type_id: str


@dataclass
class CommsService(ServiceHarness):
    settings: Settings
    sink: MailSink

    async def hub(self, tenant: str = TENANT) -> None:
        await self.flags(FlagKey.COMMUNICATION_HUB, FlagKey.NOTIFICATIONS, tenant=tenant)

    async def seed_event(self, *, tenant: str = TENANT, timezone: str = "UTC", name: str = "Summit") -> SeededEvent:
        """Publish an event and a participant type as the events service does; wait until comms holds both."""
        now = datetime.now(UTC)
        event_id, type_id = new_id(), new_id()
        record = {
            "id": event_id,
            "tenantId": tenant,
            "name": name,
            "description": "",
            "status": "PUBLISHED",
            "startDate": datetime(2027, 3, 15, 22, 30, tzinfo=UTC).isoformat(),
            "endDate": datetime(2027, 3, 18, tzinfo=UTC).isoformat(),
            "timezone": timezone,
            "createdAt": now.isoformat(),
            "updatedAt": now.isoformat(),
        }
        await self.publish(events_contract.EVENT_CREATED, {"event": record}, tenant=tenant)
        kind = {
            "id": type_id,
            "tenantId": tenant,
            "eventId": event_id,
            "name": "Delegate",
            "code": "DEL",
            "createdAt": now.isoformat(),
            "updatedAt": now.isoformat(),
        }
        await self.publish(events_contract.PARTICIPANT_TYPE_CREATED, {"participantType": kind}, tenant=tenant)
        await self.holds(tables.event, event_id)
        await self.holds(tables.participant_type, type_id)
        return SeededEvent(event_id, tenant, type_id)

    def participant_record(self, event: SeededEvent, **overrides: Any) -> dict[str, Any]:
        now = datetime.now(UTC).isoformat()
        participant_id = new_id()
        record = {
            "id": participant_id,
            "tenantId": event.tenant_id,
            "eventId": event.id,
            "participantTypeId": event.type_id,
            "registrationCode": f"REG-{participant_id[-8:].upper()}",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "email": f"{participant_id[-10:]}@example.org",
            "status": "APPROVED",
            "extras": {},
            "createdAt": now,
            "updatedAt": now,
        }
        return {**record, **overrides}

    async def register(self, event: SeededEvent, **overrides: Any) -> dict[str, Any]:
        """Publish a registration as the registration service does; wait until comms holds the participant."""
        record = self.participant_record(event, **overrides)
        await self.publish(registration.PARTICIPANT_REGISTERED, {"participant": record}, tenant=event.tenant_id)
        await self.holds(tables.participant, record["id"])
        return record

    async def populate(self, event: SeededEvent, count: int, **overrides: Any) -> list[dict[str, Any]]:
        """Many participants written straight into comms' read model (what registration's events keep there)."""
        rows, records = [], []
        start = datetime.now(UTC) - timedelta(hours=1)
        for i in range(count):
            participant_id = new_id()
            record = {
                "id": participant_id,
                "tenant_id": event.tenant_id,
                "event_id": event.id,
                "participant_type_id": event.type_id,
                "first_name": f"Person{i:04d}",
                "last_name": "Tester",
                "email": f"p{i:04d}.{participant_id[-6:]}@example.org",
                "status": "APPROVED",
                "extras": {},
                "registered_at": start + timedelta(seconds=i),
                "source_updated_at": start,
                **overrides,
            }
            rows.append(record)
            records.append(record)
        await self.execute(sa.insert(tables.participant), rows)
        return records

    async def add_user(self, *, tenant: str = TENANT, email: str | None = None) -> dict[str, Any]:
        now = datetime.now(UTC).isoformat()
        user_id = new_id()
        user = {
            "id": user_id,
            "email": email or f"{user_id[-8:]}@staff.example.org",
            "username": user_id,
            "name": "Grace Hopper",
            "status": "ACTIVE",
            "tenantId": tenant,
            "roles": [],
            "createdAt": now,
            "updatedAt": now,
        }
        await self.publish(identity.USER_CREATED, {"user": user}, tenant=tenant)
        await self.holds(tables.recipient_user, user_id)
        return user

    async def holds(self, table: sa.Table, row_id: str) -> None:
        async def there() -> bool:
            return await self.scalar(sa.select(sa.func.count()).where(table.c.id == row_id)) == 1

        await eventually(there, timeout=20)

    async def count(self, table: sa.Table, *where: Any) -> int:
        return await self.scalar(sa.select(sa.func.count()).select_from(table).where(*where))

    async def broadcast_row(self, broadcast_id: str) -> Any:
        async with self.runtime.engine.connect() as conn:
            query = sa.select(tables.broadcast_message).where(tables.broadcast_message.c.id == broadcast_id)
            return (await conn.execute(query)).one()

    async def settled(self, broadcast_id: str, status: str = "SENT", timeout: float = 30) -> Any:
        async def done() -> bool:
            return (await self.broadcast_row(broadcast_id)).status == status

        await eventually(done, timeout=timeout)
        return await self.broadcast_row(broadcast_id)


def comms_settings(settings: Settings, port: int, **overrides: Any) -> Settings:
    values = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "comms_poll_seconds": 0.05,
        "comms_retry_delays_seconds": [0, 0],
        "comms_schedule_seconds": 0.2,
        **overrides,
    }
    return settings.model_copy(update=values)


async def start_comms(settings: Settings) -> Runtime:
    runtime = Runtime(COMMS, settings)
    await runtime.start()
    return runtime


@pytest.fixture
async def comms_factory(plenary_settings: Settings, mail: Any) -> AsyncIterator[Callable[..., Any]]:
    """Starts comms (``**overrides`` of its settings); every runtime started is stopped at the end."""
    sink, port = mail
    runtimes: list[Runtime] = []
    connections: list[Any] = []

    async def make(**overrides: Any) -> CommsService:
        settings = comms_settings(plenary_settings, port, **overrides)
        runtime = await start_comms(settings)
        runtimes.append(runtime)
        nc = await connect(settings.nats_url, "comms-test")
        connections.append(nc)
        return CommsService(runtime, nc, settings, sink)

    try:
        yield make
    finally:
        for nc in connections:
            await nc.drain()
        for runtime in runtimes:
            await runtime.stop()


@pytest.fixture
async def comms(comms_factory: Callable[..., Any]) -> CommsService:
    service = await comms_factory()
    await service.hub()
    return service
