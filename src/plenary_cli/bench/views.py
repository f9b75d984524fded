"""Saved views over a big list, through the gateway: 1,000,000 participants of one event (``views_participants``),
loaded with COPY into registration's table with their extras, and a shared view filtered on status, participant
type and one extras field, sorted by registration date, 50 rows a page, run by the views service on registration.

- ``first_page_p95_ms``: the view's first page, one caller after another;
- ``deep_page_p95_ms``: a page ``views_deep_pages`` pages in (keyset: as cheap as the first);
- ``kanban_ms``: the same filters as a kanban by status (counts per status and each column's first page), p95;
- ``records_p95_ms``: a view of ``views_records`` custom object records (loaded with COPY) filtered on an ENUM
  custom field, newest first, 50 a page, when custom-objects serves record lists (NaN, so NOT MET, when not).
"""

import asyncio
import itertools
import json
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg

from plenary_contracts.catalog import custom_objects, events, registration
from plenary_contracts.catalog import views as contract
from plenary_contracts.enums import ParticipantStatus
from plenary_contracts.flags import FlagKey
from plenary_contracts.row_queries import ViewEntity
from plenary_contracts.viewable import VIEWABLE
from plenary_kit.bus.connection import connect
from plenary_kit.ids import new_id
from plenary_kit.testing.api import Api, api_platform

from .context import Bench, libpq
from .driving import as_admin, create_event, until
from .report import Figure, below
from .services import ADMIN_PASSWORD
from .stats import percentile

AREA = "views"
SERVICES = ("identity", "events", "registration", "custom-objects", "views")
PAGE = 50
COPY_CHUNK = 5_000
SAMPLES = 200
KANBAN_SAMPLES = 20
DIETS = ("VEGAN", "VEGETARIAN", "HALAL", "NONE")
STATUSES = tuple(s.value for s in ParticipantStatus)
CATEGORIES = ("HOTEL", "VEHICLE", "PRESS_PASS", "ROOM", "OTHER")
RECORD_COLUMNS = ("id", "definition_id", "tenant_id", "data", "created_at", "updated_at")
COPY_COLUMNS = (
    "id", "tenant_id", "event_id", "participant_type_id", "registration_code", "first_name", "last_name", "email",
    "status", "extras", "created_at", "updated_at",
)  # fmt: skip


def _participants(tenant: str, event_id: str, types: list[str], count: int) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(19)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(count):
        at = start + timedelta(seconds=rng.randrange(90 * 24 * 3600))
        extras = {"dietaryNeeds": rng.choice(DIETS), "tableNumber": rng.randrange(1, 400)}
        yield (
            new_id(), tenant, event_id, types[n % len(types)], f"B-{n:08d}", f"First{n}", f"Last{n % 9973}",
            f"p{n}@bench.test", rng.choice(STATUSES), json.dumps(extras), at, at,
        )  # fmt: skip


def _records(tenant: str, definition_id: str, count: int) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(count):
        at = start + timedelta(seconds=rng.randrange(90 * 24 * 3600))
        data = {"category": rng.choice(CATEGORIES), "capacity": rng.randrange(1, 500), "code": f"R{n:07d}"}
        yield new_id(), definition_id, tenant, json.dumps(data), at, at


def _copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


