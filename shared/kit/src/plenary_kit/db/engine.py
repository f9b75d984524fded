from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from ..settings import async_url


def create_engine_for(database_url: str, *, pool_size: int = 5, application_name: str = "plenary") -> AsyncEngine:
    return create_async_engine(
        async_url(database_url),
        pool_size=pool_size,
        pool_pre_ping=True,
        connect_args={"application_name": application_name},
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
