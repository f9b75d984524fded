from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from ..settings import async_url
from .raw import UnitOfWorkSession, install_deferred_statements


def create_engine_for(
    database_url: str,
    *,
    pool_size: int = 5,
    max_overflow: int = 10,
    application_name: str = "plenary",
    driver_autocommit: bool = False,
) -> AsyncEngine:
    """A pool of ``pool_size`` kept connections; the overflow is for the unforeseen, opened and closed each time.

    ``driver_autocommit``: the pool for units of work. Its connections run in autocommit at the driver
    and a unit of work sends its BEGIN with its first statement (``raw``), so a query never switches a
    connection's mode and a unit that writes nothing but events needs no transaction block. Anything else
    that needs ``engine.begin()`` to mean a transaction (the outbox relay's claim) takes the other kind.

    No pre-ping: a round trip before every transaction costs more than the rare error of a connection
    the server dropped, which the pool replaces when it fails."""
    engine = create_async_engine(
        async_url(database_url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        connect_args={"application_name": application_name},
        **({"isolation_level": "AUTOCOMMIT"} if driver_autocommit else {}),
    )
    install_deferred_statements(engine, driver_autocommit=driver_autocommit)
    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=UnitOfWorkSession)
