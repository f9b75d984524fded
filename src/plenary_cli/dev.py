"""`plenary dev`: the whole platform on one machine, from local binaries, data under PLENARY_HOME."""

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from plenary_contracts.services import SERVICES, package_of
from plenary_kit import provision
from plenary_kit.discovery import load_services
from plenary_kit.embedded import EmbeddedNats, EmbeddedPostgres, die_with_parent
from plenary_kit.settings import EMBEDDED_NATS_PORT, EMBEDDED_PG_PASSWORD, EMBEDDED_PG_PORT, Settings

READY_TIMEOUT = 90.0


def run(settings: Settings) -> int:
    started = time.monotonic()
    home = settings.home.resolve()
    (home / "logs").mkdir(parents=True, exist_ok=True)
    postgres = (
        None
        if "PLENARY_DATABASE_URL" in os.environ
        else EmbeddedPostgres(home / "pg", EMBEDDED_PG_PORT, EMBEDDED_PG_PASSWORD)
    )
    nats = None if "PLENARY_NATS_URL" in os.environ else EmbeddedNats(home / "nats", EMBEDDED_NATS_PORT)
    processes: dict[str, subprocess.Popen[bytes]] = {}

    def on_signal(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)  # also when started with SIGINT ignored (a background job)
    try:
        if postgres is not None:
            typer.echo(f"postgres: starting on 127.0.0.1:{postgres.port} (data in {postgres.data_dir})")
            postgres.start()
        if nats is not None:
            typer.echo(f"nats: starting on 127.0.0.1:{nats.port} (store in {nats.store_dir})")
            nats.start()
        specs = load_services()
        for line in provision.migrate(settings, specs):
            typer.echo(f"migrate {line}")
        for line in asyncio.run(provision.apply_streams(settings)):
            typer.echo(f"streams {line}")
        for line in asyncio.run(provision.seed(settings, specs)):
            typer.echo(f"seed {line}")
        env = {
            **os.environ,
            "PLENARY_DATABASE_URL": settings.database_url,
            "PLENARY_NATS_URL": settings.nats_url,
            "PYTHONUNBUFFERED": "1",
        }
        for name in SERVICES:
            log = open(_log_path(home, name), "ab")
            processes[name] = subprocess.Popen(
                [sys.executable, "-m", package_of(name)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent(signal.SIGTERM),
            )
        health_url = f"http://{settings.http_host}:{settings.http_port}/healthz"
        _wait_ready(health_url, processes, home)
        _banner(settings, health_url, home, time.monotonic() - started)
        while True:
            for name, process in processes.items():
                if process.poll() is not None:
                    typer.echo(f"{name} exited with {process.returncode}; see {_log_path(home, name)}")
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        typer.echo("\nstopping…")
        return 0
    except Exception as error:
        typer.echo(f"plenary dev failed: {error}", err=True)
        return 1
    finally:
        _stop_all(processes)
        if nats is not None:
            nats.stop()
        if postgres is not None:
            postgres.stop()
        typer.echo("stopped.")


def _log_path(home: Path, service: str) -> Path:
    return home / "logs" / f"{service}.log"


def _wait_ready(url: str, processes: dict[str, subprocess.Popen[bytes]], home: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}; see {_log_path(home, name)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as error:
            last = error.read().decode(errors="replace")
        except OSError as error:
            last = str(error)
        time.sleep(0.25)
    tails = []
    for name in processes:
        lines = _log_path(home, name).read_text(errors="replace").splitlines()[-3:]
        tails.append(f"--- {name}.log\n" + "\n".join(lines))
    raise RuntimeError(f"not every service was ready within {READY_TIMEOUT:.0f}s: {last}\n" + "\n".join(tails))


def _banner(settings: Settings, health_url: str, home: Path, seconds: float) -> None:
    base = f"http://{settings.http_host}:{settings.http_port}"
    with urllib.request.urlopen(health_url, timeout=2) as response:
        services = json.loads(response.read())["services"]
    typer.echo(
        "\n".join(
            [
                "",
                f"Plenary is up in {seconds:.1f}s: {len(services)} services ready.",
                f"  gateway    {base}",
                f"  health     {health_url}",
                f"  database   {make_url(settings.database_url).render_as_string(hide_password=True)}",
                f"  nats       {settings.nats_url}",
                f"  logs       {home / 'logs'}",
                "Ctrl-C stops everything; the next `make run` reuses the data.",
                "",
            ]
        )
    )


def _stop_all(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
