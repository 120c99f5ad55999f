"""gunicorn's settings for this site: `gunicorn -c gunicorn.conf.py directory.wsgi` (README: Deploying).

The access log keeps the method, the path without its query string (which holds what someone searched for) and
the status — never the client's address. The error log never writes an address or a malformed request line
(`directory.gunicorn_logging`).
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
accesslog = "-"
access_log_format = "%(m)s %(U)s %(s)s"
errorlog = "-"
loglevel = "warning"
logger_class = "directory.gunicorn_logging.PrivateLogger"
