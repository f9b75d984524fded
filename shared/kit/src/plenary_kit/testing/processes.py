"""Services as real processes for tests and the bench: start, wait for readiness, pause, stop."""

import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from plenary_contracts.services import package_of

READY_TIMEOUT = 60.0


@dataclass
class ServiceProcess:
    name: str
    env: dict[str, str]
    log: Path
    health_url: str
    popen: subprocess.Popen[bytes] | None = None

    @classmethod
    def of(cls, service: str, env: dict[str, str], log: Path, health_port: int, label: str | None = None):  # type: ignore[no-untyped-def]
        """``service`` with its readiness on ``health_port`` (its ``PLENARY_<SVC>_HEALTH_PORT``)."""
        key = f"PLENARY_{service.replace('-', '_').upper()}_HEALTH_PORT"
        return cls(label or service, env | {key: str(health_port)}, log, f"http://127.0.0.1:{health_port}/readyz")

    @property
    def service(self) -> str:
        return self.name.rstrip("0123456789")

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", package_of(self.service)], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen is None or self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.health_url, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready in {timeout:.0f}s:\n{self.log.read_text()[-3000:]}")

    def pause(self) -> None:
        assert self.popen is not None
        self.popen.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.popen is not None
        self.popen.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGCONT)
            self.popen.terminate()
            try:
                self.popen.wait(20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def start_all(processes: list[ServiceProcess]) -> None:
    for process in processes:
        process.start()
    for process in processes:
        process.wait_ready()
