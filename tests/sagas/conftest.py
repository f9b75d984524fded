"""The clone saga across real services: events orchestrating, workflow, delegation, checkin and views copying
their parts, registration beside them, all on one real PostgreSQL and nats-server.

The services run in the test process (``Runtime``), except events when a test must kill it: then it is a
real process (``ServiceProcess``) the test sends SIGKILL to. A source event is configured through each
service's own operations, as an organiser would (``configure_source``)."""

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from nats.aio.client import Client

from plenary_contracts.catalog import checkin, delegation, events, views, workflow
from plenary_contracts.enums import CloneStatus
from plenary_contracts.errors import ValidationFailed
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_contracts.operations import OperationSpec
from plenary_contracts.saga_parts import EVERY_ELEMENT
from plenary_kit import context as ctx
from plenary_kit.bus.connection import connect
from plenary_kit.bus.rpc import call
from plenary_kit.discovery import load_services
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.harness import ADMIN, OTHER_TENANT, TENANT
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.processes import ServiceProcess
from plenary_kit.testing.servers import TEST_PASSWORD, free_port_range

PARTS = ("workflow", "delegation", "checkin", "views")
FLAGS = (
    FlagKey.EVENT_CLONE,
    FlagKey.PARALLEL_WORKFLOWS,
    FlagKey.CONDITIONAL_ROUTING,
    FlagKey.STEP_ASSIGNMENT,
    FlagKey.AUTO_ACTIONS,
    FlagKey.DELEGATION_PORTAL,
    FlagKey.SAVED_VIEWS,
)
# short enough for a test: a part that does not answer is given up after a few seconds, a dead driver's
# saga is taken over within seconds
CLONE_TIMINGS = {
    "events_clone_retry_seconds": 20.0,
    "events_clone_lease_seconds": 3.0,
    "events_clone_sweep_seconds": 0.5,
}
REVIEWER = "reviewer-1"


@dataclass
class Platform:
    settings: Settings
    nc: Client
    runtimes: dict[str, Runtime]
    events_process: ServiceProcess | None = None
    engines: dict[str, Any] = field(default_factory=dict)

    async def call(self, spec: OperationSpec, body: Any, *, tenant: str = TENANT, actor: str = ADMIN) -> Any:
        return await call(self.nc, spec, body, context=ctx.Context(tenant_id=tenant, actor_id=actor))

    def engine(self, service: str) -> Any:
        """A connection pool of ``service``'s own role (its schema only)."""
        if service in self.runtimes:
            return self.runtimes[service].engine
        if service not in self.engines:
            from plenary_kit.db.engine import create_engine_for

            self.engines[service] = create_engine_for(self.settings.service(service).database_url, pool_size=1)
        return self.engines[service]

    async def rows(self, service: str, sql: str, **params: Any) -> list[dict[str, Any]]:
        async with self.engine(service).connect() as conn:
            return [dict(r._mapping) for r in await conn.execute(sa.text(sql), params)]

    async def execute(self, service: str, sql: str, **params: Any) -> None:
        async with self.engine(service).begin() as conn:
            await conn.execute(sa.text(sql), params)

    async def clone(self, source_id: str, name: str = "Congress 2027", **fields: Any) -> events.CloneOperation:
        body = {
            "id": source_id,
            "targetEventName": name,
            "startDate": "2027-05-01T09:00:00Z",
            "endDate": "2027-05-03T18:00:00Z",
            "elements": EVERY_ELEMENT.model_dump(by_alias=True),
        } | fields
        return await self.call(events.CLONE_EVENT, body)

    async def settled(self, operation_id: str, timeout: float = 60) -> events.CloneOperation:
        async def ended() -> events.CloneOperation | None:
            found = await self.call(events.GET_CLONE_OPERATION, {"id": operation_id})
            return found if found.status in (CloneStatus.COMPLETED, CloneStatus.ROLLED_BACK) else None

        return await eventually(ended, timeout=timeout)


@dataclass
class Source:
    event_id: str
    types: dict[str, str]  # code → id
    field_id: str
    workflow_id: str
    steps: dict[str, str]  # name → id
    quotas: list[str]
    checkpoints: list[str]
    views: list[str]


def _service_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "PLENARY_DATABASE_URL": settings.database_url,
        "PLENARY_NATS_URL": settings.nats_url,
        "PLENARY_DB_ROLE_PASSWORD": TEST_PASSWORD,
        "PLENARY_OUTBOX_POLL_SECONDS": "0.2",
        "PLENARY_LOG_JSON": "false",
        **{f"PLENARY_{name.upper()}": str(value) for name, value in CLONE_TIMINGS.items()},
    }


