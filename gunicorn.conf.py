"""gunicorn's settings for this site: `gunicorn -c gunicorn.conf.py directory.wsgi` (README: Deploying).

gunicorn writes no access log: the app logs every request itself, static files included, by method, path without
its query string (which holds what someone searched for), status, duration and request id — never the client's
address (`centres.logs`). gunicorn's error log never writes an address or a malformed request line, and is written as
JSON when `LOG_FORMAT=json` (`directory.gunicorn_logging`).
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Processes: one more than the cores unless set, with a thread each. Where the cores also run PostgreSQL, more
# processes only queue work behind each other; the one spare keeps pages served while a request waits (an export
# streaming to a slow client). `make load` at 100,000 centres on 2 cores (2026-12-01), searches' p99: 267 ms with 4
# processes, 225–235 ms with 3, 210 ms with 2, and 311 ms with 2 processes of 2 threads each (README: Performance).
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))
# A worker silent for longer than this is killed and restarted. The open-data package (/<lang>/open-data/hsds.zip)
# builds for about a minute at 100,000 centres before its first byte; 30 s, gunicorn's default, would cut it off.
# A reload lets requests under way finish within the same time.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = timeout
accesslog = None
errorlog = "-"
loglevel = "warning"
logger_class = "directory.gunicorn_logging.PrivateLogger"
# gunicorn 25.1 and later open a control socket in $HOME/.gunicorn; the service's user has no home, and nothing here
# uses it (older versions ignore the setting).
control_socket_disable = True
