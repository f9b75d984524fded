"""A running analytics service on real PostgreSQL and nats-server, with the owners' events (events, registration,
workflow, checkin, comms) published the way their outbox relays publish them."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from analytics_svc.bootstrap import SERVICE as ANALYTICS

from plenary_contracts.catalog import analytics as contract
from plenary_contracts.catalog import checkin, registration, workflow
from plenary_contracts.catalog import events as events_contract
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.events import EventSpec
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_contracts.streams import consumers_of
from plenary_kit.bus.connection import connect
from plenary_kit.ids import new_id
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.harness import ADMIN, OTHER_TENANT, TENANT, ServiceHarness, consumers_settled
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.producing import produced

__all__ = ["ADMIN", "OTHER_TENANT", "TENANT", "eventually"]


def iso(at: datetime) -> str:
    return at.isoformat()


@dataclass(frozen=True)
class Participant:
    id: str
    tenant_id: str
    event_id: str
    type_id: str
    record: dict[str, Any]


@dataclass
class AnalyticsService(ServiceHarness):
    settings: Settings

    async def on(self, *tenants: str) -> None:
        """Turn the dashboard's flag on for these tenants (the test tenant when none is named)."""
        tenants = tenants or (TENANT,)
        await put_flag(self.nc, FlagKey.ANALYTICS_DASHBOARD, tenants=tenants)
        flags = self.runtime.flags
        await eventually(
            lambda: all(flags.is_enabled(FlagKey.ANALYTICS_DASHBOARD, FlagContext(tenant_id=t)) for t in tenants)
        )

    async def send(
        self, spec: EventSpec, data: dict[str, Any], *, tenant: str = TENANT, at: datetime | None = None
    ) -> CloudEvent:
        """Publish an event as its producer would, stamped ``at`` (its CloudEvent time)."""
        event = produced(spec, data, tenant=tenant, actor=ADMIN)
        if at is not None:
            event = event.model_copy(update={"time": at})
        await self.nc.jetstream().publish(spec.subject, event.to_nats_payload(), headers=event.to_nats_headers())
        return event

    async def redeliver(self, spec: EventSpec, event: CloudEvent) -> None:
        """The same CloudEvent again, past JetStream's duplicate window: only its id is the same."""
        headers = {k: v for k, v in event.to_nats_headers().items() if k != "Nats-Msg-Id"}
        await self.nc.jetstream().publish(spec.subject, event.to_nats_payload(), headers=headers)

    async def event(self, name: str = "Summit", *, tenant: str = TENANT, at: datetime | None = None) -> str:
        now = at or datetime.now(UTC)
        event_id = new_id()
        record = {
            "id": event_id, "tenantId": tenant, "name": name, "description": "", "status": "PUBLISHED",
            "startDate": iso(now), "endDate": iso(now), "timezone": "UTC", "createdAt": iso(now), "updatedAt": iso(now),
        }  # fmt: skip
        await self.send(events_contract.EVENT_CREATED, {"event": record}, tenant=tenant)
        return event_id

    async def delete_event(self, event_id: str, *, tenant: str = TENANT) -> None:
        await self.send(events_contract.EVENT_DELETED, {"eventId": event_id}, tenant=tenant)

    async def workflow(self, event_id: str, *, tenant: str = TENANT) -> str:
        now = iso(datetime.now(UTC))
        workflow_id = new_id()
        record = {
            "id": workflow_id, "tenantId": tenant, "eventId": event_id, "name": "Accreditation", "status": "PUBLISHED",
            "createdAt": now, "updatedAt": now,
        }  # fmt: skip
        await self.send(workflow.WORKFLOW_CREATED, {"workflow": record}, tenant=tenant)
        return workflow_id

    async def register(
        self, event_id: str, *, type_id: str = "type-a", tenant: str = TENANT, at: datetime | None = None
    ) -> Participant:
        now = iso(at or datetime.now(UTC))
        pid = new_id()
        record = {
            "id": pid, "tenantId": tenant, "eventId": event_id, "participantTypeId": type_id,
            "registrationCode": f"R{pid[-8:]}", "firstName": "Ada", "lastName": "Lovelace", "status": "PENDING",
            "createdAt": now, "updatedAt": now,
        }  # fmt: skip
        await self.send(registration.PARTICIPANT_REGISTERED, {"participant": record}, tenant=tenant)
        return Participant(pid, tenant, event_id, type_id, record)

    async def act(
        self, p: Participant, action: str, status: str, *, version: int, at: datetime, step: str = "step-1"
    ) -> None:
        """Workflow's two events for an action: the action's own and ``status_changed``."""
        payload = {
            "participantId": p.id, "participantName": "Ada Lovelace", "registrationCode": p.record["registrationCode"],
            "eventId": p.event_id, "workflowId": "wf", "workflowVersionId": "wfv", "action": action, "stepId": step,
            "stepName": "Review", "previousStepId": step, "nextStepId": None, "isComplete": True,
            "previousStatus": "PENDING", "status": status, "approvalId": new_id(), "version": version,
        }  # fmt: skip
        spec = {"APPROVE": workflow.PARTICIPANT_APPROVED, "REJECT": workflow.PARTICIPANT_REJECTED}[action]
        await self.send(spec, payload, tenant=p.tenant_id, at=at)
        await self.send(workflow.PARTICIPANT_STATUS_CHANGED, payload, tenant=p.tenant_id, at=at)

    async def delete(self, p: Participant) -> None:
        await self.send(
            registration.PARTICIPANT_DELETED, {"participantId": p.id, "eventId": p.event_id}, tenant=p.tenant_id
        )

    async def merge(self, survivor: Participant, merged: Participant) -> None:
        data = {"survivorId": survivor.id, "mergedIds": [merged.id], "eventId": survivor.event_id}
        await self.send(registration.PARTICIPANT_MERGED, data, tenant=survivor.tenant_id)

    async def scan(self, event_id: str, checkpoint_id: str, movement: str | None, result: str = "VALID") -> None:
        scan = {
            "id": new_id(), "tenantId": TENANT, "eventId": event_id, "checkpointId": checkpoint_id,
            "participantId": None, "scanType": "QR_SCAN", "scanResult": result, "reason": "", "movement": movement,
            "qrPayload": "x", "scannedBy": ADMIN, "scannedAt": iso(datetime.now(UTC)),
        }  # fmt: skip
        await self.send(checkin.SCAN_COMPLETED, {"scan": scan})

    async def settled(self) -> None:
        """Wait until every analytics durable has handled and acknowledged everything published so far."""
        await consumers_settled(self.nc, consumers_of("analytics"))

    async def figures(self, tenant: str = TENANT, **filters: Any) -> dict[str, Any]:
        """The summary, statuses and dashboard as JSON, for comparing two moments."""
        summary = await self.call(contract.GET_SUMMARY, filters, tenant=tenant)
        statuses = await self.call(contract.GET_STATUS_DISTRIBUTION, filters, tenant=tenant)
        board = await self.call(contract.GET_DASHBOARD, {"eventId": filters.get("eventId")}, tenant=tenant)
        return {
            "summary": summary.model_dump(mode="json"),
            "statuses": statuses.model_dump(mode="json"),
            "dashboard": board.model_dump(mode="json"),
        }


