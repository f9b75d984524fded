"""pytest fixtures giving tests a real PostgreSQL and a real nats-server.

- ``postgres``: the cluster (session); ``database_url``: a fresh empty database (per test);
  ``migrated_database_url``: a fresh database with every service's schema at head (per test,
  cloned from a template migrated once per session).
- ``nats``: a fresh nats-server with JetStream per test (restartable when the tests started it);
  ``plenary_settings``: Settings pointing at the migrated database and that server, topology applied.
"""

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from ..settings import Settings
from .servers import NatsServer, PostgresServer, nats_server, postgres_server, settings_for


@pytest.fixture(scope="session")
def plenary_workdir() -> Iterator[Path]:
    # Not under pytest's tmp dir: that is private to root, and PostgreSQL runs as `postgres`.
    path = Path(tempfile.mkdtemp(prefix="plenary-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres(plenary_workdir: Path) -> Iterator[PostgresServer]:
    with postgres_server(plenary_workdir) as server:
        yield server


@pytest.fixture
def database_url(postgres: PostgresServer) -> Iterator[str]:
    name = postgres.create_database()
    yield postgres.url_for(name)
    postgres.drop_database(name)


@pytest.fixture(scope="session")
def migrated_template(postgres: PostgresServer) -> Iterator[str]:
    from ..discovery import load_services
    from ..provision import migrate

    name = postgres.create_database()
    migrate(settings_for(postgres.url_for(name), "nats://unused"), load_services())
    yield name
    postgres.drop_database(name)


@pytest.fixture
def migrated_database_url(postgres: PostgresServer, migrated_template: str) -> Iterator[str]:
    name = postgres.create_database(template=migrated_template)
    yield postgres.url_for(name)
    postgres.drop_database(name)


@pytest.fixture
def nats(plenary_workdir: Path) -> Iterator[NatsServer]:
    with nats_server(plenary_workdir) as server:
        yield server


@pytest.fixture
def service_database_url(migrated_database_url: str) -> Callable[[str], str]:
    """The URL a service's own role uses on the per-test migrated database."""
    settings = settings_for(migrated_database_url, "nats://unused")
    return lambda service: settings.service(service).database_url


@pytest.fixture
async def plenary_settings(migrated_database_url: str, nats: NatsServer) -> AsyncIterator[Settings]:
    from ..provision import apply_streams

    settings = settings_for(migrated_database_url, nats.url)
    await apply_streams(settings)
    yield settings


async def eventually(check, timeout: float = 10.0, interval: float = 0.05):  # type: ignore[no-untyped-def]
    """Poll an async or sync ``check`` until it returns something truthy; fail with its last value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last = None
    while loop.time() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")
