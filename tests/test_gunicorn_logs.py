"""The shipped gunicorn.conf.py: request lines with method, path and status only; no address and no malformed
request line in the error log; with LOG_FORMAT=json, every line a JSON object. Runs gunicorn for real on a loopback
port, for a few seconds."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def send(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(raw)
        return connection.recv(200)


@pytest.mark.skipif(not (ROOT / "staticfiles").exists(), reason="needs collectstatic (make test runs it)")
@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_gunicorn_logs_no_address_query_or_malformed_request_line(tmp_path, log_format):
    port = free_port()
    env = {**os.environ, "SECRET_KEY": "test-only", "SECURE_SSL_REDIRECT": "false", "ALLOWED_HOSTS": "127.0.0.1"}
    env["LOG_FORMAT"] = log_format
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "-w", "1"]
    server = subprocess.Popen(
        [*command, "directory.wsgi"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        ok = send(
            port, b"GET /static/css/site.css?q=secret-search HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        assert ok.startswith(b"HTTP/1.1 200")
        bad = send(port, b"G\x01T /?q=secret-line HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert bad.startswith(b"HTTP/1.1 400")
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode(errors="replace")
    assert "GET /static/css/site.css 200" in output
    assert "Invalid request (its address and request line are not logged)" in output
    assert "secret" not in output and "127.0.0.1" not in output, output
    if log_format == "json":
        records = [json.loads(line) for line in output.splitlines() if line.strip()]  # each line is one object
        assert {"method": "GET", "path": "/static/css/site.css", "status": 200}.items() <= records[0].items()
        assert any(record["message"].startswith("Invalid request") for record in records)
