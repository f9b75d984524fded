from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from ..settings import async_url
from .raw import install_deferred_savepoints


def create_engine_for(
    database_url: str, *, pool_size: int = 5, max_overflow: int = 10, application_name: str = "plenary"
) -> AsyncEngine:
    """A pool of ``pool_size`` kept connections; the overflow is for the unforeseen, opened and closed each time.

    No pre-ping: a round trip before every transaction costs more than the rare error of a connection
    the server dropped, which the pool replaces when it fails."""
    engine = create_async_engine(
        async_url(database_url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        connect_args={"application_name": application_name},
    )
    install_deferred_savepoints(engine)
    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
