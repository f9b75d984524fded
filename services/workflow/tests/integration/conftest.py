"""A running workflow service on real PostgreSQL and nats-server, driven over the bus as the gateway
would, with registration's events published the way registration publishes them."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from nats.aio.client import Client
from pydantic import BaseModel
from workflow_svc.bootstrap import SERVICE as WORKFLOW

from plenary_contracts.catalog import workflow as workflow_contract
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.errors import NotFound
from plenary_contracts.events import EventSpec
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_contracts.operations import OperationSpec
from plenary_kit import context as ctx
from plenary_kit.bus.connection import connect
from plenary_kit.bus.rpc import call
from plenary_kit.ids import new_id
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.registration import publish_registration

TENANT = "tenant-a"
OTHER_TENANT = "tenant-b"
ADMIN = "admin-user"
EVENT = "event-1"
PARTICIPANT_TYPE = "type-delegate"


@dataclass
class WorkflowService:
    runtime: Runtime
    nc: Client
    settings: Settings

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

    async def flags(self, *keys: FlagKey, tenant: str = TENANT) -> None:
        """Turn flags on for one tenant, as identity's mirror would, and wait until the service sees them."""
        for key in keys:
            await put_flag(self.nc, key, tenants=(tenant,))
        await eventually(lambda: all(self.runtime.flags.is_enabled(k, FlagContext(tenant_id=tenant)) for k in keys))

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
        """Create a workflow from steps named by ``key``; targets, routes and fork/join refer to keys. Publishes it."""
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

    async def publish(self, spec: EventSpec, data: dict[str, Any], *, tenant: str = TENANT) -> CloudEvent:
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
        outbox = WORKFLOW.messaging.outbox
        async with self.runtime.engine.connect() as conn:
            rows = await conn.execute(
                sa.select(outbox.c.envelope).where(outbox.c.subject == spec.subject).order_by(outbox.c.created_at)
            )
            return [r.envelope["data"] for r in rows]

    async def execute(self, statement: Any) -> Any:
        async with self.runtime.engine.begin() as conn:
            return await conn.execute(statement)


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
    runtime = Runtime(WORKFLOW, settings)
    await runtime.start()
    nc = await connect(settings.nats_url, "workflow-test")
    try:
        yield WorkflowService(runtime, nc, settings)
    finally:
        await nc.drain()
        await runtime.stop()
