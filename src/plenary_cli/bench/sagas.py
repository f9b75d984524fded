"""The sagas that span the services, each service as its own process:

- ``clone_1000_s``: an event with 1,000 elements across services (20 participant types, 200 field
  definitions, 4 workflows of 100 steps, 200 delegation quotas, 100 checkpoints, 80 saved views) cloned end
  to end through the bus: from the request to the operation read back COMPLETED, every part copied by its
  service (events' own part in the request, then workflow, delegation, checkin, views);
- ``erase_s``: the erasure of one person who has 1,000 access-log rows and 100 message deliveries, every
  service that holds personal data running: from the request to the report read back COMPLETED with every
  receipt (registration's last).
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from nats.aio.client import Client

from plenary_contracts.catalog import checkin, delegation, events, registration, views, workflow
from plenary_contracts.enums import CloneStatus
from plenary_contracts.flags import FlagKey
from plenary_contracts.saga_parts import ERASE_ORDER, EVERY_ELEMENT
from plenary_kit.bus.connection import connect
from plenary_kit.testing.api import api_platform
from plenary_kit.testing.flags import put_flag

from .context import Bench, libpq
from .driving import as_admin, create_event, until
from .report import Figure, below
from .services import ADMIN_PASSWORD, processes

AREA = "sagas"
TENANT = "bench-tenant"
SERVICES = ("events", "registration", "workflow", "delegation", "checkin", "views")  # views asks registration
FLAGS = (FlagKey.EVENT_CLONE, FlagKey.DELEGATION_PORTAL, FlagKey.SAVED_VIEWS, FlagKey.CONDITIONAL_ROUTING)
# 1,000 elements: 20 + 200 + 4 * 100 + 200 + 100 + 80 (and the 4 workflows themselves)
TYPES, FIELDS, WORKFLOWS, STEPS_EACH, QUOTAS, CHECKPOINTS, VIEWS = 20, 200, 4, 100, 200, 100, 80
ERASED_SCANS, ERASED_DELIVERIES = 1_000, 100


async def _at_once(calls: list[Callable[[], Awaitable[Any]]], width: int = 16) -> list[Any]:
    """The calls, ``width`` at a time (setup only: the figure is the clone's)."""
    limit = asyncio.Semaphore(width)

    async def one(call: Callable[[], Awaitable[Any]]) -> Any:
        async with limit:
            return await call()

    return await asyncio.gather(*(one(c) for c in calls))


async def _source(nc: Client) -> str:
    """An event with its 1,000 elements, made through each service's own operations."""
    start = datetime.now(UTC) + timedelta(days=60)
    body = {
        "name": "Bench congress",
        "startDate": start.isoformat(),
        "endDate": (start + timedelta(days=3)).isoformat(),
    }
    event = await until(lambda: as_admin(nc, events.CREATE_EVENT, body, TENANT), 60)
    types = await _at_once(
        [
            lambda n=n: as_admin(
                nc, events.CREATE_PARTICIPANT_TYPE, {"eventId": event.id, "name": f"T{n}", "code": f"T{n}"}, TENANT
            )
            for n in range(TYPES)
        ]
    )
    type_ids = [t.id for t in types]
    await _at_once(
        [
            lambda n=n: as_admin(
                nc,
                events.CREATE_FIELD_DEFINITION,
                {
                    "eventId": event.id,
                    "name": f"field{n}",
                    "label": f"Field {n}",
                    "dataType": "TEXT",
                    "config": {"shownFor": [type_ids[n % TYPES]]},
                },
                TENANT,
            )
            for n in range(FIELDS)
        ]
    )
    for w in range(WORKFLOWS):
        steps = [
            {
                "key": f"s{n}",
                "name": f"Step {n}",
                "order": n,
                "isEntryPoint": n == 0,
                "isTerminal": n == STEPS_EACH - 1,
                **({"nextStepId": f"s{n + 1}"} if n < STEPS_EACH - 1 else {}),
                **({"rejectionTargetId": f"s{n - 1}"} if n else {}),
            }
            for n in range(STEPS_EACH)
        ]
        body = {"eventId": event.id, "name": f"Workflow {w}", "participantTypeId": type_ids[w], "steps": steps}
        await until(lambda b=body: as_admin(nc, workflow.CREATE_WORKFLOW, b, TENANT), 60)
    quota = {"eventId": event.id, "maxParticipants": 5}
    await until(lambda: as_admin(nc, delegation.UPSERT_QUOTA, quota | {"organizationId": "org-0"}, TENANT), 60)
    await _at_once(
        [
            lambda n=n: as_admin(nc, delegation.UPSERT_QUOTA, quota | {"organizationId": f"org-{n}"}, TENANT)
            for n in range(1, QUOTAS)
        ]
    )
    gate = {"eventId": event.id, "zoneId": "hall", "allowedParticipantTypeIds": type_ids[:2]}
    await until(lambda: as_admin(nc, checkin.CREATE_CHECKPOINT, gate | {"name": "Gate 0"}, TENANT), 60)
    await _at_once(
        [
            lambda n=n: as_admin(nc, checkin.CREATE_CHECKPOINT, gate | {"name": f"Gate {n}"}, TENANT)
            for n in range(1, CHECKPOINTS)
        ]
    )
    await _at_once(
        [
            lambda n=n: as_admin(
                nc,
                views.CREATE_VIEW,
                {
                    "name": f"View {n}",
                    "entityType": "participant",
                    "filters": [
                        {"type": "simple", "field": "participantTypeId", "operator": "eq", "value": type_ids[n % TYPES]}
                    ],
                    "config": {"eventId": event.id},
                    "isShared": True,
                },
                TENANT,
            )
            for n in range(VIEWS)
        ]
    )
    return str(event.id)


async def _clone(bench: Bench) -> list[Figure]:
    nc = await connect(bench.nats_url, "bench-sagas")
    try:
        for key in FLAGS:
            await put_flag(nc, key, tenants=(TENANT,))
        source = await _source(nc)
        started = time.perf_counter()
        body = {
            "id": source,
            "targetEventName": "Bench congress, next edition",
            "startDate": "2030-05-01T09:00:00Z",
            "endDate": "2030-05-03T18:00:00Z",
            "elements": EVERY_ELEMENT.model_dump(by_alias=True),
        }
        begun = await as_admin(nc, events.CLONE_EVENT, body, TENANT, timeout=60)

        async def ended() -> Any:
            found = await as_admin(nc, events.GET_CLONE_OPERATION, {"id": begun.id}, TENANT)
            return found if found.status in (CloneStatus.COMPLETED, CloneStatus.ROLLED_BACK) else None

        done = await until(ended, 120, poll=0.02)
        seconds = time.perf_counter() - started
    finally:
        await nc.drain()
    if done.status is not CloneStatus.COMPLETED:
        raise RuntimeError(f"the bench's clone ended {done.status}: {done.error_log}")
    copied = sum(v for k, v in done.elements_copied.items() if k != "totalMappings")
    return [
        Figure(AREA, "sagas.clone_1000_s", seconds, "s", below(10)),
        Figure(AREA, "sagas.clone_1000_elements_copied", copied, "elements"),
    ]


async def _erase(nc: Client, database_url: str) -> list[Figure]:
    event_id, type_id = await create_event(nc, TENANT)
    body = {"eventId": event_id, "participantTypeId": type_id, "firstName": "Ada", "lastName": "Lovelace"}
    body |= {"email": "ada.lovelace@example.org", "registrationCode": "ADA-1"}
    person = await until(lambda: as_admin(nc, registration.REGISTER_PARTICIPANT, body, TENANT), 60)
    gate = {"eventId": event_id, "name": "Main gate"}
    checkpoint = await until(lambda: as_admin(nc, checkin.CREATE_CHECKPOINT, gate, TENANT), 60)
    await asyncio.to_thread(_scans_and_deliveries, database_url, event_id, checkpoint.id, person.id, body["email"])
    started = time.perf_counter()
    report = await as_admin(nc, registration.ERASE_PARTICIPANT, {"id": person.id}, TENANT)

    async def completed() -> Any:
        found = await as_admin(nc, registration.GET_ERASURE, {"id": report.id}, TENANT)
        return found if found.status == "COMPLETED" else None

    done = await until(completed, 60, poll=0.02)
    seconds = time.perf_counter() - started
    erased = {r.service: sum(r.erased.values()) + sum(r.anonymised.values()) for r in done.receipts}
    if set(erased) != {*ERASE_ORDER, "registration"} or erased["checkin"] < ERASED_SCANS:
        raise RuntimeError(f"the bench's erasure missed rows: {erased}")
    return [
        Figure(AREA, "sagas.erase_s", seconds, "s", below(2)),
        Figure(AREA, "sagas.erase_rows", sum(erased.values()), "rows"),
    ]


def _scans_and_deliveries(url: str, event_id: str, checkpoint_id: str, person: str, email: str) -> None:
    """The person's 1,000 access-log rows and 100 deliveries, written straight into checkin's and comms' tables."""
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO checkin.access_log (id, tenant_id, checkpoint_id, event_id, participant_id, scan_type,"
            " scan_result, reason, movement, qr_payload, scanned_by)"
            " SELECT 'scan' || n, %s, %s, %s, %s, 'MANUAL_ENTRY', 'VALID', 'admitted', 'in', 'ADA-1', 'bench-staff'"
            " FROM generate_series(1, %s) AS n",
            (TENANT, checkpoint_id, event_id, person, ERASED_SCANS),
        )
        conn.execute(
            "INSERT INTO comms.message_delivery (id, tenant_id, participant_id, channel, recipient, subject, body,"
            " status) SELECT 'mail' || n, %s, %s, 'EMAIL', %s, 'Your badge', 'Dear Ada Lovelace', 'SENT'"
            " FROM generate_series(1, %s) AS n",
            (TENANT, person, email, ERASED_DELIVERIES),
        )


def _erase_figures(bench: Bench) -> Iterator[Figure]:
    url = bench.database_url()
    with api_platform(url, bench.nats_url, bench.workdir, ADMIN_PASSWORD, {"PLENARY_LOG_LEVEL": "WARNING"}, 0, (
        "events", "registration", *ERASE_ORDER,
    )):  # fmt: skip
        yield from asyncio.run(_connected(bench, lambda nc: _erase(nc, url)))


async def _connected(bench: Bench, work: Callable[[Client], Awaitable[list[Figure]]]) -> list[Figure]:
    nc = await connect(bench.nats_url, "bench-sagas-erase")
    try:
        return await work(nc)
    finally:
        await nc.drain()


def measure(bench: Bench) -> Iterator[Figure]:
    env = {"PLENARY_EVENTS_CLONE_SWEEP_SECONDS": "1"}
    with processes(bench, SERVICES, env=env):
        yield from asyncio.run(_clone(bench))
    yield from _erase_figures(bench)
