"""`make run` as a user runs it: in a terminal, on embedded servers, every service a real process, driven
from outside, then stopped with Ctrl-C. Its ports are not the defaults, as for a second checkout."""

import asyncio
import fcntl
import json
import os
import pty
import signal
import subprocess
import termios
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from plenary_contracts.catalog import identity as contract
from plenary_contracts.services import SERVICES
from plenary_kit.bus.connection import connect
from plenary_kit.bus.rpc import call
from plenary_kit.embedded import port_is_free
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.servers import free_port_range

pytestmark = pytest.mark.timeout(400)  # the first test also waits for the platform to come up

REPOSITORY = Path(__file__).parents[2]
CTRL_C = b"\x03"


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@dataclass
class Platform:
    make: subprocess.Popen[bytes]
    terminal: int  # the pty's controller side: what the user types goes in here
    log: Path
    copier: threading.Thread  # copies the terminal's output into log; ends when the last process does
    ports: dict[str, int]

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.ports['http_port']}"

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.ports['nats_port']}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.output():
            assert self.make.poll() is None, self.output()
            assert time.monotonic() < deadline, f"no {text!r} within {seconds:.0f} s:\n{self.output()}"
            time.sleep(0.25)


def _in_a_terminal(
    command: list[str], env: dict[str, str], log: Path
) -> tuple[subprocess.Popen[bytes], int, threading.Thread]:
    """``command`` in a session of its own whose controlling terminal is a new pty, its output copied to ``log``."""
    controller, terminal = pty.openpty()

    def take_the_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        command,
        cwd=REPOSITORY,
        env=env,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        start_new_session=True,
        preexec_fn=take_the_terminal,
    )
    os.close(terminal)

    def copy() -> None:
        with open(log, "ab") as out:
            while True:
                try:
                    data = os.read(controller, 4096)
                except OSError:  # the last process holding the terminal is gone
                    return
                if not data:
                    return
                out.write(data)
                out.flush()

    copier = threading.Thread(target=copy, daemon=True)
    copier.start()
    return process, controller, copier


@pytest.fixture(scope="module")
def platform(plenary_workdir: Path):
    """One platform for the module: the tests read it, and the last one stops it."""
    base = free_port_range(len(SERVICES) + 3)
    ports = {"pg_port": base, "nats_port": base + 1, "http_port": base + 2, "health_port_base": base + 3}
    unrelated = ("PLENARY_DATABASE_URL", "PLENARY_NATS_URL", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")
    env = {k: v for k, v in os.environ.items() if k not in unrelated}
    env |= {f"PLENARY_{name.upper()}": str(port) for name, port in ports.items()}
    env["PLENARY_HOME"] = str(plenary_workdir / "make-run-home")
    log = plenary_workdir / "make-run.log"
    log.touch()
    make, terminal, copier = _in_a_terminal(["make", "--no-print-directory", "-o", "sync", "run"], env, log)
    try:
        running = Platform(make, terminal, log, copier, ports)
        running.wait_for("Plenary is up", 180)
        yield running
    finally:
        if make.poll() is None:
            os.write(terminal, CTRL_C)
            try:
                make.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(make.pid, signal.SIGKILL)  # the terminal hangs up: plenary dev stops on SIGHUP
                make.wait()
        os.close(terminal)


def test_every_service_runs_as_a_process_and_reports_ready_through_the_gateway(platform):
    status, body = _get(f"{platform.gateway}/healthz")
    assert status == 200, body
    assert set(body["services"]) == set(SERVICES)
    assert all(s["ready"] and s["checks"]["database"] and s["checks"]["nats"] for s in body["services"].values())
    for index, name in enumerate(SERVICES):
        status, own = _get(f"http://127.0.0.1:{platform.ports['health_port_base'] + index}/readyz")
        assert (status, own["service"], own["ready"]) == (200, name, True)


def test_a_flag_change_reaches_a_running_service_process(platform):
    views_flags = f"http://127.0.0.1:{platform.ports['health_port_base'] + SERVICES.index('views')}/flags"
    assert _get(views_flags)[1]["FF_SAVED_VIEWS"]["enabledForTenants"] == []

    async def change() -> None:
        nc = await connect(platform.nats_url, "e2e")
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


def test_ctrl_c_in_the_terminal_stops_every_process_and_make_exits_0_even_when_pressed_twice(platform):
    os.write(platform.terminal, CTRL_C)
    platform.wait_for("stopping", 30)
    os.write(platform.terminal, CTRL_C)  # an impatient second Ctrl-C must not cut the stop short
    assert platform.make.wait(90) == 0, platform.output()
    platform.copier.join(10)
    output = platform.output()
    assert "stopped." in output
    assert "make: ***" not in output and "Traceback" not in output
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{platform.gateway}/healthz", timeout=2)
    assert port_is_free(platform.ports["pg_port"]) and port_is_free(platform.ports["nats_port"])
