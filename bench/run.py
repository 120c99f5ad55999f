"""`make bench`: each page's time at two directory sizes, on SQLite and (when asked) PostgreSQL (DESIGN.md 8).

Each size gets a database of its own — a SQLite file in a temporary folder, or `bench_SIZE_PID` on the PostgreSQL
server, dropped afterwards — filled with synthetic centres in real gazetteer places. Pages are requested in-process with
Django's test client (no network), `--runs` times each, public pages once for an anonymous visitor and once for a
logged-in advocate. One table per database: median and 95th percentile at each size, the ratio of the medians
(goal at most 1.5), the share of the template-only page's throughput for the same audience, queries; exports timed
without a memory tracer, with their row counts and their peak memory growth from a second pass. Each table is also
written to `bench/results/` (not committed) so that two runs can be compared.

    python bench/run.py [--sizes 1000 100000] [--runs 15] [--only TEXT] [--no-exports] [--no-imports]
                        [--postgres URL [--postgres-only]] [--output-dir DIR]

`--only` keeps the pages whose label contains TEXT (the reference page always runs); `--no-imports` skips the imports
(a thousand-row file into the directory, and a 20 MB file checked); `--no-exports` skips the whole-file exports.
`--postgres URL` (default: `DATABASE_URL` when it names PostgreSQL) runs on PostgreSQL as well; URL names a database
to connect to for creating and dropping the benchmark's own.
"""

import argparse
import contextlib
import datetime
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Public pages are measured twice, for an anonymous visitor (whose pages without a search come from the page cache)
# and for a logged-in advocate (who always gets them made afresh); the advocates' pages once, logged in.
WHAT_IF = "/ru/at-risk/what-if/?country=KZ&min_area=80&min_per_bed=7"
ADVOCATES_ONLY = {
    "/ru/at-risk/",
    "/ru/at-risk/?severity=high&service=shelter",
    "/ru/dashboard/",
    WHAT_IF,
    "/ru/coverage/",
}
# The open-data API: one address for everyone, no session (measured once, without a login).
API_SERVICES = "/api/services?per_page=50"
# For crawlers: the sitemap's index and its second page of centres (250 centres, 1,500 addresses).
SITEMAP_INDEX, SITEMAP_PAGE = "/sitemap.xml", "/sitemap-centres.xml?p=2"
ANONYMOUS_ONLY = {
    API_SERVICES,
    "/api/services?per_page=50&search=%D0%BF%D1%80%D0%B8%D1%8E%D1%82&country=KZ",
    SITEMAP_INDEX,
    SITEMAP_PAGE,
}
# Kept for a minute per data version: measured as served from what is kept, and as the first request after an edit.
KEPT_PER_VERSION = {
    "/ru/dashboard/",
    WHAT_IF,
    "/ru/coverage/",
    "/api/services?per_page=50",
    SITEMAP_INDEX,
    SITEMAP_PAGE,
}
PAGES = [
    ("template-only page (reference)", "/ru/safety/"),
    ("home", "/ru/"),
    ("list, no filter", "/ru/centres/"),
    ("list, page 40", "/ru/centres/?page=40"),
    ("search q=алматы", "/ru/centres/?q=%D0%B0%D0%BB%D0%BC%D0%B0%D1%82%D1%8B"),
    ("search q=rare name", "/ru/centres/?q=zzrarezz"),
    ("filters: shelter + children + 24/7", "/ru/centres/?service=shelter&with_children=on&open_24_7=on"),
    ("near=Шымкент", "/ru/centres/?near=%D0%A8%D1%8B%D0%BC%D0%BA%D0%B5%D0%BD%D1%82"),
    ("near=Almaty radius 50 km", "/ru/centres/?near=Almaty&radius_km=50"),
    ("lat/lon", "/ru/centres/?lat=42.87&lon=74.59"),
    ("country page kz", "/ru/countries/kz/"),
    ("centre page", "DETAIL"),
    ("at-risk list (advocate)", "/ru/at-risk/"),
    ("at-risk list, high, shelters", "/ru/at-risk/?severity=high&service=shelter"),
    ("dashboard (advocate)", "/ru/dashboard/"),
    ("what-if: 80 m², 7 m² a bed (advocate)", WHAT_IF),
    ("coverage (advocate)", "/ru/coverage/"),
    ("HSDS API services, 50 a page", API_SERVICES),
    (
        "HSDS API services, search=приют&country=KZ",
        "/api/services?per_page=50&search=%D0%BF%D1%80%D0%B8%D1%8E%D1%82&country=KZ",
    ),
    ("sitemap index", SITEMAP_INDEX),
    ("sitemap, a page of 250 centres", SITEMAP_PAGE),
]
# Whole-file exports: timed once each (they grow with the directory by nature), with peak memory growth.
EXPORTS = [
    ("public export CSV", "/ru/centres/export.csv"),
    ("at-risk export CSV", "/ru/at-risk/export.csv"),
    ("at-risk export XLSX", "/ru/at-risk/export.xlsx"),
    ("at-risk export JSON", "/ru/at-risk/export.json"),
]


