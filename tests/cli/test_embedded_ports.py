"""A second checkout on the same machine: every port `plenary dev` takes is a setting, and a taken one is
named with the setting that moves it."""

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from plenary_contracts.services import SERVICES
from plenary_kit.bus.connection import connect
from plenary_kit.embedded import EmbeddedNats, PortInUse
from plenary_kit.settings import Settings
from plenary_kit.testing.servers import free_port_range

WITHOUT_URLS = {k: v for k, v in os.environ.items() if k not in ("PLENARY_DATABASE_URL", "PLENARY_NATS_URL")}


def plenary(*args: str, **settings: object) -> subprocess.CompletedProcess[str]:
    env = WITHOUT_URLS | {f"PLENARY_{name.upper()}": str(value) for name, value in settings.items()}
    return subprocess.run(
        [sys.executable, "-m", "plenary_cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


@contextmanager
def listening(port: int) -> Iterator[socket.socket]:
    """Someone else's server on ``port``."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        s.listen()
        yield s


@pytest.fixture
def ports() -> dict[str, int]:
    base = free_port_range(len(SERVICES) + 3)
    return {"pg_port": base, "nats_port": base + 1, "http_port": base + 2, "health_port_base": base + 3}


def test_taken_ports_are_named_with_the_settings_that_move_them_before_anything_starts(plenary_workdir, ports):
    home = plenary_workdir / "taken-ports"
    with listening(ports["nats_port"]), listening(ports["health_port_base"] + 5):
        result = plenary("dev", home=home, **ports)
    assert result.returncode == 1
    assert f"127.0.0.1:{ports['nats_port']} (nats-server): set PLENARY_NATS_PORT to a free port" in result.stderr
    assert f"127.0.0.1:{ports['health_port_base'] + 5} (views health): set PLENARY_HEALTH_PORT_BASE" in result.stderr
    assert "PLENARY_PG_PORT" not in result.stderr
    assert "Traceback" not in result.stderr
    assert not (home / "pg").exists()


def test_the_embedded_nats_server_listens_on_the_port_its_setting_names(plenary_workdir: Path, monkeypatch, ports):
    monkeypatch.delenv("PLENARY_NATS_URL", raising=False)
    monkeypatch.setenv("PLENARY_NATS_PORT", str(ports["nats_port"]))
    settings = Settings()
    server = EmbeddedNats(plenary_workdir / "nats-on-its-port", settings.nats_port)
    server.start()
    try:

        async def round_trip() -> None:
            nc = await connect(settings.nats_url, "test")
            try:
                await nc.flush()
                assert nc.connected_url is not None and nc.connected_url.port == ports["nats_port"]
            finally:
                await nc.drain()

        asyncio.run(round_trip())
    finally:
        server.stop()


def test_an_embedded_server_refuses_a_taken_port_rather_than_trust_whoever_listens_there(plenary_workdir, ports):
    server = EmbeddedNats(plenary_workdir / "nats-taken", ports["nats_port"])
    with listening(ports["nats_port"]), pytest.raises(PortInUse, match=str(ports["nats_port"])):
        server.start()
    assert server.process is None


def test_doctor_looks_for_the_embedded_servers_on_their_port_settings(plenary_workdir, ports):
    server = EmbeddedNats(plenary_workdir / "nats-for-doctor", ports["nats_port"])
    server.start()
    try:
        result = plenary("doctor", pg_port=ports["pg_port"], nats_port=ports["nats_port"])
    finally:
        server.stop()
    assert result.returncode == 1  # nothing listens on pg_port
    assert f"port {ports['pg_port']} failed" in result.stdout
    assert f"`make run` starts one on PLENARY_PG_PORT, now {ports['pg_port']}" in result.stdout
    assert f"NATS answers at nats://127.0.0.1:{ports['nats_port']}" in result.stdout
    assert "Traceback" not in result.stderr
