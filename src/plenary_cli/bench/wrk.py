"""Driving HTTP load with wrk (a compiled load generator, so the client is not what is measured) and reading
its report."""

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_TIME = r"([\d.]+)(us|ms|s|m|h)"
THREADS = 2


@dataclass(frozen=True)
class WrkReport:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx responses plus socket errors

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS[unit]


def parse_report(text: str) -> WrkReport:
    """The figures of ``wrk --latency``'s report."""
    done = re.search(r"(\d+) requests in " + _TIME, text)
    p50 = re.search(r"^\s*50(?:\.0+)?%\s+" + _TIME, text, re.MULTILINE)
    p99 = re.search(r"^\s*99(?:\.0+)?%\s+" + _TIME, text, re.MULTILINE)
    if not (done and p50 and p99):
        raise ValueError(f"not a wrk --latency report:\n{text}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return WrkReport(
        requests=int(done.group(1)),
        seconds=_ms(done.group(2), done.group(3)) / 1000,
        p50_ms=_ms(p50.group(1), p50.group(2)),
        p99_ms=_ms(p99.group(1), p99.group(2)),
        errors=errors,
    )


def command(url: str, headers: dict[str, str], connections: int, seconds: int, script: Path | None = None) -> list[str]:
    """wrk's arguments; a ``script`` (Lua) builds each request itself (method, path, headers, body)."""
    args = ["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    if script is not None:
        args += ["-s", str(script)]
    return [*args, url]


def run(url: str, headers: dict[str, str], connections: int, seconds: int, script: Path | None = None) -> WrkReport:
    done = subprocess.run(
        command(url, headers, connections, seconds, script), capture_output=True, text=True, timeout=seconds + 60
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_report(done.stdout)