def events_process(settings: Settings, workdir: Path) -> ServiceProcess:
    return ServiceProcess.of("events", _service_env(settings), workdir / "events.log", free_port_range(1))


@contextlib.asynccontextmanager
async def platform_of(
    settings: Settings, *, events_as_process: Path | None = None, services: tuple[str, ...] = (*PARTS, "registration")
) -> AsyncIterator[Platform]:
    """events (in process, or as a real process when given a work directory) and ``services`` in process."""
    settings = settings.model_copy(update=CLONE_TIMINGS)
    names = (*(() if events_as_process else ("events",)), *services)
    runtimes: dict[str, Runtime] = {}
    process = None
    nc = await connect(settings.nats_url, "sagas-test")
    try:
        for key in FLAGS:
            await put_flag(nc, key, tenants=(TENANT, OTHER_TENANT))
        for spec in load_services(list(names)):
            runtimes[spec.name] = Runtime(spec, settings)
            await runtimes[spec.name].start()
        if events_as_process is not None:
            process = events_process(settings, events_as_process)
            process.start()
            await asyncio.to_thread(process.wait_ready)
        await eventually(
            lambda: all(r.flags.is_enabled(k, FlagContext(tenant_id=TENANT)) for r in runtimes.values() for k in FLAGS)
        )
        platform = Platform(settings, nc, runtimes, process)
        await platform.execute(
            "workflow",
            "INSERT INTO workflow.user_directory (id, tenant_id, updated_at) VALUES (:id, :t, '2000-01-01Z')"
            " ON CONFLICT DO NOTHING",
            id=REVIEWER,
            t=TENANT,
        )
        yield platform
    finally:
        if process is not None:
            process.stop()
        await nc.drain()
        for runtime in reversed(list(runtimes.values())):
            await runtime.stop()


@pytest.fixture
async def platform(plenary_settings: Settings) -> AsyncIterator[Platform]:
    async with platform_of(plenary_settings) as running:
        try:
            yield running
        finally:
            for engine in running.engines.values():
                await engine.dispose()


# --- a fully configured source event -------------------------------------------------------------

DELEGATES = "DEL"


def _delegates(type_id: str) -> dict[str, Any]:
    return {"type": "simple", "field": "participantTypeId", "operator": "eq", "value": type_id}


async def configure_source(platform: Platform, name: str = "Congress 2026") -> Source:
    """An event with two participant types and a field of its own; a published fork/join workflow for
    delegates with conditional routes, a reviewer assigned and an auto-action rule; two delegation quotas;
    two checkpoints in a zone, for delegates only; a saved view of the event's delegates."""
    event = await platform.call(
        events.CREATE_EVENT,
        {
            "name": name,
            "description": "The congress",
            "startDate": "2026-05-01T09:00:00Z",
            "endDate": "2026-05-03T18:00:00Z",
        },
    )
    types = {}
    for code in (DELEGATES, "PRESS"):
        created = await platform.call(
            events.CREATE_PARTICIPANT_TYPE, {"eventId": event.id, "name": code.title(), "code": code}
        )
        types[code] = created.id
    passport = await platform.call(
        events.CREATE_FIELD_DEFINITION,
        {
            "eventId": event.id,
            "name": "passportNumber",
            "label": "Passport number",
            "dataType": "TEXT",
            "config": {"shownFor": [types[DELEGATES]]},
        },
    )
    delegates = _delegates(types[DELEGATES])
    steps = [
        {
            "key": "screening",
            "name": "Screening",
            "isEntryPoint": True,
            "nextStepId": "review",
            "config": {"conditionalRoutes": [{"condition": delegates, "targetStepId": "checks", "label": "delegates"}]},
        },
        {
            "key": "review",
            "name": "Review",
            "nextStepId": "checks",
            "rejectionTargetId": "screening",
            "escalationTargetId": "badge",
        },
        {
            "key": "checks",
            "name": "Checks",
            "stepType": "FORK",
            "config": {
                "branches": [{"branchStepId": "security"}, {"branchStepId": "protocol"}],
                "joinStepId": "joined",
            },
        },
        {"key": "security", "name": "Security"},
        {"key": "protocol", "name": "Protocol"},
        {
            "key": "joined",
            "name": "Joined",
            "stepType": "JOIN",
            "nextStepId": "badge",
            "rejectionTargetId": "review",
            "config": {"strategy": "ALL"},
        },
        {"key": "badge", "name": "Badge", "isTerminal": True},
    ]
    steps = [s | {"order": n} for n, s in enumerate(steps)]

    async def workflow_knows_the_event() -> Any:
        try:
            return await platform.call(
                workflow.CREATE_WORKFLOW,
                {"eventId": event.id, "name": "Accreditation", "participantTypeId": types[DELEGATES], "steps": steps},
            )
        except Exception:
            return None

    built = await eventually(workflow_knows_the_event, timeout=20)
    read = await platform.call(workflow.GET_WORKFLOW, {"id": built.id})
    step_ids = {s.name: s.id for s in read.steps or []}
    await platform.call(workflow.ASSIGN_STEP, {"stepId": step_ids["Review"], "userId": REVIEWER, "strategy": "MANUAL"})
    await platform.call(
        workflow.CREATE_AUTO_ACTION_RULE,
        {
            "stepId": step_ids["Review"],
            "name": "Delegates with a passport",
            "conditionExpression": {
                "type": "compound",
                "operator": "and",
                "conditions": [delegates, {"type": "simple", "field": passport.id, "operator": "notEmpty"}],
            },
            "actionType": "AUTO_APPROVE",
            "isActive": False,
        },
    )
    await platform.call(workflow.PUBLISH_WORKFLOW, {"id": built.id})

    async def quota(org: str) -> Any:
        try:
            body = {"eventId": event.id, "organizationId": org, "maxParticipants": 5}
            return await platform.call(delegation.UPSERT_QUOTA, body)
        except Exception:
            return None

    quotas = [(await eventually(lambda o=org: quota(o), timeout=20)).id for org in ("org-ghana", "org-peru")]

    async def checkpoint(name: str) -> Any:
        try:
            body = {
                "eventId": event.id,
                "name": name,
                "zoneId": "hall-a",
                "allowedParticipantTypeIds": [types[DELEGATES]],
            }
            return await platform.call(checkin.CREATE_CHECKPOINT, body)
        except Exception:
            return None

    checkpoints = [(await eventually(lambda n=n: checkpoint(n), timeout=20)).id for n in ("Main gate", "Plenary hall")]
    saved = {
        "name": "Delegates",
        "entityType": "participant",
        "filters": [delegates],
        "columns": [{"field": "passportNumber", "label": "Passport", "visible": True}],
        "config": {"eventId": event.id},
        "isShared": True,
    }

    async def view() -> Any:  # registration learns the event's fields from events' events, a moment later
        try:
            return await platform.call(views.CREATE_VIEW, saved)
        except ValidationFailed:
            return None

    made = await eventually(view, timeout=20)
    return Source(event.id, types, passport.id, built.id, step_ids, quotas, checkpoints, [made.id])