def fill(size: int) -> None:
    """Synthetic centres, spread over the gazetteer's places (bigger towns get more): `manage.py generate_centres`'s
    (centres/synthetic.py), with its default seed, so that a size always gives the same directory."""
    from centres import synthetic

    synthetic.generate(size)


Row = tuple[str, float, float, str]  # label, median ms, p95 ms, detail (queries; or rows and memory)


def measure(runs: int, only: str | None, exports: bool, imports: bool = True) -> list[Row]:
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from centres.models import Centre

    anonymous, advocate_client = Client(), Client()
    advocate = User.objects.create_user("bench-advocate")
    advocate.groups.add(Group.objects.get(name="advocate"))
    advocate_client.force_login(advocate)
    detail = "/ru/centres/" + Centre.objects.public().order_by("pk").values_list("slug", flat=True)[10] + "/"
    rows: list[Row] = []
    for audience, client in (("anonymous", anonymous), ("logged in", advocate_client)):
        for label, path in PAGES:
            if only and only not in label and label != PAGES[0][0]:
                continue
            if path in ADVOCATES_ONLY and audience == "anonymous":
                continue
            if path in ANONYMOUS_ONLY and audience != "anonymous":
                continue
            path = detail if path == "DETAIL" else path
            # The reference is made afresh for both audiences (an anonymous visitor's would come from the page
            # cache): shares compare pages with the same template-only work.
            fresh = label == PAGES[0][0]
            rows.append((f"{label} — {audience}", *page_cost(client, path, runs, fresh=fresh)))
            if path in KEPT_PER_VERSION:
                cost = page_cost(client, path, runs, after_an_edit=True)
                rows.append((f"{label}, first after an edit — {audience}", *cost))
    for label, path in EXPORTS if exports else []:
        if only and only not in label:
            continue
        rows.append((label, *export_cost(advocate_client, path)))
    label = "export_hsds (HSDS package)"
    if exports and (not only or only in label):
        rows.append((label, *hsds_cost()))
    if imports and (not only or "import" in only):
        rows.extend(import_costs())
    return rows


