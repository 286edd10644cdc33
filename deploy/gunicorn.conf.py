"""gunicorn settings for Stembus.

The bind address is given on the command line: ``make run`` binds 127.0.0.1:8000, the systemd unit
a unix socket in its runtime directory, the container 0.0.0.0:8000. ``STEMBUS_WORKERS`` and
``STEMBUS_THREADS`` override the process and thread counts.
"""

import multiprocessing
import os

# Requests are short and mostly wait on PostgreSQL, so a few threads per process help. The cap keeps
# a large host from opening more database connections than PostgreSQL allows (max_connections).
workers = int(os.environ.get("STEMBUS_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "gthread"
threads = int(os.environ.get("STEMBUS_THREADS", 2))
timeout = 60  # the proxy waits 70 s, so gunicorn answers (or recycles the worker) first
graceful_timeout = 30  # lets an in-flight ballot cast finish on SIGTERM
keepalive = 5
max_requests = 2048
max_requests_jitter = 128
preload_app = False  # every worker opens its own database connections
control_socket_disable = True  # the management socket is an admin interface we do not need
proc_name = "stembus"
# The socket must be reachable by nginx (in the service's group) and by nobody else.
umask = 0o007
# Worker heartbeats on a RAM disk: a slow or read-only /tmp must not make the arbiter kill workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

accesslog = "-"
# No query string and no client address in the access log: a query could carry a token, and the
# proxy keeps its own (shortened) addresses for abuse handling.
access_log_format = '"%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'
errorlog = "-"
loglevel = "info"