# --- what each service holds of an event ---------------------------------------------------------

HOLDINGS = {
    "events": {
        "event": "SELECT * FROM events.event WHERE id = :e",
        "participant_type": "SELECT * FROM events.participant_type WHERE event_id = :e",
        "field_definition": "SELECT * FROM events.field_definition WHERE event_id = :e",
    },
    "workflow": {
        "workflow": "SELECT * FROM workflow.workflow WHERE event_id = :e",
        "step": "SELECT s.* FROM workflow.step s JOIN workflow.workflow w ON w.id = s.workflow_id"
        " WHERE w.event_id = :e",
        "step_assignment": "SELECT a.* FROM workflow.step_assignment a JOIN workflow.step s ON s.id = a.step_id"
        " JOIN workflow.workflow w ON w.id = s.workflow_id WHERE w.event_id = :e",
        "auto_action_rule": "SELECT r.* FROM workflow.auto_action_rule r JOIN workflow.step s ON s.id = r.step_id"
        " JOIN workflow.workflow w ON w.id = s.workflow_id WHERE w.event_id = :e",
        "workflow_version": "SELECT v.* FROM workflow.workflow_version v JOIN workflow.workflow w"
        " ON w.id = v.workflow_id WHERE w.event_id = :e",
    },
    "delegation": {
        "delegation_quota": "SELECT * FROM delegation.delegation_quota WHERE event_id = :e",
        "delegation_invite": "SELECT i.* FROM delegation.delegation_invite i JOIN delegation.delegation_quota q"
        " ON q.id = i.quota_id WHERE q.event_id = :e",
    },
    "checkin": {"checkpoint": "SELECT * FROM checkin.checkpoint WHERE event_id = :e"},
    "views": {"saved_view": "SELECT * FROM views.saved_view WHERE config->>'eventId' = :e"},
}


async def holdings(platform: Platform, event_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every row each service holds of the event's configuration, by table."""
    found: dict[str, list[dict[str, Any]]] = {}
    for service, queries in HOLDINGS.items():
        for table, sql in queries.items():
            found[table] = await platform.rows(service, sql, e=event_id)
    return found


def strings_of(row: dict[str, Any]) -> set[str]:
    """Every string in a row, JSON columns opened."""
    out: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            out.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    walk(json.loads(json.dumps(row, default=str)))
    return out
