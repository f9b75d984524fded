"""A running workflow service on real PostgreSQL and nats-server, driven over the bus as the gateway
would, with registration's events published the way registration publishes them.

The events service runs beside it, since workflow asks it whether the events and participant types a
workflow names exist. Tests name events and types by readable ids ("event-1", "type-delegate"): the
harness puts them, under those ids, in the events service's own tables (``seed_event``), as if an
organiser had created them. Reviewers are identity's users as workflow's directory holds them."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.dialects.postgresql import insert
from workflow_svc.adapters.tables import user_directory
from workflow_svc.bootstrap import SERVICE as WORKFLOW

from plenary_contracts.catalog import workflow as workflow_contract
from plenary_contracts.errors import NotFound
from plenary_kit.bus.connection import connect
from plenary_kit.discovery import load_services
from plenary_kit.ids import new_id
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.harness import ADMIN, OTHER_TENANT, TENANT, ServiceHarness

__all__ = ["ADMIN", "OTHER_TENANT", "TENANT"]  # the tests import them from here
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.registration import publish_registration

EVENT = "event-1"
PARTICIPANT_TYPE = "type-delegate"
REVIEWERS = ("reviewer-1", "reviewer-2", "reviewer-3", "r1", "r2", "r3", "busy", "idle", "light")
_LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)  # any event from identity is newer


@dataclass
class WorkflowService(ServiceHarness):
    settings: Settings
    events_service: Runtime

    async def seed_event(
        self, event_id: str = EVENT, *, tenant: str = TENANT, types: tuple[str, ...] = (PARTICIPANT_TYPE,)
    ) -> None:
        """The event and its participant types, under these ids, in the events service of ``tenant``
        (kept when already there)."""
        tables = self.events_service.spec.metadata.tables
        event, participant_type = tables["events.event"], tables["events.participant_type"]
        start = datetime.now(UTC) + timedelta(days=30)
        async with self.events_service.engine.begin() as conn:
            await conn.execute(
                insert(event)
                .values(
                    id=event_id,
                    tenant_id=tenant,
                    name=f"Congress {event_id}",
                    description="",
                    status="PUBLISHED",
                    start_date=start,
                    end_date=start + timedelta(days=3),
                )
                .on_conflict_do_nothing()
            )
            for type_id in types:
                values = {"id": type_id, "tenant_id": tenant, "event_id": event_id, "name": type_id, "code": type_id}
                await conn.execute(insert(participant_type).values(**values).on_conflict_do_nothing())

    async def seed_reviewers(self, *user_ids: str, tenant: str = TENANT) -> None:
        """identity's users, as workflow's directory holds them once identity's events arrived."""
        rows = [{"id": u, "tenant_id": tenant, "updated_at": _LONG_AGO} for u in user_ids]
        await self.execute(insert(user_directory).on_conflict_do_nothing(), rows)

    async def progress(self, pid: str, *, tenant: str = TENANT) -> workflow_contract.ParticipantProgress:
        return await self.call(workflow_contract.GET_PROGRESS, {"participantId": pid}, tenant=tenant)

    async def at(self, pid: str, step_id: str) -> workflow_contract.ParticipantProgress:
        """The participant's progress once it stands at ``step_id`` (registration's event may still be in flight)."""

        async def there() -> workflow_contract.ParticipantProgress | None:
            try:
                seen = await self.progress(pid)
            except NotFound:
                return None
            return seen if seen.current_step_id == step_id else None

        return await eventually(there, timeout=20)

    async def build(
        self, steps: list[dict[str, Any]], *, event_id: str = EVENT, tenant: str = TENANT, **fields: Any
    ) -> "Built":
        """Create a workflow from steps named by ``key``; targets, routes and fork/join refer to keys. Publishes it.
        The event (and the participant type named) are seeded first."""
        named_type = fields.get("participantTypeId")
        await self.seed_event(event_id, tenant=tenant, types=(PARTICIPANT_TYPE, *([named_type] if named_type else [])))
        wf = await self.call(
            workflow_contract.CREATE_WORKFLOW,
            {"eventId": event_id, "name": f"wf-{new_id()[:6]}", **fields},
            tenant=tenant,
        )
        ids: dict[str, str] = {}
        for order, spec in enumerate(steps):
            plain = {k: v for k, v in spec.items() if k not in _REFERENCES and k != "key"}
            created = await self.call(
                workflow_contract.CREATE_STEP,
                {"workflowId": wf.id, "name": spec["key"], "order": order, **plain},
                tenant=tenant,
            )
            ids[spec["key"]] = created.id
        for spec in steps:
            refs = {k: v for k, v in spec.items() if k in _REFERENCES}
            if refs:
                update = _resolve(refs, ids)
                await self.call(
                    workflow_contract.UPDATE_STEP,
                    {"workflowId": wf.id, "stepId": ids[spec["key"]], **update},
                    tenant=tenant,
                )
        published = await self.call(workflow_contract.PUBLISH_WORKFLOW, {"id": wf.id}, tenant=tenant)
        return Built(wf.id, published.version.id, ids)

    async def register(self, *, tenant: str = TENANT, event_id: str = EVENT, **fields: Any) -> str:
        """Publish ``participant.registered`` as registration does; returns the participant id."""
        return await publish_registration(
            self.nc, tenant, event_id, **{"participantTypeId": PARTICIPANT_TYPE, **fields}
        )


_REFERENCES = ("nextStepId", "rejectionTargetId", "bypassTargetId", "escalationTargetId", "config")


def _resolve(value: Any, ids: dict[str, str]) -> Any:
    """Step keys to ids, wherever a reference sits (targets, route targets, branches, join)."""
    if isinstance(value, dict):
        return {
            k: ids.get(v, v) if k.endswith(("StepId", "TargetId")) and isinstance(v, str) else _resolve(v, ids)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_resolve(v, ids) for v in value]
    return value


@dataclass
class Built:
    workflow_id: str
    version_id: str
    steps: dict[str, str]


@pytest.fixture
async def workflow(plenary_settings: Settings) -> AsyncIterator[WorkflowService]:
    # Timers are driven by the tests themselves, never by the clock.
    settings = plenary_settings.model_copy(update={"workflow_timer_seconds": 3600})
    (events_spec,) = load_services(["events"])
    events_service = Runtime(events_spec, settings)
    await events_service.start()
    runtime = Runtime(WORKFLOW, settings)
    await runtime.start()
    nc = await connect(settings.nats_url, "workflow-test")
    try:
        service = WorkflowService(runtime, nc, settings, events_service)
        await service.seed_event(EVENT, types=(PARTICIPANT_TYPE, "type-press", "type-visitor"))
        await service.seed_reviewers(*REVIEWERS)
        yield service
    finally:
        await nc.drain()
        await runtime.stop()
        await events_service.stop()