async def scripted_day(analytics) -> dict[str, str]:
    """Registrations, approvals, rejections, scans, a merge and a deletion in one event; returns the ids."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    event_id = await analytics.event("Summit")
    other_event = await analytics.event("Expo")
    await analytics.workflow(event_id)
    people = [await analytics.register(event_id, at=start) for _ in range(8)]
    await analytics.register(event_id, type_id="type-b", at=start)
    await analytics.register(other_event, at=start)
    for i, p in enumerate(people[:4]):
        await analytics.act(p, "APPROVE", "APPROVED", version=2, at=start + timedelta(minutes=30 + i))
    await analytics.act(people[4], "REJECT", "REJECTED", version=2, at=start + timedelta(minutes=60))
    await analytics.merge(people[0], people[5])  # a pending duplicate merged into an approved participant
    await analytics.delete(people[6])  # a pending participant deleted
    await analytics.scan(event_id, "gate", "in")
    await analytics.scan(event_id, "gate", "in")
    await analytics.scan(event_id, "gate", "out")
    await analytics.scan(event_id, "gate", None, result="REVOKED")
    return {"event": event_id, "other": other_event}


@pytest.fixture
async def analytics(plenary_settings: Settings) -> AsyncIterator[AnalyticsService]:
    # The hourly snapshot job is driven by the tests themselves, never by the clock.
    settings = plenary_settings.model_copy(update={"analytics_snapshot_check_seconds": 3600})
    runtime = Runtime(ANALYTICS, settings)
    await runtime.start()
    nc = await connect(settings.nats_url, "analytics-test")
    try:
        yield AnalyticsService(runtime, nc, settings)
    finally:
        await nc.drain()
        await runtime.stop()
