"""`plenary dev` (what `make run` runs): every service a real process, driven from outside."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from plenary_contracts.catalog import identity as contract
from plenary_contracts.services import SERVICES
from plenary_kit.bus.connection import connect
from plenary_kit.bus.rpc import call
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.servers import TEST_PASSWORD, free_port_range, nats_server


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def module_nats(plenary_workdir: Path):
    with nats_server(plenary_workdir) as server:
        yield server


@pytest.fixture(scope="module")
def platform(postgres, module_nats, tmp_path_factory: pytest.TempPathFactory):
    """One platform for the module: the tests read it, and the last one stops it."""
    nats = module_nats
    tmp_path = tmp_path_factory.mktemp("platform")
    database = postgres.create_database()
    ports = free_port_range(len(SERVICES) + 1)
    http_port, health_base = ports, ports + 1
    env = {
        **os.environ,
        "PLENARY_DATABASE_URL": postgres.url_for(database),
        "PLENARY_NATS_URL": nats.url,
        "PLENARY_DB_ROLE_PASSWORD": TEST_PASSWORD,
        "PLENARY_HTTP_PORT": str(http_port),
        "PLENARY_HEALTH_PORT_BASE": str(health_base),
        "PLENARY_HOME": str(tmp_path / "home"),
    }
    log = open(tmp_path / "dev.log", "w+")
    process = subprocess.Popen([sys.executable, "-m", "plenary_cli", "dev"], env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 120
    while "Plenary is up" not in (tmp_path / "dev.log").read_text():
        assert process.poll() is None, (tmp_path / "dev.log").read_text()
        assert time.monotonic() < deadline, "not up within 120 s:\n" + (tmp_path / "dev.log").read_text()
        time.sleep(0.25)
    yield process, f"http://127.0.0.1:{http_port}", health_base, nats.url, tmp_path / "dev.log"
    if process.poll() is None:
        process.kill()
        process.wait()
    postgres.drop_database(database)


def test_every_service_runs_as_a_process_and_reports_ready_through_the_gateway(platform):
    _, gateway, health_base, _, _ = platform
    status, body = _get(f"{gateway}/healthz")
    assert status == 200, body
    assert set(body["services"]) == set(SERVICES)
    assert all(s["ready"] and s["checks"]["database"] and s["checks"]["nats"] for s in body["services"].values())
    for index, name in enumerate(SERVICES):
        status, own = _get(f"http://127.0.0.1:{health_base + index}/readyz")
        assert (status, own["service"], own["ready"]) == (200, name, True)


def test_a_flag_change_reaches_a_running_service_process(platform):
    _, _, health_base, nats_url, _ = platform
    views_flags = f"http://127.0.0.1:{health_base + SERVICES.index('views')}/flags"
    assert _get(views_flags)[1]["FF_SAVED_VIEWS"]["enabledForTenants"] == []

    async def change() -> None:
        nc = await connect(nats_url, "e2e")
        try:
            request = contract.SetFeatureFlag(key="FF_SAVED_VIEWS", enabled_for_tenants=["tenant-e2e"])
            await call(nc, contract.SET_FEATURE_FLAG, request)
            await eventually(
                lambda: _get(views_flags)[1]["FF_SAVED_VIEWS"]["enabledForTenants"] == ["tenant-e2e"],
                timeout=10,
            )
        finally:
            await nc.drain()

    asyncio.run(change())


def test_interrupt_stops_every_process_cleanly(platform):
    process, gateway, _, _, log = platform
    process.send_signal(signal.SIGINT)
    assert process.wait(60) == 0, log.read_text()
    assert "stopped." in log.read_text()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{gateway}/healthz", timeout=2)
