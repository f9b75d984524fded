"""Below SQLAlchemy: the statements a unit of work defers, and the driver's connection.

A unit of work's connection runs in autocommit at the driver, and the unit does not send its BEGIN, its
``SET LOCAL`` settings or a checkpoint's SAVEPOINT when it asks for them: it defers them (``defer``), and
``take_deferred`` sends them all as one query text (simple protocol: one round trip) just before the next
statement that goes through SQLAlchemy. So a unit that does nothing sends nothing, a unit that only
records events commits them with one statement and no transaction block (``UnitOfWork.commit``), and a
checkpoint whose block runs no statement costs nothing. A statement sent on the driver's connection
directly (COPY) does not pass through SQLAlchemy, so code that needs that connection asks
``driver_connection`` for it, which sends what is deferred first (as ``fetch_one`` does before its statement).
"""

from typing import Any

import psycopg
from psycopg.rows import dict_row
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.util import await_only

BEGIN = "BEGIN"
SAVEPOINT = "SAVEPOINT uow_checkpoint"
DRIVER_AUTOCOMMIT = "plenary.driver_autocommit"  # on a pooled connection's info: it runs in autocommit
_DEFERRED = "plenary.deferred"  # on a connection's info: the statements waiting for the next one


class UnitOfWorkSession(Session):
    """The session a unit of work runs on: on a connection in driver autocommit, its transaction's BEGIN
    is deferred to its first statement."""


@event.listens_for(UnitOfWorkSession, "after_begin")
def _defer_begin(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    if connection.info.get(DRIVER_AUTOCOMMIT):
        defer(connection.info, BEGIN)


def defer(info: dict[str, Any], statement: str) -> None:
    """Send ``statement`` (no parameters) just before the connection's next one."""
    info.setdefault(_DEFERRED, []).append(statement)


def withdraw(info: dict[str, Any], statement: str) -> bool:
    """Take back ``statement`` if it is the last one still waiting; whether it was."""
    waiting = info.get(_DEFERRED)
    if waiting and waiting[-1] == statement:
        waiting.pop()
        return True
    return False


def begin_is_deferred(info: dict[str, Any]) -> bool:
    """Whether the connection's transaction has sent nothing yet (its BEGIN still waits): then it never
    will, and what waits with it is dropped."""
    waiting = info.get(_DEFERRED)
    if waiting and waiting[0] == BEGIN:
        waiting.clear()
        return True
    return False


async def _send(driver: psycopg.AsyncConnection[Any], statements: list[str]) -> None:
    async with psycopg.AsyncClientCursor(driver) as cursor:  # simple protocol: several statements, one trip
        await cursor.execute("; ".join(statements))


def take_deferred(conn: Connection, *_: Any) -> None:
    waiting = conn.info.get(_DEFERRED)
    if waiting:
        statements = waiting.copy()
        waiting.clear()
        await_only(_send(conn.connection.driver_connection, statements))


def _forget_deferred(dbapi_connection: Any, record: Any) -> None:
    record.info.pop(_DEFERRED, None)  # a unit that never sent them


def _mark_autocommit(dbapi_connection: Any, record: Any) -> None:
    record.info[DRIVER_AUTOCOMMIT] = True


def install_deferred_statements(engine: AsyncEngine, *, driver_autocommit: bool) -> None:
    event.listen(engine.sync_engine, "before_cursor_execute", take_deferred)
    event.listen(engine.sync_engine.pool, "checkin", _forget_deferred)
    if driver_autocommit:
        event.listen(engine.sync_engine.pool, "connect", _mark_autocommit)


async def driver_connection(session: AsyncSession | AsyncConnection) -> Any:
    """The psycopg connection under a unit of work's session (for COPY) or a query's connection, with what was
    deferred sent."""
    connection = session if isinstance(session, AsyncConnection) else await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None
    waiting = connection.info.get(_DEFERRED)
    if waiting:
        statements = waiting.copy()
        waiting.clear()
        await _send(driver, statements)
    return driver


async def fetch_one(
    session: AsyncSession | AsyncConnection, sql: str, params: dict[str, Any], *, prepare: bool = True
) -> dict[str, Any] | None:
    """The first row (as a dict) of one statement on the unit's driver connection, prepared by default, after what
    the unit deferred (its BEGIN, settings, locks).

    Not in psycopg's pipeline mode, which would save the deferred statements' round trip: measured on the
    check-in bench, entering and leaving it per statement cost more CPU than the trip (2.15 ms of server CPU
    per scan without it, 4.27 ms with it)."""
    driver = await driver_connection(session)
    async with driver.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(sql, params, prepare=prepare)
        return await cursor.fetchone()  # type: ignore[no-any-return]
