"""gunicorn's logger, without what could tell who asked for what.

gunicorn's own error log writes "Invalid request from ip=…" with the malformed request line, and "Error handling
request" with the full URI, query string included. This logger writes those without the address and with the
path alone. With `LOG_FORMAT=json` its lines are JSON objects, as the app's are (directory/log_format.py, which
imports nothing of Django's: this master process must not hold Django's modules for the workers it starts).
gunicorn writes no access log (gunicorn.conf.py): the app logs each request.
"""

import os

from gunicorn.glogging import Logger

from directory.log_format import formatter

INVALID_REQUEST = "Invalid request from ip="


class PrivateLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        if os.environ.get("LOG_FORMAT") == "json":
            for handler in self.error_log.handlers:
                handler.setFormatter(formatter("json"))

    def warning(self, msg, *args, **kwargs):
        if isinstance(msg, str) and msg.startswith(INVALID_REQUEST):
            msg, args = "Invalid request (its address and request line are not logged)", ()
        super().warning(msg, *args, **kwargs)

    def exception(self, msg, *args, **kwargs):
        if isinstance(msg, str) and msg.startswith("Error handling request"):
            args = tuple(_path_only(arg) for arg in args)
        super().exception(msg, *args, **kwargs)


def _path_only(value):
    return value.split("?", 1)[0] if isinstance(value, str) else value
