"""Registration's figures: a 100k-row CSV imported through the resumable runner (validate, then execute),
then single registrations over the bus, screened against those 100k participants through the blocking
keys (blacklist, duplicate candidates, scoring).

Names are built from syllables (3,000 first names, 20,000 last names) so that they repeat the way a large
congress's do: some people share a full name, many more share a Soundex code or trigrams.
"""

import asyncio
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from registration_svc.bootstrap import SERVICE as REGISTRATION

from plenary_contracts.catalog import events as events_contract
from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import BulkOperationStatus
from plenary_contracts.flags import FlagKey
from plenary_kit import context as ctx
from plenary_kit import provision
from plenary_kit.bus.connection import connect
from plenary_kit.bus.rpc import call
from plenary_kit.files import put_file
from plenary_kit.ids import new_id
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.producing import publish_produced

TENANT = "bench-tenant"
CALLERS = 8
_ONSETS = ("b", "ch", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "qu", "r", "s", "sh", "t", "v", "w", "y", "z")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ou", "ia")


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(parts)).title()


def _people(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    firsts = [_name(rng, rng.randint(2, 3)) for _ in range(3000)]
    lasts = [_name(rng, rng.randint(2, 4)) for _ in range(20000)]
    return [(rng.choice(firsts), rng.choice(lasts), f"person{n}@bench.example") for n in range(count)]


def _csv(people: list[tuple[str, str, str]]) -> bytes:
    lines = ["First Name,Last Name,Email,Organization,Registration Code"]
    lines += [f"{f},{last},{e},Org {n % 500},B{n:06d}" for n, (f, last, e) in enumerate(people)]
    return ("\n".join(lines) + "\n").encode()


async def _as_admin(nc: Any, spec: Any, body: dict[str, Any], timeout: float | None = None) -> Any:
    context = ctx.Context(tenant_id=TENANT, actor_id="bench-admin")
    return await call(nc, spec, body, context=context, timeout=timeout or spec.timeout_seconds)


async def _seed_event(nc: Any) -> tuple[str, str]:
    """An event and a participant type, announced as the events service announces them."""
    now = datetime.now(UTC)
    event_id, type_id = new_id(), new_id()
    stamp = {"tenantId": TENANT, "createdAt": now.isoformat(), "updatedAt": now.isoformat()}
    event = {
        "id": event_id,
        "name": "Bench congress",
        "description": "",
        "status": "PUBLISHED",
        "startDate": (now + timedelta(days=30)).isoformat(),
        "endDate": (now + timedelta(days=33)).isoformat(),
        "timezone": "UTC",
        **stamp,
    }
    await publish_produced(nc, events_contract.EVENT_CREATED, {"event": event}, tenant=TENANT)
    kind = {"id": type_id, "eventId": event_id, "name": "Delegate", "code": "DELEGATE", **stamp}
    await publish_produced(nc, events_contract.PARTICIPANT_TYPE_CREATED, {"participantType": kind}, tenant=TENANT)
    return event_id, type_id


async def _until(check: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = await check()
        except Exception:  # the read model may not hold the event yet
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("the bench's setup did not converge")
        await asyncio.sleep(0.2)


async def _calls(register: Any, numbers: Any) -> list[tuple[float, str]]:
    """One caller: registers the next number until none is left (the numbers are shared by callers)."""
    return [await register(n) for n in numbers]


async def registration_figures(settings: Settings, rows: int = 100_000, registrations: int = 500) -> list[str]:
    provision.migrate(settings, [REGISTRATION])
    await provision.apply_streams(settings)
    runtime = Runtime(REGISTRATION, settings.model_copy(update={"import_poll_seconds": 0.2}))
    await runtime.start()
    nc = await connect(settings.nats_url, "bench-registration")
    rng = random.Random(5)
    try:
        await put_flag(nc, FlagKey.BULK_OPERATIONS, enabled=True)
        event_id, type_id = await _seed_event(nc)
        people = _people(rng, rows)
        data = _csv(people)
        stored = await put_file(nc.jetstream(), TENANT, "uploads", "people.csv", "text/csv", data)

        async def created() -> Any:
            body = {"eventId": event_id, "file": stored.model_dump(mode="json", by_alias=True)}
            return await _as_admin(nc, contract.CREATE_IMPORT, body)

        operation = await _until(created, 30)
        t0 = time.perf_counter()
        preview = await _as_admin(nc, contract.VALIDATE_IMPORT, {"id": operation.id}, timeout=600)
        validated = time.perf_counter() - t0
        t0 = time.perf_counter()
        await _as_admin(nc, contract.CONFIRM_IMPORT, {"id": operation.id})

        async def finished() -> Any:
            seen = await _as_admin(nc, contract.GET_BULK_OPERATION, {"id": operation.id})
            done = seen.status in (BulkOperationStatus.COMPLETED, BulkOperationStatus.FAILED)
            return seen if done else None

        done = await _until(finished, 3600)
        imported = time.perf_counter() - t0
        lines = [
            f"import of a {rows:,}-row CSV ({len(data) / 1e6:.1f} MB): validate {validated:.1f} s "
            f"({preview.counts.total / validated:,.0f} rows/s); execute {imported:.1f} s "
            f"({done.success_count / imported:,.0f} rows/s, {done.success_count:,} registered, "
            f"{done.failure_count:,} refused by screening or validation)",
        ]

        async def register(n: int) -> tuple[float, str]:
            if n % 10 == 0:  # a near-duplicate of someone imported: a one-letter typo in the last name
                first, last, _ = rng.choice(people)
                last = last[:-1] + ("x" if last[-1] != "x" else "y")
            else:
                first, last = _name(rng, rng.randint(2, 3)), _name(rng, rng.randint(2, 4))
            body = {
                "eventId": event_id,
                "participantTypeId": type_id,
                "firstName": first,
                "lastName": last,
                "email": f"new{n}@bench.example",
            }
            t0 = time.perf_counter()
            try:
                participant = await _as_admin(nc, contract.REGISTER_PARTICIPANT, body)
                risk = participant.screening.risk if participant.screening else "PASS"
            except Exception:
                risk = "BLOCK"
            return time.perf_counter() - t0, risk

        start = 0  # every registration has its own e-mail
        for callers, label in ((1, "one caller"), (CALLERS, f"{CALLERS} concurrent callers")):
            numbers = iter(range(start, start + registrations * callers))
            start += registrations * callers
            t0 = time.perf_counter()
            results = await asyncio.gather(*(_calls(register, numbers) for _ in range(callers)))
            elapsed = time.perf_counter() - t0
            timings = sorted(t for done_by_one in results for t, _ in done_by_one)
            risks = [r for done_by_one in results for _, r in done_by_one]
            p99 = timings[int(0.99 * (len(timings) - 1))]
            lines.append(
                f"registration with screening over the bus against {done.success_count:,}+ participants, {label}, "
                f"{len(timings)} registrations: {len(timings) / elapsed:,.0f}/s, "
                f"p50 {statistics.median(timings) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms "
                f"(PASS {risks.count('PASS')}, WARN {risks.count('WARN')}, BLOCK {risks.count('BLOCK')})"
            )
        return lines
    finally:
        await nc.drain()
        await runtime.stop()
