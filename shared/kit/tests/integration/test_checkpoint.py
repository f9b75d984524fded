"""A unit of work sends what it defers only when a statement follows: its BEGIN, a checkpoint's SAVEPOINT.

A checkpoint is undone alone when its block fails, and free when its block sends nothing."""

import uuid

import pytest
import sqlalchemy as sa
from psycopg.pq import TransactionStatus
from sqlalchemy import event

from plenary_kit.db.raw import defer, driver_connection, fetch_one

from .conftest import PROBE, Probe


class Boom(Exception):
    pass


async def _statements_of(runtime, work) -> list[str]:
    sent: list[str] = []

    def record(conn, cursor, statement, *_) -> None:
        sent.append(statement)

    event.listen(runtime.uow_engine.sync_engine, "before_cursor_execute", record)
    try:
        await work()
    finally:
        event.remove(runtime.uow_engine.sync_engine, "before_cursor_execute", record)
    return sent


async def _scratch_table(uow) -> None:
    await uow.session.execute(sa.text("CREATE TEMPORARY TABLE scratch (n int) ON COMMIT DROP"))


async def test_a_unit_that_only_records_events_commits_them_in_one_statement(identity_runtime):
    async def work() -> None:
        async with identity_runtime.uow() as uow:
            uow.publish(PROBE, Probe(n=1))
            uow.publish(PROBE, Probe(n=2))
            await uow.commit()

    sent = await _statements_of(identity_runtime, work)
    assert sent == [], "the insert goes on the driver's connection, with nothing before it"
    async with identity_runtime.uow().for_reading() as reading:
        outbox = reading.tables.outbox
        stored = (await reading.session.execute(sa.select(outbox.c.envelope["data"]["n"].as_integer()))).scalars()
        assert sorted(stored) == [1, 2]


async def test_a_unit_that_runs_nothing_sends_nothing(identity_runtime):
    async def work() -> None:
        async with identity_runtime.uow() as uow:
            await uow.commit()
        async with identity_runtime.uow():
            pass

    assert await _statements_of(identity_runtime, work) == []


async def test_a_unit_is_in_a_transaction_from_its_first_statement_and_rolls_back_what_it_did(identity_runtime):
    async with identity_runtime.uow() as uow:
        outbox = uow.tables.outbox
        await uow.session.execute(sa.insert(outbox).values(id=uuid.uuid4(), subject="test.rolled-back", envelope={}))
        driver = await driver_connection(uow.session)
        assert driver.info.transaction_status is TransactionStatus.INTRANS
        await uow.rollback()
    async with identity_runtime.uow().for_reading() as reading:
        count = sa.select(sa.func.count()).select_from(outbox).where(outbox.c.subject == "test.rolled-back")
        assert (await reading.session.execute(count)).scalar_one() == 0


async def test_a_checkpoint_whose_block_sends_nothing_costs_no_savepoint(identity_runtime):
    async def work() -> None:
        async with identity_runtime.uow() as uow:
            await _scratch_table(uow)
            for n in range(3):
                async with uow.checkpoint():
                    uow.publish(PROBE, Probe(n=n))
            await uow.commit()

    sent = await _statements_of(identity_runtime, work)
    assert not [s for s in sent if "SAVEPOINT" in s]


async def test_a_failed_checkpoint_takes_back_its_statements_and_events_and_nothing_before_it(identity_runtime):
    async with identity_runtime.uow() as uow:
        await _scratch_table(uow)
        await uow.session.execute(sa.text("INSERT INTO scratch VALUES (1)"))
        uow.publish(PROBE, Probe(n=1))
        with pytest.raises(Boom):
            async with uow.checkpoint():
                await uow.session.execute(sa.text("INSERT INTO scratch VALUES (2)"))
                uow.publish(PROBE, Probe(n=2))
                raise Boom
        with pytest.raises(Boom):
            async with uow.checkpoint():
                uow.publish(PROBE, Probe(n=3))  # no statement: nothing to roll back but the event
                raise Boom
        async with uow.checkpoint():
            await uow.session.execute(sa.text("INSERT INTO scratch VALUES (4)"))
        rows = (await uow.session.execute(sa.text("SELECT n FROM scratch ORDER BY n"))).scalars().all()
        assert rows == [1, 4]
        assert [event.data["n"] for _, event in uow._pending] == [1]


