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
from collections.abc import Iterator
from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from plenary_contracts.services import SERVICES, package_of
from plenary_kit import provision
from plenary_kit.discovery import load_services
from plenary_kit.embedded import EmbeddedNats, EmbeddedPostgres, die_with_parent, port_is_free
from plenary_kit.settings import EMBEDDED_PG_PASSWORD, Settings

from .mail_sink import MailSink

READY_TIMEOUT = 90.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def run(settings: Settings) -> int:
    started = time.monotonic()
    home = settings.home.resolve()
    taken = ports_in_use(settings)
    if taken:
        typer.echo("plenary dev cannot start: ports in use (another `make run`, from another checkout?)", err=True)
        for line in taken:
            typer.echo(f"  {line}", err=True)
        return 1
    servers: list[EmbeddedPostgres | EmbeddedNats] = []  # filled as they start, so a stop finds each one
    processes: dict[str, subprocess.Popen[bytes]] = {}
    sink: list[MailSink] = []
    _stop_on_signals()
    with _alone_in_the_terminal_foreground():
        try:
            (home / "logs").mkdir(parents=True, exist_ok=True)
            _start_embedded_servers(settings, home, servers)
            _start_mail_sink(home, sink)
            _provision(settings)
            _start_services(settings, home, processes, sink[0].env if sink else {})
            health_url = f"http://{settings.http_host}:{settings.http_port}/healthz"
            _wait_ready(health_url, processes, home)
            _banner(settings, health_url, home, time.monotonic() - started, sink[0] if sink else None)
            return _watch(processes, home)
        except KeyboardInterrupt:
            typer.echo("\nstopping…")
            return 0
        except Exception as error:
            typer.echo(f"plenary dev failed: {error}", err=True)
            return 1
        finally:
            _stop_all(processes)
            for each in sink:
                each.stop()
            for server in reversed(servers):
                server.stop()
            typer.echo("stopped.")


def _start_embedded_servers(settings: Settings, home: Path, servers: list[EmbeddedPostgres | EmbeddedNats]) -> None:
    if settings.embedded_postgres:
        postgres = EmbeddedPostgres(home / "pg", settings.pg_port, EMBEDDED_PG_PASSWORD)
        typer.echo(f"postgres: starting on 127.0.0.1:{postgres.port} (data in {postgres.data_dir})")
        servers.append(postgres)
        postgres.start()
    if settings.embedded_nats:
        nats = EmbeddedNats(home / "nats", settings.nats_port)
        typer.echo(f"nats: starting on 127.0.0.1:{nats.port} (store in {nats.store_dir})")
        servers.append(nats)
        nats.start()


def _provision(settings: Settings) -> None:
    specs = load_services()
    for line in provision.migrate(settings, specs):
        typer.echo(f"migrate {line}")
    for line in asyncio.run(provision.apply_streams(settings)):
        typer.echo(f"streams {line}")
    for line in asyncio.run(provision.seed(settings, specs)):
        typer.echo(f"seed {line}")


# On a laptop, webhooks may be delivered to a receiver on this machine over plain HTTP; a setting in the
# environment still wins.
DEV_DEFAULTS = {"PLENARY_WEBHOOK_ALLOWED_NETWORKS": '["127.0.0.0/8", "::1/128"]', "PLENARY_WEBHOOK_ALLOW_HTTP": "true"}


def _start_mail_sink(home: Path, sink: list[MailSink]) -> None:
    """A local SMTP server keeping each e-mail as an .eml file, unless the environment names an SMTP server."""
    if os.environ.get("PLENARY_SMTP_HOST"):
        return
    try:
        started = MailSink(home / "mail")
    except ImportError:  # aiosmtpd is a development dependency
        typer.echo("mail: no local SMTP sink (aiosmtpd is not installed); e-mails are written to comms' log")
        return
    started.start()
    sink.append(started)


