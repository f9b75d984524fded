"""A query's unit of work reads outside any transaction, and refuses to change anything."""

from uuid import uuid4

import pytest
import sqlalchemy as sa
from psycopg.pq import TransactionStatus
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from plenary_contracts import operations as ops
from plenary_contracts.errors import ErrorCode, PlenaryError
from plenary_contracts.operations import OperationKind, OperationSpec
from plenary_kit.bus import rpc
from plenary_kit.bus.connection import connect
from plenary_kit.context import Context
from plenary_kit.db import UnitOfWork, create_engine_for, create_session_factory
from plenary_kit.db.uow import ReadOnlyUnitOfWork

from .conftest import PROBE, Probe


class Asked(BaseModel):
    publish: bool = False


class Seen(BaseModel):
    in_transaction: bool


LOOK = OperationSpec("identity", "probe_look", OperationKind.QUERY, Asked, Seen, "A test query")
CHANGE = OperationSpec("identity", "probe_change", OperationKind.COMMAND, Asked, Seen, "A test command")


async def _in_transaction(uow: UnitOfWork) -> bool:
    await uow.session.execute(sa.text("SELECT 1"))
    connection = uow.session if isinstance(uow.session, AsyncConnection) else await uow.session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    return driver.info.transaction_status is not TransactionStatus.IDLE


async def _look(request: Asked, uow: UnitOfWork) -> Seen:
    seen = await _in_transaction(uow)
    if request.publish:
        uow.publish(PROBE, Probe(n=1))
    return Seen(in_transaction=seen)


async def _outbox_rows(runtime) -> int:
    async with runtime.uow() as uow:
        return (await uow.session.execute(sa.select(sa.func.count()).select_from(uow.tables.outbox))).scalar_one()


async def test_a_query_reads_outside_a_transaction_and_a_command_inside_one(plenary_settings, identity_runtime):
    identity_runtime.serve(LOOK, _look)
    identity_runtime.serve(CHANGE, _look)
    await identity_runtime.start()
    nc = await connect(plenary_settings.nats_url, "test-query-uow")
    try:
        context = Context(tenant_id="t1")
        assert await rpc.call(nc, LOOK, Asked(), context=context) == Seen(in_transaction=False)
        assert await rpc.call(nc, CHANGE, Asked(), context=context) == Seen(in_transaction=True)
    finally:
        await nc.drain()


async def test_a_query_that_publishes_an_event_fails_and_records_nothing(plenary_settings, identity_runtime):
    identity_runtime.serve(LOOK, _look)
    await identity_runtime.start()
    before = await _outbox_rows(identity_runtime)
    nc = await connect(plenary_settings.nats_url, "test-query-publish")
    try:
        with pytest.raises(PlenaryError) as raised:
            await rpc.call(nc, LOOK, Asked(publish=True), context=Context(tenant_id="t1"))
        assert raised.value.code is ErrorCode.INTERNAL_ERROR
        headers = {ops.TENANT: "t1"}
        reply = ops.Reply.model_validate_json((await nc.request(LOOK.subject, b"{}", timeout=5, headers=headers)).data)
        assert reply.ok  # the server answers the next query as before
    finally:
        await nc.drain()
    assert await _outbox_rows(identity_runtime) == before


async def test_a_read_only_unit_of_work_refuses_every_change(identity_runtime):
    await identity_runtime.start()
    async with identity_runtime.uow().for_reading() as uow:
        with pytest.raises(ReadOnlyUnitOfWork):
            uow.publish(PROBE, Probe(n=1))
        with pytest.raises(ReadOnlyUnitOfWork):
            await uow.commit()
        with pytest.raises(ReadOnlyUnitOfWork):
            await uow.claim("probe-consumer", uuid4(), PROBE.type)
        with pytest.raises(ReadOnlyUnitOfWork):
            async with uow.savepoint():
                pass
        with pytest.raises(ReadOnlyUnitOfWork):
            async with uow.checkpoint():
                pass


async def test_a_connection_a_query_used_is_back_in_transactions_for_the_next_command(
    plenary_settings, identity_runtime
):
    await identity_runtime.start()
    url = plenary_settings.service("identity").database_url
    engine = create_engine_for(url, pool_size=1, max_overflow=0, driver_autocommit=True)
    sessions = create_session_factory(engine)
    messaging = identity_runtime.spec.messaging
    try:
        for _ in range(2):  # one pooled connection, used by a query, then a command, then again
            async with UnitOfWork(sessions, messaging).for_reading() as reading:
                assert not await _in_transaction(reading)
            async with UnitOfWork(sessions, messaging) as writing:
                assert await _in_transaction(writing)
                await writing.rollback()
    finally:
        await engine.dispose()
