"""Registration, running as its own process with workflow beside it:

- fairness: while one tenant's import (10,000 rows) drains through the bus into workflow, the seconds until
  another tenant's new participant has entered its workflow (workflow then stops, so the rest measures
  registration alone);
- a 100,000-row CSV imported through the resumable runner (validate, then execute);
- registrations over the bus screened against those participants (blacklist, duplicate candidates,
  scoring), from one caller and from 8 on the same event.

Names are built from syllables (3,000 first names, 20,000 last names) so that they repeat the way a large
congress's do: some people share a full name, many more share a Soundex code or trigrams.
"""

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from nats.aio.client import Client

from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import BulkOperationStatus
from plenary_contracts.flags import FlagKey
from plenary_kit.bus.connection import connect
from plenary_kit.files import put_file
from plenary_kit.testing.flags import put_flag

from . import raw
from .context import Bench
from .driving import as_admin, create_event, has_entered, publish_workflow, until, wait_entered
from .proc import cpu_seconds
from .report import Figure, at_least, below
from .services import peak_memory_mib, pids, processes
from .stats import callers, percentile

AREA = "registration"
IMPORT_RATE = at_least(round(100_000 / 60))  # the 100,000-row import's goal of under 60 s, as a rate
TENANT, OTHER_TENANT, CALLERS = "bench-tenant", "bench-other-tenant", 8
_ONSETS = ("b", "ch", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "qu", "r", "s", "sh", "t", "v", "w", "y", "z")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ou", "ia")


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(parts)).title()


def _people(rng: random.Random, count: int, mail: str) -> list[tuple[str, str, str]]:
    firsts = [_name(rng, rng.randint(2, 3)) for _ in range(3000)]
    lasts = [_name(rng, rng.randint(2, 4)) for _ in range(20000)]
    return [(rng.choice(firsts), rng.choice(lasts), f"{mail}{n}@bench.example") for n in range(count)]


def _csv(people: list[tuple[str, str, str]]) -> bytes:
    lines = ["First Name,Last Name,Email,Organization,Registration Code"]
    lines += [f"{f},{last},{e},Org {n % 500},B{n:06d}" for n, (f, last, e) in enumerate(people)]
    return ("\n".join(lines) + "\n").encode()


class Import:
    """One CSV import of a tenant's event: create, validate, confirm, follow."""

    def __init__(self, nc: Client, event_id: str, people: list[tuple[str, str, str]]) -> None:
        self.nc, self.event_id, self.data = nc, event_id, _csv(people)
        self.operation: Any = None

    async def validate(self) -> float:
        stored = await put_file(self.nc.jetstream(), TENANT, "uploads", "people.csv", "text/csv", self.data)
        body = {"eventId": self.event_id, "file": stored.model_dump(mode="json", by_alias=True)}
        self.operation = await until(lambda: as_admin(self.nc, contract.CREATE_IMPORT, body, TENANT), 60)
        started = time.perf_counter()
        await as_admin(self.nc, contract.VALIDATE_IMPORT, {"id": self.operation.id}, TENANT, timeout=900)
        return time.perf_counter() - started

    async def confirm(self) -> None:
        async def confirmed() -> bool:  # refused until registration has heard of the event's participant type
            await as_admin(self.nc, contract.CONFIRM_IMPORT, {"id": self.operation.id}, TENANT)
            return True

        await until(confirmed, 60)

    async def progress(self) -> Any:
        return await as_admin(self.nc, contract.GET_BULK_OPERATION, {"id": self.operation.id}, TENANT)

    async def finished(self) -> Any:
        seen = await self.progress()
        return seen if seen.status in (BulkOperationStatus.COMPLETED, BulkOperationStatus.FAILED) else None


def _registration(event_id: str, type_id: str, first: str, last: str, email: str) -> dict[str, str]:
    return {"eventId": event_id, "participantTypeId": type_id, "firstName": first, "lastName": last, "email": email}


async def _fairness(nc: Client, rows: int) -> float:
    """Seconds from another tenant's registration until its participant has entered its workflow, taken
    while the first tenant's import drains through the bus into workflow."""
    rng = random.Random(7)
    busy_event, _ = await create_event(nc, TENANT)
    other_event, other_type = await create_event(nc, OTHER_TENANT)
    await publish_workflow(nc, TENANT, busy_event)
    await publish_workflow(nc, OTHER_TENANT, other_event)

    async def register_other(n: int) -> str:
        body = _registration(other_event, other_type, "Other", f"Person{n}", f"other{n}@bench.example")
        return (await as_admin(nc, contract.REGISTER_PARTICIPANT, body, OTHER_TENANT)).id  # type: ignore[no-any-return]

    warm = await until(lambda: register_other(0), 60)  # both services ready, the event known
    await wait_entered(nc, OTHER_TENANT, [warm])
    busy = Import(nc, busy_event, _people(rng, rows, "busy"))
    await busy.validate()
    await busy.confirm()

    async def halfway() -> bool:
        seen = await busy.progress()
        return seen.status == BulkOperationStatus.COMPLETED or seen.success_count >= rows // 2

    await until(halfway, 900, poll=0.05)
    started = time.perf_counter()
    pid = await register_other(1)
    await until(lambda: has_entered(nc, OTHER_TENANT, pid), 900, poll=0.05)
    fairness = time.perf_counter() - started
    await until(busy.finished, 900)
    return fairness


