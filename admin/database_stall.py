"""Fail fast when PostgreSQL stops answering, so a paused database gives 503 instead of a hang.

A query on an open connection to a server that has stopped answering (paused, a hung host) waits
for ever: the operating system keeps accepting the bytes, so no socket timeout fires, and a stopped
server cannot enforce its own ``statement_timeout``. The guard watches the requests of one worker
process. When one has run for ``stall_after`` seconds it asks the server for a fresh connection; if
none comes within the connect timeout the server counts as stalled, and the guard shuts down the
sockets of this process's database connections. Every waiting query then fails at once as a lost
connection, which ``admin.errors`` answers with 503. A request that is merely slow while the server
answers is left alone.

After a stall or a connection attempt that timed out, new connections fail at once for
``fail_fast`` seconds instead of each waiting out the connect timeout, so the requests of an outage
get their 503 in milliseconds and do not pile up in the worker's threads.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from psycopg.errors import ConnectionTimeout
from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class StallGuard:
    """WSGI middleware that times requests, plus a watcher thread that cuts a stalled database."""

    def __init__(
        self,
        app: WsgiApp,
        engine: Engine,
        *,
        connect_timeout: int = 3,
        stall_after: float = 3.0,
        fail_fast: float = 2.0,
    ) -> None:
        self.app = app
        self.engine = engine
        self.connect_timeout = connect_timeout
        self.stall_after = stall_after
        self.fail_fast = fail_fast
        self._lock = threading.Lock()
        self._tokens = itertools.count()
        self._running: dict[int, float] = {}
        # Each connection's socket, identified by descriptor and inode: a descriptor number that was
        # closed and reused for another socket is never shut down by mistake.
        self._sockets: weakref.WeakKeyDictionary[Any, tuple[int, int]] = weakref.WeakKeyDictionary()
        self._watcher_pid: int | None = None
        self._last_probe = -stall_after
        self._silent_until = 0.0
        event.listen(engine, "do_connect", self._connect)
        event.listen(engine, "connect", self._remember)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Run the request, noting when it started."""
        self._ensure_watcher()
        token = next(self._tokens)
        with self._lock:
            self._running[token] = time.monotonic()
        try:
            return self.app(environ, start_response)
        finally:
            with self._lock:
                self._running.pop(token, None)

    def _connect(self, dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        """Open a connection, or refuse at once while the server is known to be silent."""
        if time.monotonic() < self._silent_until:
            raise dialect.loaded_dbapi.OperationalError("the database server did not answer a moment ago")
        try:
            return dialect.loaded_dbapi.connect(*cargs, **{"connect_timeout": self.connect_timeout, **cparams})
        except ConnectionTimeout:
            self._silent_until = time.monotonic() + self.fail_fast
            raise

    def _remember(self, dbapi_connection: Any, _record: Any) -> None:
        descriptor = dbapi_connection.pgconn.socket
        with self._lock:
            self._sockets[dbapi_connection] = (descriptor, os.fstat(descriptor).st_ino)

    def _ensure_watcher(self) -> None:
        if self._watcher_pid == os.getpid():
            return
        with self._lock:
            if self._watcher_pid != os.getpid():
                self._watcher_pid = os.getpid()
                # The thread holds the guard weakly, so it ends when the application is gone.
                threading.Thread(target=_watch, args=(weakref.ref(self),), name="stall-guard", daemon=True).start()

    def check(self) -> None:
        """Probe the server if a request has waited too long; cut the connections if it is stalled."""
        now = time.monotonic()
        with self._lock:
            oldest = min(self._running.values(), default=None)
        if oldest is None or now - oldest < self.stall_after or now - self._last_probe < self.stall_after:
            return
        self._last_probe = now
        if self._server_answers():
            self._silent_until = 0.0
        else:
            self._silent_until = time.monotonic() + self.fail_fast
            self.cut_connections()

    def _server_answers(self) -> bool:
        """Whether the server answers a new connection within the connect timeout.

        Any answer counts, a refusal too ("too many clients", or nobody listening after a crash):
        only silence means the open connections are waiting for nothing.
        """
        dialect = self.engine.dialect
        cargs, cparams = dialect.create_connect_args(self.engine.url)
        try:
            connection = dialect.loaded_dbapi.connect(*cargs, **{**cparams, "connect_timeout": self.connect_timeout})
        except ConnectionTimeout:
            return False
        except Exception:  # an error answer is an answer
            return True
        connection.close()
        return True

    def cut_connections(self) -> int:
        """Shut down the socket of every open connection of this process; returns how many."""
        with self._lock:
            known = [(conn, fd, inode) for conn, (fd, inode) in list(self._sockets.items()) if not conn.closed]
        cut = 0
        for _conn, descriptor, inode in known:
            try:
                duplicate = os.dup(descriptor)
            except OSError:
                continue
            with socket.socket(fileno=duplicate) as sock:
                if os.fstat(duplicate).st_ino != inode:
                    continue
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                    cut += 1
                except OSError:
                    pass
        log.warning("the database server stopped answering: cut %d connection(s)", cut)
        return cut


def _watch(guard_ref: weakref.ref[StallGuard]) -> None:
    while True:
        time.sleep(0.5)
        guard = guard_ref()
        if guard is None:
            return
        guard.check()
        del guard
