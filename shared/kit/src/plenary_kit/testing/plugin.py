"""pytest fixtures giving tests a real PostgreSQL and a real nats-server.

- ``postgres``: the cluster (session); ``database_url``: a fresh empty database (per test);
  ``migrated_database_url``: a fresh database with every service's schema at head (per test,
  cloned ahead of need from a template migrated once per session).
- ``nats``: a nats-server with JetStream and nothing on it (per test): one server per session, its
  streams and buckets deleted after each test, and a new one after a test that left it stopped or
  still connected (restartable when the tests started it);
  ``plenary_settings``: Settings pointing at the migrated database and that server, topology applied.

Under pytest-xdist each worker has its own servers; tests sharing a package-scoped fixture stay on one
worker, and so do the tests of one file (run with ``--dist loadgroup``).
"""

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

try:
    from _pytest.nodeid import NodeId  # pytest 9.2+: where a node id lives
except ImportError:  # an older pytest reads xdist's suffix itself
    NodeId = None  # type: ignore[assignment,misc]

from ..settings import Settings
from .servers import DatabasePool, NatsServer, PostgresServer, ReusableNats, postgres_server, settings_for


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
    with postgres.exclusively("plenary-test-migrate"):
        migrate(settings_for(postgres.url_for(name), "nats://unused"), load_services())
    yield name
    postgres.drop_database(name)


@pytest.fixture(scope="session")
def migrated_databases(postgres: PostgresServer, migrated_template: str) -> Iterator[DatabasePool]:
    pool = DatabasePool(postgres, migrated_template)
    yield pool
    pool.close()


@pytest.fixture
def migrated_database_url(postgres: PostgresServer, migrated_databases: DatabasePool) -> Iterator[str]:
    name = migrated_databases.take()
    yield postgres.url_for(name)
    migrated_databases.give_back(name)


@pytest.fixture(scope="session")
def nats_servers(plenary_workdir: Path) -> Iterator[ReusableNats]:
    servers = ReusableNats(plenary_workdir)
    yield servers
    servers.close()


@pytest.fixture
def nats(nats_servers: ReusableNats) -> Iterator[NatsServer]:
    with nats_servers.lend() as server:
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


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups under --dist loadgroup
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group tests for ``--dist loadgroup``: the tests of one file together, as ``loadfile`` would (module
    fixtures are made once), and all tests under a package-scoped fixture together (a package's platform
    is started once, not once per worker)."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(_group_of(item)))


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")  # after xdist's own
def pytest_collection_modifyitems_group_suffix(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``--dist loadgroup`` a worker tells the scheduler an item's group as a ``@<group>`` suffix of its
    node id. pytest-xdist 3.8 writes it to ``item._nodeid``, which pytest 9.2 no longer reads (a node id is
    a ``NodeId`` in ``item._id``): every test was then its own group, and a package's platform started on
    both workers. Write the suffix where pytest reads it, where xdist's own did not take."""
    if not getattr(config.option, "loadgroup", False) or NodeId is None:
        return
    for item in items:
        marker = item.get_closest_marker("xdist_group")
        if marker is not None and "@" not in item.nodeid:
            item._id = NodeId.parse(f"{item.nodeid}@{marker.args[0]}")  # type: ignore[attr-defined]


def _group_of(item: pytest.Item) -> str:
    fixtures = getattr(item, "_fixtureinfo", None)
    for definitions in fixtures.name2fixturedefs.values() if fixtures else ():
        for definition in definitions:
            if definition.scope == "package":
                return definition.baseid or "session"
    return item.nodeid.split("::", 1)[0]


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
