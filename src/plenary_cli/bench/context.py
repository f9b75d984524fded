"""What an area gets: its sizes, a scratch directory, the shared PostgreSQL (one database per use) and a
nats-server of its own (started fresh for each area, so no area sees another's streams or durables)."""

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from plenary_kit.settings import Settings
from plenary_kit.testing.servers import PostgresServer, nats_server, postgres_server, settings_for

from .sizes import Sizes


@dataclass
class Bench:
    sizes: Sizes
    workdir: Path
    pg: PostgresServer
    nats_url: str = ""
    limits: dict[str, float] = field(default_factory=dict)  # raw figures measured so far in this run

    def database_url(self) -> str:
        """A new empty database's administrative URL."""
        return self.pg.url_for(self.pg.create_database())

    def settings(self, database_url: str | None = None) -> Settings:
        return settings_for(database_url or self.database_url(), self.nats_url, log_level="WARNING")


def libpq(url: str) -> str:
    """A SQLAlchemy URL as psycopg takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def bench_servers(sizes: Sizes) -> Iterator[Bench]:
    workdir = Path(tempfile.mkdtemp(prefix="plenary-bench-"))
    workdir.chmod(0o755)  # PostgreSQL runs as another user under root
    with postgres_server(workdir) as pg:
        yield Bench(sizes, workdir, pg)


@contextmanager
def own_nats(bench: Bench) -> Iterator[Bench]:
    with ExitStack() as stack:
        bench.nats_url = stack.enter_context(nats_server(bench.workdir)).url
        try:
            yield bench
        finally:
            bench.nats_url = ""
