"""Below SQLAlchemy: the driver's connection, and the savepoint a unit of work's checkpoint defers.

``UnitOfWork.checkpoint`` does not send its SAVEPOINT at once: it marks the connection, and the first
statement that goes through SQLAlchemy sends it just before itself (``take_deferred_savepoint``, installed
on every engine). A statement sent on the driver's connection directly (COPY) does not pass there, so code
that needs that connection asks ``driver_connection`` for it, which takes a deferred savepoint first.
"""

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

DEFERRED_SAVEPOINT = "plenary.deferred_savepoint"


def take_deferred_savepoint(conn: Connection, cursor: Any, *_: Any) -> None:
    if conn.info.pop(DEFERRED_SAVEPOINT, False):
        cursor.execute("SAVEPOINT uow_checkpoint")


def install_deferred_savepoints(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "before_cursor_execute", take_deferred_savepoint)


async def driver_connection(session: AsyncSession) -> Any:
    """The psycopg connection under ``session``'s transaction (for COPY)."""
    connection = await session.connection()
    if connection.info.pop(DEFERRED_SAVEPOINT, False):
        await connection.exec_driver_sql("SAVEPOINT uow_checkpoint")
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None
    return driver
