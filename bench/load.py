"""`make load`: the public pages under load (DESIGN.md section 8), on 127.0.0.1 only, for a bounded time.

Fills a SQLite file — or, with `--postgres URL` (default: `DATABASE_URL` when it names PostgreSQL), a database of
its own on that server, dropped afterwards — with synthetic centres (as `make bench` does), serves it with gunicorn
on a free loopback port, and lets `--clients` simulated visitors request a mix of public pages back to back for
`--seconds`. `REDIS_URL`, when set, is passed on. Prints the requests per second, the error count and the latency
percentiles, the searches apart; gunicorn is stopped at the end whatever happens.

    python bench/load.py [--size 100000] [--clients 16] [--seconds 30] [--workers 4] [--postgres URL]
"""

import argparse
import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# What survivors and referrers ask for, roughly in proportion: lists and searches, a few centre pages.
PATHS = [
    "/ru/",
    "/ru/centres/",
    "/ru/centres/?page=3",
    "/ru/centres/?q=" + quote("алматы"),
    "/kk/centres/?q=" + quote("шымкент"),
    "/ru/centres/?q=zzrarezz",
    "/ru/centres/?service=shelter&with_children=on&open_24_7=on",
    "/ru/centres/?near=" + quote("Шымкент"),
    "/en/centres/?near=Almaty&radius_km=50",
    "/ru/centres/?lat=42.87&lon=74.59",
    "/ru/countries/kz/",
    "/ru/safety/",
]


SEARCH_PARAMETERS = ("q", "near", "lat", "service")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(size: int, env: dict) -> list[str]:
    """Migrate and fill the database in a child process; returns a few centre pages to request as well."""
    out = subprocess.run(
        [sys.executable, __file__, "--prepare", str(size)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        sys.exit(out.stderr)
    return [f"/ru/centres/{slug}/" for slug in out.stdout.split()]


def fill(size: int) -> None:
    """In the child: the same synthetic directory as `make bench`, then a few public centres' slugs."""
    import django

    django.setup()
    from django.core.management import call_command

    from bench.run import fill as fill_centres
    from centres.models import Centre

    call_command("migrate", verbosity=0)
    fill_centres(size)
    print("\n".join(Centre.objects.public().order_by("pk").values_list("slug", flat=True)[:10]))


def wait_until_up(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/ru/safety/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not answer in time")


def visitor(port: int, paths: list[str], until: float, seed: int, results: list, errors: list) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.monotonic() < until:
        path = rng.choice(paths)
        start = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException) as error:
            ok = False
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            path = f"{path} ({error.__class__.__name__})"
        elapsed = (time.perf_counter() - start) * 1000
        if ok:
            results.append((elapsed, path))
        else:
            errors.append(path)
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("DATABASE_URL") if os.environ.get("DATABASE_URL", "").startswith("postgres") else None,
        help="serve from a database made on this PostgreSQL server (default: DATABASE_URL when it names PostgreSQL)",
    )
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.prepare:
        fill(options.prepare)
        return

    from bench.run import database

    with tempfile.TemporaryDirectory() as folder, database(options.postgres, folder, options.size) as url:
        redis = "set" if os.environ.get("REDIS_URL") else "unset"
        print(f"# {'PostgreSQL' if options.postgres else 'SQLite'}, REDIS_URL {redis}", file=sys.stderr)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "directory.settings",
            "DATABASE_URL": url,
            "SECRET_KEY": "load-test-only",
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            # One client makes every request here: the limits would answer 429 (their counting still runs).
            "RATE_LIMIT_SEARCH": "1000000/m",
            "RATE_LIMIT_EXPORT": "1000000/m",
            "RATE_LIMIT_LOGIN": "1000000/m",
        }
        start = time.monotonic()
        paths = PATHS + prepare(options.size, env)
        print(f"# filled {options.size} centres in {time.monotonic() - start:.0f} s", file=sys.stderr)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
        )
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "directory.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(options.workers),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(port, time.monotonic() + 60)
            for path in paths:  # warm each worker's caches a little, as a running site is
                visitor(port, [path], time.monotonic() + 0.2, 0, [], [])
            results: list[tuple[float, str]] = []
            errors: list[str] = []
            until = time.monotonic() + options.seconds
            threads = [
                threading.Thread(target=visitor, args=(port, paths, until, n, results, errors))
                for n in range(options.clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(options.seconds + 30)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)

    times = [elapsed for elapsed, _path in results]
    quantiles = statistics.quantiles(times, n=100) if len(times) > 1 else [0.0] * 99
    print(
        f"| {options.size:,} centres | {options.clients} clients | {options.seconds} s | "
        f"{len(times) / options.seconds:.0f} req/s | errors {len(errors)} | "
        f"p50 {quantiles[49]:.0f} ms | p95 {quantiles[94]:.0f} ms | p99 {quantiles[98]:.0f} ms |"
    )
    # Pages without a search are served from the anonymous page cache once warm; searches never are.
    searches = [elapsed for elapsed, path in results if any(f"{name}=" in path for name in SEARCH_PARAMETERS)]
    if len(searches) > 1:
        cut = statistics.quantiles(searches, n=100)
        print(
            f"| searches only | {len(searches) / options.seconds:.0f} req/s | "
            f"p50 {cut[49]:.0f} ms | p95 {cut[94]:.0f} ms | p99 {cut[98]:.0f} ms |"
        )
    by_path: dict[str, list[float]] = {}
    for elapsed, path in results:
        by_path.setdefault(path, []).append(elapsed)
    for path, path_times in sorted(by_path.items(), key=lambda item: -statistics.median(item[1])):
        print(f"#   median {statistics.median(path_times):4.0f} ms  max {max(path_times):4.0f} ms  {path}")
    if errors:
        print("errors:", sorted(set(errors))[:10])
        sys.exit(1)


if __name__ == "__main__":
    main()
