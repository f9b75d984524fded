"""The bench's own peers of the platform (a webhook receiver, an SMTP server) in processes of their own, so they
take no time from the driver's loop."""

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from .context import Bench


@contextmanager
def peer_process(bench: Bench, name: str, code: str, ready_url: str) -> Iterator[None]:
    """``python -c code`` until the block ends, once ``ready_url`` answers 2xx; its output in ``<name>.log``."""
    with open(bench.workdir / f"{name}.log", "ab") as log:
        process = subprocess.Popen([sys.executable, "-c", code], stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(ready_url, timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"the bench's {name} did not start") from None
                    time.sleep(0.1)
            yield
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
