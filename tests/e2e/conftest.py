"""One platform for the package, started as a user starts it: `make run` in a terminal, on embedded servers,
every service a real process, its ports not the defaults (as for a second checkout). The package's tests
drive it from outside; test_platform.py's last test stops it with Ctrl-C, so it stays the package's last."""

import fcntl
import os
import pty
import signal
import subprocess
import termios
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from plenary_contracts.services import SERVICES
from plenary_kit.testing.servers import free_port_range

REPOSITORY = Path(__file__).parents[2]
CTRL_C = b"\x03"
ADMIN_PASSWORD = "e2e-admin-password-for-the-day"


@dataclass
class Platform:
    make: subprocess.Popen[bytes]
    terminal: int  # the pty's controller side: what the user types goes in here
    log: Path
    copier: threading.Thread  # copies the terminal's output into log; ends when the last process does
    ports: dict[str, int]
    home: Path  # PLENARY_HOME: logs, and the SMTP sink's .eml files under mail/
    admin_password: str

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.ports['http_port']}"

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.ports['nats_port']}"

    @property
    def mail(self) -> Path:
        return self.home / "mail"

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


@pytest.fixture(scope="package")
def platform(plenary_workdir: Path) -> Iterator[Platform]:
    """One platform for the package: its tests read and drive it, and the last one stops it."""
    base = free_port_range(len(SERVICES) + 3)
    ports = {"pg_port": base, "nats_port": base + 1, "http_port": base + 2, "health_port_base": base + 3}
    unrelated = ("PLENARY_DATABASE_URL", "PLENARY_NATS_URL", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")
    env = {k: v for k, v in os.environ.items() if k not in unrelated}
    env |= {f"PLENARY_{name.upper()}": str(port) for name, port in ports.items()}
    home = plenary_workdir / "make-run-home"
    env["PLENARY_HOME"] = str(home)
    env["PLENARY_ADMIN_PASSWORD"] = ADMIN_PASSWORD  # the seed's admin, known rather than read off the banner
    # the day's webhooks go to a receiver of the test's own on 127.0.0.1, over plain http
    env["PLENARY_WEBHOOK_ALLOWED_NETWORKS"] = '["127.0.0.0/8"]'
    env["PLENARY_WEBHOOK_ALLOW_HTTP"] = "true"
    log = plenary_workdir / "make-run.log"
    log.touch()
    make, terminal, copier = _in_a_terminal(["make", "--no-print-directory", "-o", "sync", "run"], env, log)
    try:
        running = Platform(make, terminal, log, copier, ports, home, ADMIN_PASSWORD)
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