def page_cost(
    client, path: str, runs: int, fresh: bool = False, after_an_edit: bool = False
) -> tuple[float, float, str]:
    """Median and 95th percentile of `runs` requests (after one that warms the caches), and the queries of one;
    `fresh`: with the anonymous page cache emptied before each; `after_an_edit`: with a new data version before each
    (nothing computed from the data is kept, as on the first request after a save)."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from centres.caching import new_data_version

    assert client.get(path).status_code == 200, path
    times = []
    for _ in range(runs):
        if fresh:
            caches["pages"].clear()
        if after_an_edit:
            new_data_version()
        start = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - start) * 1000)
    if fresh:
        caches["pages"].clear()
    if after_an_edit:
        new_data_version()
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return statistics.median(times), percentile(times, 95), str(len(queries))


def percentile(values: list[float], percent: int) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def import_file(first: int, count: int, notes: int = 20) -> bytes:
    """A CSV file of `count` new centres, numbered from `first`, with notes of `notes` characters."""
    import csv
    import io

    stream = io.StringIO(newline="")
    writer = csv.writer(stream)
    writer.writerow(["name", "country", "city", "services", "beds", "beds_free", "public_notes"])
    for n in range(first, first + count):
        writer.writerow([f"Импортированный центр {n}", "KZ", "Алматы", "shelter;legal", 10, 2, "н" * notes])
    return stream.getvalue().encode()


def import_costs() -> list[Row]:
    """A thousand-row file imported (checked and written) into the directory: its time (goal under 10 s), then,
    in a run of its own with another file, its peak memory growth (goal under 100 MB); and the time to check a
    20 MB file of 20,000 rows (nothing written)."""
    import tracemalloc

    from centres import imports

    start = time.perf_counter()
    plan = imports.validate(import_file(0, 1000), filename="bench.csv")
    imports.write(plan)
    elapsed = (time.perf_counter() - start) * 1000
    assert plan.created == 1000, plan.errors[:3]
    tracemalloc.start()
    imports.write(imports.validate(import_file(1000, 1000), filename="bench.csv"))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    big = import_file(10_000, 20_000, notes=460)  # two bytes a Cyrillic letter: about 1 KB a row
    start = time.perf_counter()
    checked = imports.validate(big, filename="bench.csv")
    checking = (time.perf_counter() - start) * 1000
    assert not checked.errors, checked.errors[:3]
    return [
        ("import 1,000 rows", elapsed, elapsed, f"{peak / 1_000_000:.0f} MB"),
        (f"check a {len(big) // 1_000_000} MB file of 20,000 rows", checking, checking, ""),
    ]


def export_cost(client, path: str) -> tuple[float, float, str]:
    """A whole export: its time (without a memory tracer, which slows Python several times over), then in a second
    pass its peak memory growth; and how many rows it holds."""
    import tracemalloc

    start = time.perf_counter()
    content = download(client, path)
    elapsed = (time.perf_counter() - start) * 1000
    rows = export_rows(path, content)
    del content
    tracemalloc.start()
    download(client, path, keep=False)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, elapsed, f"{rows:,} rows, {peak / 1_000_000:.0f} MB"


def hsds_cost() -> tuple[float, float, str]:
    """`manage.py export_hsds` into a temporary file: its time (no memory tracer), then in a second pass its peak
    memory growth; and how many services the package holds."""
    import csv
    import io
    import tracemalloc
    import zipfile

    from django.core.management import call_command

    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "hsds.zip"
        start = time.perf_counter()
        call_command("export_hsds", str(target), verbosity=0)
        elapsed = (time.perf_counter() - start) * 1000
        with zipfile.ZipFile(target) as package:
            services = sum(1 for _row in csv.reader(io.TextIOWrapper(package.open("services.csv"), "utf-8"))) - 1
        tracemalloc.start()
        call_command("export_hsds", str(target), verbosity=0)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return elapsed, elapsed, f"{services:,} services, {peak / 1_000_000:.0f} MB"


def download(client, path: str, keep: bool = True) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, path
    pieces = response.streaming_content if response.streaming else [response.content]
    if not keep:
        for _piece in pieces:
            pass
        return b""
    return b"".join(pieces)


def export_rows(path: str, content: bytes) -> int:
    if path.endswith(".csv"):
        return content.count(b"\n") - 1
    if path.endswith(".json"):  # {"count": N, "results": [...]}
        return int(re.match(rb'\{"count": (\d+)', content).group(1))
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as workbook:  # rows counted in the sheet's XML, without parsing it
        return workbook.read("xl/worksheets/sheet1.xml").count(b"<row") - 1


def child(size: int, runs: int, only: str | None, exports: bool, imports: bool) -> None:
    import logging

    import django

    django.setup()
    logging.getLogger("centres.requests").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    fill(size)
    print(f"# filled {size} centres in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    for label, median, p95, detail in measure(runs, only, exports, imports):
        print(f"{label}\t{median:.2f}\t{p95:.2f}\t{detail}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100000])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--only", help="run only the pages whose label contains this text")
    parser.add_argument("--no-exports", action="store_true", help="skip the whole-file exports")
    parser.add_argument("--no-imports", action="store_true", help="skip the imports")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("DATABASE_URL") if os.environ.get("DATABASE_URL", "").startswith("postgres") else None,
        help="also run on this PostgreSQL server (default: DATABASE_URL when it names PostgreSQL)",
    )
    parser.add_argument("--postgres-only", action="store_true", help="with --postgres: skip SQLite")
    parser.add_argument("--output-dir", default=str(ROOT / "bench" / "results"), help="where each table is written")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child, options.runs, options.only, not options.no_exports, not options.no_imports)
        return

    databases = [("SQLite", None)]
    if options.postgres:
        databases.append(("PostgreSQL", options.postgres))
    if options.postgres_only:
        databases = databases[1:]
    for name, server in databases:
        results = {}
        with tempfile.TemporaryDirectory() as folder:
            for size in options.sizes:
                with database(server, folder, size) as url:
                    results[size] = run_child(options, size, url)
        table = render_table(name, options, results)
        print(table)
        output = Path(options.output_dir) / f"{datetime.datetime.now():%Y-%m-%d-%H%M}-{name.lower()}.md"
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(table + "\n", encoding="utf-8")
        print(f"(written to {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output})\n")


@contextlib.contextmanager
def database(postgres: str | None, folder: str, size: int) -> Iterator[str]:
    """The URL of an empty database for one size: a SQLite file in `folder`, or a database made on the server."""
    if not postgres:
        yield f"sqlite:///{folder}/bench-{size}.sqlite3"
        return
    import psycopg

    name = f"bench_{size}_{os.getpid()}"  # a run of its own: two runs at once never drop each other's
    with psycopg.connect(postgres, autocommit=True) as server:
        server.execute(f"DROP DATABASE IF EXISTS {name}")
        server.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(urlsplit(postgres)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(postgres, autocommit=True) as server:
            server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run_child(options: argparse.Namespace, size: int, url: str) -> list[list[str]]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "directory.settings",
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-only",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "WARNING",
        # One client makes every request here: the limits would answer 429 (their counting still runs).
        "RATE_LIMIT_SEARCH": "1000000/m",
        "RATE_LIMIT_EXPORT": "1000000/m",
        "RATE_LIMIT_LOGIN": "1000000/m",
        "RATE_LIMIT_API": "1000000/m",
    }
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            str(size),
            "--runs",
            str(options.runs),
            *(["--only", options.only] if options.only else []),
            *(["--no-exports"] if options.no_exports else []),
            *(["--no-imports"] if options.no_imports else []),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stderr.write(out.stderr)
    if out.returncode:
        sys.exit(f"benchmark at {size} centres failed")
    return [line.split("\t") for line in out.stdout.splitlines()]


def render_table(database_name: str, options, results: dict[int, list[list[str]]]) -> str:
    """One table: each page's median and 95th percentile at each size, the ratio of the medians (goal at most 1.5),
    its throughput as a share of the template-only page's for the same audience in the same run (goal for searches
    at least 15%), and its queries (exports: rows and peak memory growth, measured in a pass of its own)."""
    sizes = options.sizes
    small, large = sizes[0], sizes[-1]
    lines = [
        f"{database_name}, {datetime.date.today().isoformat()}, {os.cpu_count()} cores, {options.runs} runs a page",
        "",
        f"| page | {small:,}: median ms | p95 | {large:,}: median ms | p95 | ratio | share | queries or rows |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    references = {row[0].rsplit(" — ", 1)[1]: float(row[1]) for row in results[large] if row[0].startswith(PAGES[0][0])}
    for small_row, large_row in zip(results[small], results[large], strict=True):
        label, small_median, small_p95, small_detail = small_row
        _label, large_median, large_p95, large_detail = large_row
        ratio = float(large_median) / float(small_median)
        audience = label.rsplit(" — ", 1)[1] if " — " in label else None
        share = f"{100 * references[audience] / float(large_median):.0f}%" if audience in references else "—"
        flag = "" if ratio <= 1.5 else " ⚠"
        detail = small_detail if small_detail == large_detail else f"{small_detail} / {large_detail}"
        lines.append(
            f"| {label} | {float(small_median):.2f} | {float(small_p95):.2f} | {float(large_median):.2f} "
            f"| {float(large_p95):.2f} | {ratio:.2f}{flag} | {share} | {detail} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
