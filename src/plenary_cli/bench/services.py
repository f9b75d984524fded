"""Services as their own processes for an area, on a new database of the shared PostgreSQL and the area's
nats-server (migrated, streams applied, seeded), and a client connection to drive them over the bus."""

from collections.abc import Iterator
from contextlib import contextmanager

from plenary_kit.testing.api import Api, api_platform

from .context import Bench
from .proc import family, peak_rss_mib

ADMIN_PASSWORD = "bench-admin-password"


@contextmanager
def processes(
    bench: Bench, services: tuple[str, ...], gateways: int = 0, env: dict[str, str] | None = None
) -> Iterator[Api]:
    env = {"PLENARY_LOG_LEVEL": "WARNING"} | (env or {})
    with api_platform(
        bench.database_url(), bench.nats_url, bench.workdir, ADMIN_PASSWORD, env, gateways, services
    ) as api:
        yield api


def pids(api: Api, names: list[str] | None = None) -> list[int]:
    """The processes named (all when none), with their children."""
    chosen = [p for name, p in api.processes.items() if names is None or name in names]
    return family([p.popen.pid for p in chosen if p.popen is not None])


def peak_memory_mib(api: Api, name: str) -> float:
    process = api.processes[name].popen
    return peak_rss_mib(process.pid) if process is not None else float("nan")
