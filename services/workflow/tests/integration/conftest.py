"""A running workflow service on real PostgreSQL and nats-server, driven over the bus as the gateway
would, with registration's events published the way registration publishes them."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from workflow_svc.bootstrap import SERVICE as WORKFLOW

from plenary_contracts.catalog import workflow as workflow_contract
from plenary_contracts.errors import NotFound
from plenary_kit.bus.connection import connect
from plenary_kit.ids import new_id
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.harness import ADMIN, OTHER_TENANT, TENANT, ServiceHarness

__all__ = ["ADMIN", "OTHER_TENANT", "TENANT"]  # the tests import them from here
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.registration import publish_registration

EVENT = "event-1"
PARTICIPANT_TYPE = "type-delegate"


@dataclass
class WorkflowService(ServiceHarness):
    settings: Settings

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