def _start_services(
    settings: Settings,
    home: Path,
    processes: dict[str, subprocess.Popen[bytes]],
    mail_env: dict[str, str] | None = None,
) -> None:
    env = {
        **DEV_DEFAULTS,
        **(mail_env or {}),
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


def _watch(processes: dict[str, subprocess.Popen[bytes]], home: Path) -> int:
    """Until a signal stops everything (a KeyboardInterrupt) or a service exits on its own (1)."""
    while True:
        for name, process in processes.items():
            if process.poll() is not None:
                typer.echo(f"{name} exited with {process.returncode}; see {_log_path(home, name)}")
                return 1
        time.sleep(0.5)


def ports_in_use(settings: Settings) -> list[str]:
    """The ports `plenary dev` would listen on that are taken, each with the setting that moves it."""
    wanted: list[tuple[str, int, str, str]] = []  # host, port, what listens there, the setting
    if settings.embedded_postgres:
        wanted.append(("127.0.0.1", settings.pg_port, "PostgreSQL", "PLENARY_PG_PORT"))
    if settings.embedded_nats:
        wanted.append(("127.0.0.1", settings.nats_port, "nats-server", "PLENARY_NATS_PORT"))
    wanted.append((settings.http_host, settings.http_port, "the gateway", "PLENARY_HTTP_PORT"))
    for index, name in enumerate(SERVICES):
        service = settings.service(name)
        own = service.setting_name("HEALTH_PORT")
        setting = own if own in os.environ else f"PLENARY_HEALTH_PORT_BASE (the first of {len(SERVICES)} ports)"
        wanted.append((settings.http_host, service.health_port(index), f"{name} health", setting))
    taken: dict[str, list[tuple[str, int, str]]] = {}
    for host, port, what, setting in wanted:
        if not port_is_free(port, host):
            taken.setdefault(setting, []).append((host, port, what))
    return [
        f"{', '.join(f'{host}:{port}' for host, port, _ in where)} ({', '.join(what for _, _, what in where)}): "
        f"set {setting} to a free port"
        for setting, where in taken.items()
    ]


def _stop_on_signals() -> None:
    """The first Ctrl-C (or SIGTERM, or the terminal closing) stops everything; later ones do not cut the
    stop short, since a second signal is common (an impatient Ctrl-C, or `uv run` forwarding a SIGTERM the
    process already got)."""

    def stop(signum: int, frame: object) -> None:
        for each in STOP_SIGNALS:
            signal.signal(each, already_stopping)
        raise KeyboardInterrupt

    def already_stopping(signum: int, frame: object) -> None:
        with contextlib.suppress(OSError):  # the terminal may be gone (SIGHUP)
            typer.echo("already stopping…")

    for each in STOP_SIGNALS:
        signal.signal(each, stop)  # SIGINT too when started with it ignored (a background job)


@contextlib.contextmanager
def _alone_in_the_terminal_foreground() -> Iterator[None]:
    """Make Ctrl-C reach this process alone, not the `make` and `uv run` that started it.

    The terminal sends SIGINT to its whole foreground process group. GNU make, once interrupted, waits for
    its recipe and then kills itself with SIGINT whatever the recipe's status, so a clean stop would still
    end as "Interrupt" and status 130. In a process group of its own that owns the terminal, this process
    gets Ctrl-C alone, stops cleanly, and make sees a recipe that exited 0.
    """
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        yield  # no controlling terminal: nothing sends Ctrl-C
        return
    try:
        foreground = os.tcgetpgrp(tty)
        if foreground != os.getpgrp() or os.getpgrp() == os.getpid():
            yield  # in the background, or already a group of its own (started straight from a shell)
            return
        try:
            os.setpgid(0, 0)
            _set_terminal_foreground(tty, os.getpgrp())
        except OSError:
            yield  # the terminal stays with the group that has it; Ctrl-C still stops everything
            return
        # A stopped group that no shell waits for would hang the terminal: Ctrl-Z does nothing instead.
        suspend = signal.signal(signal.SIGTSTP, signal.SIG_IGN)
        try:
            yield
        finally:
            signal.signal(signal.SIGTSTP, suspend)
            with contextlib.suppress(OSError):
                _set_terminal_foreground(tty, foreground)
    finally:
        os.close(tty)


def _set_terminal_foreground(tty: int, group: int) -> None:
    # tcsetpgrp from outside the foreground group raises SIGTTOU unless it is ignored.
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(tty, group)
    finally:
        signal.signal(signal.SIGTTOU, previous)


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


def _banner(settings: Settings, health_url: str, home: Path, seconds: float, sink: MailSink | None = None) -> None:
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
                f"  dashboard  {base}/dashboard/ (sign in as a tenant's user; FF_ANALYTICS_DASHBOARD on)",
                f"  database   {make_url(settings.database_url).render_as_string(hide_password=True)}",
                f"  nats       {settings.nats_url}",
                f"  logs       {home / 'logs'}",
                *(
                    [f"  mail       {sink.directory} (an .eml per e-mail sent; SMTP 127.0.0.1:{sink.port})"]
                    if sink
                    else []
                ),
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