async def test_a_failed_statement_in_a_checkpoint_leaves_the_transaction_usable(identity_runtime):
    async with identity_runtime.uow() as uow:
        await _scratch_table(uow)
        with pytest.raises(sa.exc.DBAPIError):
            async with uow.checkpoint():
                await uow.session.execute(sa.text("SELECT 1 / 0"))
        await uow.session.execute(sa.text("INSERT INTO scratch VALUES (5)"))
        assert (await uow.session.execute(sa.text("SELECT n FROM scratch"))).scalars().all() == [5]


async def test_a_copy_on_the_driver_connection_inside_a_checkpoint_is_taken_back_with_it(identity_runtime):
    async with identity_runtime.uow() as uow:
        await _scratch_table(uow)
        with pytest.raises(Boom):
            async with uow.checkpoint():
                driver = await driver_connection(uow.session)
                async with driver.cursor() as cursor, cursor.copy("COPY scratch (n) FROM STDIN") as copy:
                    await copy.write_row((6,))
                raise Boom
        assert (await uow.session.execute(sa.text("SELECT count(*) FROM scratch"))).scalar_one() == 0


async def test_a_row_fetched_first_in_a_unit_is_read_inside_its_transaction_with_what_it_deferred(identity_runtime):
    locks = "(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()) AS locks"
    held = f"SELECT {locks}"
    async with identity_runtime.uow() as uow:
        await uow.limit_lock_waits(250)
        defer((await uow.session.connection()).info, "SELECT pg_advisory_xact_lock(4242)")
        row = await fetch_one(uow.session, f"SELECT {locks}, current_setting('lock_timeout') AS wait", {})
        assert row == {"locks": 1, "wait": "250ms"}
        driver = await driver_connection(uow.session)
        assert driver.info.transaction_status is TransactionStatus.INTRANS
        await uow.rollback()
        assert await fetch_one(uow.session, held, {}) == {"locks": 0}, "the lock was the transaction's"


async def test_after_commit_callbacks_run_once_committed_and_never_for_what_was_taken_back(identity_runtime):
    called: list[str] = []
    async with identity_runtime.uow() as uow:
        uow.after_commit(lambda: called.append("kept"))
        with pytest.raises(Boom):
            async with uow.checkpoint():
                await _scratch_table(uow)
                uow.after_commit(lambda: called.append("taken back"))
                raise Boom
        assert called == []
        await uow.commit()
    assert called == ["kept"]
    async with identity_runtime.uow() as uow:
        uow.after_commit(lambda: called.append("rolled back"))
        await uow.rollback()
        await uow.commit()
    assert called == ["kept"]


async def test_what_runs_before_the_commit_writes_in_the_unit_s_transaction_unless_its_block_failed(identity_runtime):
    ran: list[str] = []
    async with identity_runtime.uow() as uow:
        outbox = uow.tables.outbox

        async def write() -> None:
            ran.append("kept")
            await uow.session.execute(sa.insert(outbox).values(id=uuid.uuid4(), subject="test.before", envelope={}))

        async def dropped() -> None:
            ran.append("dropped")

        uow.before_commit(write)
        with pytest.raises(Boom):
            async with uow.checkpoint():
                uow.before_commit(dropped)
                raise Boom
        await uow.commit()
    assert ran == ["kept"]
    async with identity_runtime.uow().for_reading() as reading:
        count = sa.select(sa.func.count()).select_from(outbox).where(outbox.c.subject == "test.before")
        assert (await reading.session.execute(count)).scalar_one() == 1