async def _load(url: str, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> float:
    """Rows into another service's table with COPY (the bulk loader: text written in chunks of lines, not a
    call per row), then ANALYZE; the rows per second."""
    started, count = time.perf_counter(), 0
    async with await psycopg.AsyncConnection.connect(libpq(url)) as conn:
        async with conn.cursor() as cursor:
            async with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                while chunk := list(itertools.islice(rows, COPY_CHUNK)):
                    await copy.write("".join("\t".join(map(_copy_text, row)) + "\n" for row in chunk))
                    count += len(chunk)
        await conn.commit()
    async with await psycopg.AsyncConnection.connect(libpq(url), autocommit=True) as conn:
        await conn.execute(f"ANALYZE {table}")
    return count / (time.perf_counter() - started)


async def _event_with_extras(nats_url: str, tenant: str) -> tuple[str, list[str]]:
    """An event with two participant types and an ENUM extras field, once registration lists the field."""
    nc = await connect(nats_url, "bench-views")
    try:
        event_id, delegate = await create_event(nc, tenant)
        press = await as_admin(
            nc, events.CREATE_PARTICIPANT_TYPE, {"eventId": event_id, "name": "Press", "code": "PRESS"}, tenant
        )
        field = {
            "eventId": event_id,
            "name": "dietaryNeeds",
            "label": "Dietary needs",
            "dataType": "ENUM",
            "isFilterable": True,
            "config": {"options": [{"value": d} for d in DIETS]},
        }
        await as_admin(nc, events.CREATE_FIELD_DEFINITION, field, tenant)

        async def knows_the_field() -> bool:
            found = await as_admin(nc, registration.PARTICIPANT_FIELDS, {"eventId": event_id}, tenant)
            return any(f.name == "dietaryNeeds" for f in found.fields)

        await until(knows_the_field, 60)
        return event_id, [delegate, press.id]
    finally:
        await nc.drain()


def _timed_get(client: httpx.Client, path: str, params: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = client.get(path, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (response.status_code, response.text)
    return elapsed, response.json()["data"]


def _p95(samples: int, one: Callable[[], float]) -> float:
    one()  # warm: the first request pays for connections and plans
    return percentile([one() for _ in range(samples)], 0.95)


def _view(api: Api, token: str, body: dict[str, Any]) -> str:
    return api.ok("POST", contract.CREATE_VIEW.http.url(), 201, token=token, json=body)["data"]["id"]  # type: ignore[union-attr]


def _participant_figures(bench: Bench, api: Api, url: str, tenant: str, token: str) -> Iterator[Figure]:
    event_id, types = asyncio.run(_event_with_extras(api.nats_url, tenant))
    people = _participants(tenant, event_id, types, bench.sizes.views_participants)
    rate = asyncio.run(_load(url, "registration.participant", COPY_COLUMNS, people))
    yield Figure(AREA, "views.load_rows_per_s", rate, "rows/s")
    filters = [
        {"type": "simple", "field": "status", "operator": "in", "value": ["APPROVED", "PENDING"]},
        {"type": "simple", "field": "participantTypeId", "operator": "eq", "value": types[0]},
        {"type": "simple", "field": "dietaryNeeds", "operator": "eq", "value": "VEGAN"},
    ]
    common = {
        "entityType": ViewEntity.PARTICIPANT.value,
        "filters": filters,
        "sorts": [{"field": "createdAt", "direction": "desc"}],
        "columns": [{"field": f, "label": f} for f in ("firstName", "lastName", "email", "status", "dietaryNeeds")],
        "isShared": True,
    }
    table = _view(api, token, common | {"name": "Vegan delegates", "config": {"eventId": event_id}})
    board = _view(
        api,
        token,
        common | {"name": "Board", "viewType": "KANBAN", "config": {"eventId": event_id, "groupBy": "status"}},
    )
    rows_path = contract.RUN_VIEW.http.url(id=table)  # type: ignore[union-attr]
    with httpx.Client(base_url=api.gateways[0], headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        first = _p95(SAMPLES, lambda: _timed_get(client, rows_path, {"limit": PAGE})[0])
        yield Figure(AREA, "views.first_page_p95_ms", first, "ms", below(50))
        cursor: str | None = None
        for _ in range(bench.sizes.views_deep_pages):
            _, page = _timed_get(client, rows_path, {"limit": PAGE} | ({"after": cursor} if cursor else {}))
            cursor = page["next"] or cursor
        deep = _p95(SAMPLES, lambda: _timed_get(client, rows_path, {"limit": PAGE, "after": cursor})[0])
        yield Figure(AREA, "views.deep_page_p95_ms", deep, "ms", below(50))
        board_path = contract.RUN_VIEW.http.url(id=board)  # type: ignore[union-attr]
        kanban = _p95(KANBAN_SAMPLES, lambda: _timed_get(client, board_path, {})[0])
        yield Figure(AREA, "views.kanban_ms", kanban, "ms", below(200))


def _record_figures(bench: Bench, api: Api, url: str, tenant: str, token: str) -> Iterator[Figure]:
    fields = [
        {"name": "category", "label": "Category", "dataType": "ENUM", "options": list(CATEGORIES)},
        {"name": "capacity", "label": "Capacity", "dataType": "NUMBER"},
        {"name": "code", "label": "Code", "dataType": "TEXT"},
    ]
    path, body = custom_objects.CREATE_DEFINITION.http.url(), {"name": "Vehicles", "fields": fields}  # type: ignore[union-attr]
    definition = api.until(
        lambda: (r := api.request("POST", path, token=token, json=body)).status_code == 201 and r.json()["data"],
        timeout=30,
    )["id"]
    records = _records(tenant, definition, bench.sizes.views_records)
    asyncio.run(_load(url, "custom_objects.custom_object_record", RECORD_COLUMNS, records))
    view = _view(
        api,
        token,
        {
            "name": "Hotels",
            "entityType": ViewEntity.RECORD.value,
            "filters": [{"type": "simple", "field": "category", "operator": "eq", "value": "HOTEL"}],
            "sorts": [{"field": "createdAt", "direction": "desc"}],
            "config": {"definitionId": definition},
        },
    )
    rows_path = contract.RUN_VIEW.http.url(id=view)  # type: ignore[union-attr]
    with httpx.Client(base_url=api.gateways[0], headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        p95 = _p95(SAMPLES, lambda: _timed_get(client, rows_path, {"limit": PAGE})[0])
    yield Figure(AREA, "views.records_p95_ms", p95, "ms", below(50))


def measure(bench: Bench) -> Iterator[Figure]:
    url = bench.database_url()
    env = {"PLENARY_LOG_LEVEL": "WARNING"}
    with api_platform(url, bench.nats_url, bench.workdir, ADMIN_PASSWORD, env, 1, SERVICES) as api:
        tenant = api.create_tenant("bench-views")
        api.create_user(tenant, "bench-admin", ["TENANT_ADMIN"])
        token = api.login("bench-admin")["accessToken"]
        api.enable_rest_api([tenant])
        for flag in (FlagKey.SAVED_VIEWS, FlagKey.CUSTOM_OBJECTS):
            path = f"/api/v1/feature-flags/{flag.value}"
            api.ok("PATCH", path, token=api.admin, json={"enabledForTenants": [tenant]})
        yield from _participant_figures(bench, api, url, tenant, token)
        if ViewEntity.RECORD in VIEWABLE:
            yield from _record_figures(bench, api, url, tenant, token)
        else:  # custom-objects serves no record lists: nothing measured, the goal not met
            yield Figure(AREA, "views.records_p95_ms", float("nan"), "ms", below(50))