async def _import_and_screen(nc: Client, bench: Bench, cpu: Callable[[], float]) -> list[Figure]:
    """``cpu``: the CPU seconds the registration process has used so far."""
    rng = random.Random(5)
    rows = bench.sizes.import_rows
    event_id, type_id = await create_event(nc, TENANT)
    people = _people(rng, rows, "person")
    run = Import(nc, event_id, people)
    cpu_before = cpu()
    validated = await run.validate()
    started = time.perf_counter()
    await run.confirm()
    done = await until(run.finished, 7200)
    executed = time.perf_counter() - started
    import_cpu = cpu() - cpu_before
    figures = [
        Figure(
            AREA, "registration.import_rows_per_s", rows / (validated + executed), "rows/s", IMPORT_RATE, raw.PG_COPY
        ),
        Figure(AREA, "registration.import_seconds", validated + executed, "s", below(60)),
        Figure(AREA, "registration.import_validate_s", validated, "s"),
        Figure(AREA, "registration.import_execute_s", executed, "s"),
        Figure(AREA, "registration.import_registered", done.success_count, "rows"),
        Figure(AREA, "registration.import_refused", done.failure_count, "rows"),
        Figure(AREA, "registration.import_cpu_ms_per_row", import_cpu * 1000 / rows, "ms"),
    ]

    async def register(n: int) -> float:
        if n % 10 == 0:  # a near-duplicate of someone imported: a one-letter typo in the last name
            first, last, _ = rng.choice(people)
            last = last[:-1] + ("x" if last[-1] != "x" else "y")
        else:
            first, last = _name(rng, rng.randint(2, 3)), _name(rng, rng.randint(2, 4))
        body = _registration(event_id, type_id, first, last, f"new{n}@bench.example")
        started = time.perf_counter()
        try:
            await as_admin(nc, contract.REGISTER_PARTICIPANT, body, TENANT)
        except Exception:  # refused by screening (BLOCK) still took its time
            pass
        return time.perf_counter() - started

    count = bench.sizes.registrations
    cpu_before = cpu()
    wall, one = await callers(1, count, register)
    cpu_one = cpu() - cpu_before
    figures += [
        Figure(AREA, "registration.cpu_ms_per_registration", cpu_one * 1000 / count, "ms"),
        Figure(AREA, "registration.screen_p99_ms", percentile(one, 0.99) * 1000, "ms", below(20), raw.CORE_P99),
        Figure(AREA, "registration.screen_p50_ms", percentile(one, 0.5) * 1000, "ms"),
        Figure(AREA, "registration.screen_per_s_1", count / wall, "registrations/s"),
    ]

    async def register_more(n: int) -> float:
        return await register(count + n)

    wall, eight = await callers(CALLERS, count * CALLERS, register_more)
    figures += [
        Figure(
            AREA,
            "registration.screen_per_s_8",
            count * CALLERS / wall,
            "registrations/s",
            at_least(150),
            raw.PG_COMMITS_8,
        ),
        Figure(AREA, "registration.screen_p99_ms_8", percentile(eight, 0.99) * 1000, "ms"),
    ]
    return figures


async def _connected(bench: Bench, work: Callable[[Client], Awaitable[Any]]) -> Any:
    nc = await connect(bench.nats_url, "bench-registration")
    try:
        await put_flag(nc, FlagKey.BULK_OPERATIONS, enabled=True)
        return await work(nc)
    finally:
        await nc.drain()


def measure(bench: Bench) -> Iterator[Figure]:
    env = {"PLENARY_IMPORT_POLL_SECONDS": "0.2"}
    with processes(bench, ("events", "registration", "workflow"), env=env) as api:
        fairness = asyncio.run(_connected(bench, lambda nc: _fairness(nc, bench.sizes.fairness_rows)))
        yield Figure(AREA, "registration.fairness_s", fairness, "s", below(2))
        api.processes["workflow"].stop()  # from here on, registration alone
        registration = pids(api, ["registration"])
        yield from asyncio.run(
            _connected(bench, lambda nc: _import_and_screen(nc, bench, lambda: cpu_seconds(registration)))
        )
        yield Figure(AREA, "registration.peak_rss_mib", peak_memory_mib(api, "registration"), "MiB")
