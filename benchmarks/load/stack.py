"""A private PostgreSQL cluster and a gunicorn serving Stembus on it, on loopback, for load and fault runs.

The cluster lives in its own temporary directory with its own port and socket directory, so a run
never touches a PostgreSQL server someone else uses, and it can be stopped, crashed or paused at
will. It runs with ``fsync`` and ``synchronous_commit`` on, as in production. When this process
runs as root the cluster runs as the ``postgres`` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
PG_USER = "postgres"


class StackError(RuntimeError):
    """A part of the stack did not start or stop as expected."""


def postgres_bin() -> Path:
    """The directory with initdb, pg_ctl and postgres (``STEMBUS_PG_BIN`` overrides)."""
    configured = os.environ.get("STEMBUS_PG_BIN")
    if configured:
        return Path(configured)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not candidates:
        raise StackError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    return candidates[-1].parent


def free_port(start: int | None = None) -> int:
    """A loopback TCP port nobody listens on: ``start`` and up, or one the kernel picks."""
    for _ in range(200):
        port = start + random.randrange(0, 4000) if start else 0
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise StackError("no free loopback port")


def children_of(pid: int) -> list[int]:
    """The process ids whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; the parent id follows the state.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of ``pid`` and all its descendants, the finished ones included.

    A process's own time plus the time of the children it has reaped (``cutime``/``cstime``) plus,
    recursively, the children still running: a way to see what a server cost while other work
    shares the machine.
    """
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    ticks = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK") + sum(cpu_seconds(child) for child in children_of(pid))


@dataclass
class PostgresCluster:
    """A throw-away PostgreSQL cluster on ``127.0.0.1:port`` with trust authentication."""

    directory: Path
    port: int
    bin_dir: Path = field(default_factory=postgres_bin)

    @property
    def data(self) -> Path:
        """The cluster's data directory."""
        return self.directory / "data"

    @property
    def log(self) -> Path:
        """The server log."""
        return self.directory / "postgres.log"

    def url(self, database: str = "stembus") -> str:
        """The SQLAlchemy URL of ``database`` in this cluster."""
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 120) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", PG_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise StackError(f"{args[0]} failed: {result.stdout}{result.stderr}")

    def initialise(self) -> None:
        """Create the cluster (``initdb``) and write its settings."""
        # initdb's own final sync is skipped to save time; the running server fsyncs every commit.
        self._run("initdb", "-D", str(self.data), "-U", PG_USER, "-A", "trust", "-E", "UTF8", "--no-locale", "-N")
        settings = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.directory}'",
            "fsync": "on",
            "synchronous_commit": "on",
            "full_page_writes": "on",
            "max_connections": "100",
            "logging_collector": "off",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n# stembus load/fault stack\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; ``immediate`` is a crash: no checkpoint, recovery from the WAL at start."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def postmaster_pid(self) -> int:
        """The postmaster's process id."""
        return int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])

    def pause(self) -> None:
        """Freeze the server: SIGSTOP the postmaster, then every one of its processes."""
        postmaster = self.postmaster_pid()
        os.kill(postmaster, signal.SIGSTOP)
        for child in children_of(postmaster):
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused server run again (SIGCONT to its processes, then the postmaster)."""
        postmaster = self.postmaster_pid()
        for child in children_of(postmaster):
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGCONT)
        os.kill(postmaster, signal.SIGCONT)

    def create_database(self, name: str = "stembus") -> str:
        """Create an empty database and return its URL."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={PG_USER} dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        """Stop the server if it runs (waking it first if paused) and delete the whole directory.

        With ``STEMBUS_KEEP_STACK=1`` the directory (data, server and gunicorn logs) is kept.
        """
        with contextlib.suppress(Exception):
            self.resume()
        with contextlib.suppress(StackError, subprocess.TimeoutExpired):
            self.stop("immediate")
        if os.environ.get("STEMBUS_KEEP_STACK") == "1":
            print(f"kept {self.directory}", file=sys.stderr)
            return
        shutil.rmtree(self.directory, ignore_errors=True)


def create_cluster() -> PostgresCluster:
    """Initialise and start a private cluster in a new temporary directory."""
    directory = Path(tempfile.mkdtemp(prefix="stembus-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam(PG_USER)
        os.chown(directory, owner.pw_uid, owner.pw_gid)
    directory.chmod(0o700)
    cluster = PostgresCluster(directory, free_port(55432))
    try:
        cluster.initialise()
        cluster.start()
    except BaseException:
        cluster.destroy()
        raise
    return cluster


@dataclass
class Gunicorn:
    """gunicorn with the production settings file, serving ``app_spec`` on a loopback port."""

    database_url: str
    secret_key: str
    log_path: Path
    app_spec: str = "admin.app:create_app()"
    workers: int = 3
    threads: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:port``."""
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        """The environment gunicorn (and ``stembus`` commands on the same database) run with."""
        return {
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "LANG": "C.UTF-8",
            "STEMBUS_DATABASE_URL": self.database_url,
            "STEMBUS_SECRET_KEY": self.secret_key,
            "STEMBUS_WORKERS": str(self.workers),
            "STEMBUS_THREADS": str(self.threads),
            "STEMBUS_INSECURE_COOKIES": "1",  # plain HTTP on loopback: no TLS proxy in front
            **self.extra_env,
        }

    def start(self, timeout: float = 60) -> None:
        """Start gunicorn and wait until every worker answers and the database is reachable."""
        self.port = free_port()
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            str(GUNICORN_CONFIG),
            "--bind",
            f"127.0.0.1:{self.port}",
            self.app_spec,
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.environment(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 60) -> None:
        """Wait until ``/readyz`` answers 200 and all workers are up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise StackError(f"gunicorn exited; see {self.log_path}")
            if len(self.worker_pids()) >= self.workers and self.ready():
                return
            time.sleep(0.2)
        raise StackError(f"gunicorn did not become ready within {timeout} s; see {self.log_path}")

    def ready(self) -> bool:
        """Whether ``/readyz`` answers 200 (the app reaches its database)."""
        try:
            with urllib.request.urlopen(f"{self.base_url}/readyz", timeout=5) as answer:  # noqa: S310 (loopback)
                return bool(answer.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def worker_pids(self) -> list[int]:
        """The process ids of the current workers."""
        return [] if self.process is None else children_of(self.process.pid)

    def stop(self) -> None:
        """Stop gunicorn gracefully, or kill it after 30 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def stembus_check(gunicorn: Gunicorn) -> subprocess.CompletedProcess[str]:
    """Run ``stembus check --json`` on the stack's database."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "stembus"), "check", "--json"],
        cwd=ROOT,
        env=gunicorn.environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@dataclass
class Stack:
    """The cluster, the migrated database and the running gunicorn."""

    cluster: PostgresCluster
    database_url: str
    secret_key: str
    server: Gunicorn


@contextlib.contextmanager
def running_stack(
    *,
    workers: int = 3,
    threads: int = 2,
    app_spec: str = "admin.app:create_app()",
    extra_env: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """A private cluster with Stembus migrated into it, and a gunicorn for it that the caller starts.

    The caller seeds the database, then calls ``stack.server.start()``, so seeding is not part of
    anything measured. gunicorn and the cluster are stopped and removed at the end.
    """
    from election.migrate import upgrade

    cluster = create_cluster()
    server: Gunicorn | None = None
    try:
        url = cluster.create_database()
        upgrade(url)
        secret_key = secrets.token_urlsafe(48)
        server = Gunicorn(
            url,
            secret_key,
            cluster.directory / "gunicorn.log",
            app_spec=app_spec,
            workers=workers,
            threads=threads,
            extra_env=extra_env or {},
        )
        yield Stack(cluster, url, secret_key, server)
    finally:
        if server is not None:
            server.stop()
        cluster.destroy()
