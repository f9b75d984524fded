"""Nothing lost, nothing twice: the registration process killed with SIGKILL in the middle of an import,
started again, finishes it with exactly one participant per row."""

import asyncio
import os
import random
import signal
import string
from pathlib import Path

import sqlalchemy as sa
from registration_svc.adapters.tables import bulk_operation, bulk_operation_item, participant

from plenary_contracts.catalog import registration as contract
from plenary_contracts.flags import FlagKey
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.processes import ServiceProcess
from plenary_kit.testing.servers import TEST_PASSWORD, free_port_range

from .bulk_support import csv_bytes, previewed, settled

ROWS = 3000


def _process(settings, workdir: Path) -> ServiceProcess:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "PLENARY_DATABASE_URL": settings.database_url,
        "PLENARY_NATS_URL": settings.nats_url,
        "PLENARY_DB_ROLE_PASSWORD": TEST_PASSWORD,
        "PLENARY_OUTBOX_POLL_SECONDS": "0.2",
        "PLENARY_IMPORT_POLL_SECONDS": "0.2",
        "PLENARY_LOG_JSON": "false",
    }
    return ServiceProcess.of("registration", env, workdir / "registration.log", free_port_range(1))


def _people(count: int) -> list[list[str]]:
    """Distinct people: random names (so screening finds no one twice) and their own e-mails."""
    pick = random.Random(5)

    def word(size: int) -> str:
        return "".join(pick.choices(string.ascii_lowercase, k=size)).title()

    return [[word(7), word(9), f"person{n}@example.org"] for n in range(count)]


async def test_an_import_killed_mid_way_and_resumed_registers_each_row_exactly_once(registration, plenary_workdir):
    await registration.flags(FlagKey.BULK_OPERATIONS)
    event = await registration.seed_event()
    preview = await previewed(registration, event, csv_bytes([["First Name", "Last Name", "Email"], *_people(ROWS)]))
    assert preview.counts.valid == ROWS
    operation_id = preview.operation.id
    await registration.runtime.stop()  # from here on only the child process serves and imports
    child = _process(registration.settings, plenary_workdir)
    child.start()
    try:
        await asyncio.to_thread(child.wait_ready)
        await registration.call(contract.CONFIRM_IMPORT, {"id": operation_id})

        async def part_done() -> bool:
            processed = await _processed(registration, operation_id)
            return 0 < processed < ROWS

        await eventually(part_done, timeout=30, interval=0.02)
        assert child.popen is not None
        child.popen.send_signal(signal.SIGKILL)
        child.popen.wait()
        interrupted = await _processed(registration, operation_id)
        assert 0 < interrupted < ROWS

        child.start()
        await asyncio.to_thread(child.wait_ready)
        done = await settled(registration, operation_id, timeout=60)
    finally:
        child.stop()

    assert (done.status, done.processed_items, done.success_count, done.failure_count) == ("COMPLETED", ROWS, ROWS, 0)
    per_code = await registration.execute(
        sa.select(participant.c.registration_code, sa.func.count())
        .where(participant.c.event_id == event.id)
        .group_by(participant.c.registration_code)
    )
    counts = dict(per_code.all())
    assert len(counts) == ROWS and set(counts.values()) == {1}
    pending = await registration.execute(
        sa.select(sa.func.count()).where(
            bulk_operation_item.c.operation_id == operation_id, bulk_operation_item.c.status != "success"
        )
    )
    assert pending.scalar_one() == 0
    announced = await registration.events(contract.PARTICIPANT_REGISTERED)
    assert len({e["participant"]["id"] for e in announced}) == len(announced) == ROWS


async def _processed(registration, operation_id: str) -> int:  # type: ignore[no-untyped-def]
    found = await registration.execute(
        sa.select(bulk_operation.c.processed_items).where(bulk_operation.c.id == operation_id)
    )
    return found.scalar_one()
