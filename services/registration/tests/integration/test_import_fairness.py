"""A large import is background work: it never starves other tenants' registrations in the same process,
and rows whose names differ only by their numbers (``Test1 User1`` … ``Test10000 User10000``, as trial
files have them) are neither screened against each other nor flagged as duplicates."""

import statistics
import time

import sqlalchemy as sa
from registration_svc.adapters.tables import duplicate_candidate
from registration_svc.domain.screening import MAX_FLAGGED

from plenary_contracts.catalog import registration as contract
from plenary_contracts.flags import FlagKey

from .bulk_support import csv_bytes, imported, previewed, settled
from .conftest import OTHER_TENANT

ROWS = 10_000


async def _candidates_of(registration, event_id: str) -> int:  # type: ignore[no-untyped-def]
    return await registration.scalar(
        sa.select(sa.func.count()).select_from(duplicate_candidate).where(duplicate_candidate.c.event_id == event_id)
    )


async def test_a_ten_thousand_row_numbered_import_flags_no_one_while_another_tenant_keeps_registering(registration):
    await registration.flags(FlagKey.BULK_OPERATIONS)
    event = await registration.seed_event()
    elsewhere = await registration.seed_event(tenant=OTHER_TENANT)
    rows = [["First Name", "Last Name"], *([f"Test{n}", f"User{n}"] for n in range(1, ROWS + 1))]
    operation = (await previewed(registration, event, csv_bytes(rows))).operation
    started = time.perf_counter()
    await registration.call(contract.CONFIRM_IMPORT, {"id": operation.id})

    waits: list[float] = []
    running = True
    while running:
        for _ in range(10):
            asked = time.perf_counter()
            await registration.call(  # any refusal or timeout fails the test
                contract.REGISTER_PARTICIPANT,
                {
                    "eventId": elsewhere.id,
                    "participantTypeId": elsewhere.type_id,
                    "firstName": f"Guest{len(waits)}",
                    "lastName": "Elsewhere",
                    "email": f"guest{len(waits)}@example.org",
                },
                tenant=OTHER_TENANT,
            )
            waits.append(time.perf_counter() - asked)
        found = await registration.call(contract.GET_BULK_OPERATION, {"id": operation.id})
        running = found.status in ("CONFIRMED", "PROCESSING")

    done = await settled(registration, operation.id)
    assert (done.status, done.success_count, done.failure_count) == ("COMPLETED", ROWS, 0)
    assert await _candidates_of(registration, event.id) == 0
    p99 = statistics.quantiles(waits, n=100)[98] if len(waits) >= 2 else waits[0]
    print(  # reported, not asserted: speed belongs in benchmarks
        f"\n{ROWS} rows imported in {time.perf_counter() - started:.1f} s; {len(waits)} registrations of another "
        f"tenant meanwhile, p50 {statistics.median(waits) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
    )


async def test_a_crowd_of_identical_names_flags_each_row_with_a_bounded_number_of_candidates(registration):
    await registration.flags(FlagKey.BULK_OPERATIONS)
    event = await registration.seed_event()
    crowd = 300
    rows = [["First Name", "Last Name"], *(["Test", "User"] for _ in range(crowd))]

    done = await imported(registration, csv_bytes(rows), event)

    assert (done.status, done.success_count) == ("COMPLETED", crowd)
    flagged = await registration.call(contract.LIST_PARTICIPANTS, {"eventId": event.id, "flagged": True, "pageSize": 1})
    assert flagged.meta.total == crowd - 1  # everyone but the first has a namesake before them
    assert await _candidates_of(registration, event.id) <= crowd * MAX_FLAGGED
