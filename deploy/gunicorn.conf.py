"""gunicorn settings for Stembus. The bind address is given on the command line or by systemd."""

import multiprocessing
import os

workers = int(os.environ.get("STEMBUS_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = 2
timeout = 60
graceful_timeout = 30  # lets an in-flight ballot cast finish on SIGTERM
keepalive = 5
max_requests = 2048
max_requests_jitter = 128
preload_app = False  # every worker opens its own database connections
control_socket_disable = True
accesslog = "-"
# No query string in the access log: it could carry a token.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'
errorlog = "-"
loglevel = "info"
