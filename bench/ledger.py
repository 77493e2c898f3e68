"""Benchmarks of issue 2 (the estate ledger), each against the raw operation
underneath it measured in the same run:

- list page and API list (filtered, 50 a page, page 1 and a deep page) against
  the same SQL run on a bare psycopg2 cursor; queries counted on both pages;
- export of the whole ledger against xlsxwriter alone writing the same cells
  from plain tuples (bench/xlsx_raw.py); peak memory of the export in a
  process of its own;
- import of 10,000 rows (preview and commit) against openpyxl read-only
  reading the same file.
"""

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from accounts.models import Role, User
from bench.xlsx_raw import cells_as_written, peak_mb, write_raw
from communities import ledger_excel
from communities.ledger_excel.export import EXPORT_COLUMNS
from communities.models import Estate
from org.models import Community

ROOT = Path(__file__).resolve().parent.parent


def timed(fn, repeat):
    """Median and all timings (ms) of `repeat` calls after one warm-up call."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), samples


def bench_users():
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True, "is_staff": True})
    first_street = Community.objects.order_by("id").first().street
    official, _ = User.objects.get_or_create(
        username="bench-official", defaults={"role": Role.DISTRICT_OFFICIAL, "district": first_street.district}
    )
    staff, _ = User.objects.get_or_create(
        username="bench-staff", defaults={"role": Role.STREET_STAFF, "street": first_street}
    )
    return {"全国（系统管理员）": admin, "区级": official, "街道": staff}


def _client(user):
    client = Client()
    client.force_login(user)
    client.get("/healthz")
    return client


def _raw_sql_ms(queries, repeat):
    """The same statements a request ran, on the bare driver connection."""
    statements = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and "django_session" not in q["sql"] and "accounts_user" not in q["sql"]
    ]
    raw = connection.connection

    def run():
        with raw.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return timed(run, repeat)[0]


def measure_list(client, url, params, repeat):
    """First: the first request of a filter, with an empty cache (totals and
    the cached session are read from the database). Later: the median of
    repeats, as when paging; the baseline replays a later request's SQL."""
    from django.core.cache import cache

    def captured():
        # Django clears the query log when a request starts; start from an
        # empty log so the capture's slice is right, and copy it (the
        # capture is a view of the live log).
        reset_queries()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, params)
        assert response.status_code == 200, (url, params, response.status_code)
        return (time.perf_counter() - started) * 1000, list(ctx.captured_queries)

    connection.ensure_connection()
    cache.clear()
    first_ms, first_queries = captured()
    _ms, later_queries = captured()
    median, _samples = timed(lambda: client.get(url, params), repeat)
    raw = _raw_sql_ms(later_queries, repeat)
    return {
        "median_ms": round(median, 1),
        "first_ms": round(first_ms, 1),
        "raw_sql_ms": round(raw, 1),
        "ratio": round(median / raw, 2) if raw else None,
        "queries_first": len(first_queries),
        "queries": len(later_queries),
    }


def lists(scale, repeat=15):
    """Ledger list page and API at page 1 and the deepest page of a filter."""
    results = []
    users = bench_users()
    old_count = Estate.objects.filter(year_built__lte=2000).count()
    deep_page = max(1, min(4000, old_count // 50))
    cases = [
        ("页面", "/ledger/", {"is_old": "true"}),
        ("页面", "/ledger/", {"is_old": "true", "management_mode": "owners", "sort": "-households"}),
        ("页面", "/ledger/", {"q": "和平"}),
        ("API", "/api/v1/estates/", {"is_old": "true"}),
        ("API", "/api/v1/estates/", {"q": "和平", "sort": "year_built"}),
    ]
    for who, user in users.items():
        client = _client(user)
        for kind, url, params in cases:
            for page in (1, deep_page):
                if who != "全国（系统管理员）" and page != 1:
                    continue
                query = {**params, "page": page}
                if kind == "API" and page > 1:
                    count = client.get(url, params).json()["count"]
                    query["page"] = max(1, min(page, (count + 49) // 50))
                elif kind == "页面" and page > 1:
                    query["page"] = page  # the page clamps to the last one by itself
                result = measure_list(client, url, query, repeat)
                results.append({"who": who, "kind": kind, "params": query, **result})
    return results


EXPORT_MEMORY_FLAG = "--export-memory-probe"


def export_in_child():
    """Run the full export in this process and report peak memory (the child)."""
    user = bench_users()["全国（系统管理员）"]
    with tempfile.TemporaryFile() as handle:
        start = time.perf_counter()
        rows = ledger_excel.write_ledger(Estate.objects.all().order_by("name", "id"), handle, user=user)
        seconds = time.perf_counter() - start
    print(f"{rows} {seconds:.3f} {peak_mb():.1f}")


def _export_child():
    child = subprocess.run(
        [sys.executable, "manage.py", "bench", EXPORT_MEMORY_FLAG],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )
    rows, seconds, peak_mb = child.stdout.strip().splitlines()[-1].split()
    return int(rows), float(seconds), float(peak_mb)


def export(rounds: int = 2):
    """The whole ledger to .xlsx, against xlsxwriter alone writing the same cells
    from tuples; each `rounds` times, alternated, the best of each (the machine is
    shared: the least disturbed run is the fairest figure for both)."""
    # Baseline: the same cells (rounded and typed as the export writes them),
    # already in memory as plain tuples, written by xlsxwriter and nothing else.
    width = len(ledger_excel.EXPORT_HEADERS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT row_number() OVER (ORDER BY e.name, e.id)::int, s.name, c.name, e.name, e.address, e.year_built,"
            " '是', e.building_count, e.households, e.floor_area, e.floor_area * 0.0001, e.enclosure,"
            " e.management_mode, e.owners_body, e.fund_status, e.fund_balance, e.fund_holder, e.parking_spaces,"
            " e.vehicles, '否', '否', '否', '否', 0, 0.00, e.longitude,"
            " e.latitude, e.remarks FROM communities_estate e JOIN communities_community c ON c.id = e.community_id"
            " JOIN communities_streetoffice s ON s.id = c.street_id ORDER BY e.name, e.id"
        )
        tuples = cells_as_written(cursor.fetchall(), EXPORT_COLUMNS)
    assert len(tuples[0]) == width
    ours, base = [], []
    for _round in range(rounds):
        ours.append(_export_child())
        base.append(write_raw([("小区台账", EXPORT_COLUMNS, tuples)]))
    rows, seconds, _peak = min(ours, key=lambda run: run[1])
    base_seconds = min(base)
    return {
        "rows": rows,
        "seconds": round(seconds, 1),
        "baseline_seconds": round(base_seconds, 1),
        "ratio": round(seconds / base_seconds, 2),
        "peak_mb": round(max(run[2] for run in ours)),
        "all_seconds": {"ours": [round(run[1], 1) for run in ours], "baseline": [round(b, 1) for b in base]},
    }


def _import_file(rows):
    communities = list(Community.objects.select_related("street").order_by("id")[:20])
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "小区台账"
    headers = [c.header for c in ledger_excel.IMPORT_COLUMNS]
    sheet.append(headers)
    for n in range(rows):
        community = communities[n % len(communities)]
        sheet.append(
            [
                community.street.name,
                community.name,
                f"导入测试小区{n}",
                f"某路{n}号",
                1970 + n % 30,
                n % 12 + 1,
                100 + n % 900,
                5000 + n,
                "开放式",
                "业主自治",
                "无",
                "未归集",
                None,
                "无",
                n % 50,
                n % 80,
                "是",
                "否",
                "否",
                "否",
                None,
                None,
                "",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_rows(rows=10_000):
    content = _import_file(rows)
    user = bench_users()["全国（系统管理员）"]

    start = time.perf_counter()
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    read = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True)) - 1
    workbook.close()
    base_seconds = time.perf_counter() - start

    start = time.perf_counter()
    preview_parsed = ledger_excel.parse_ledger(io.BytesIO(content))
    preview = ledger_excel.resolve_ledger(preview_parsed, user=user)
    preview_parsed = ledger_excel.ParsedLedger.from_json(preview_parsed.to_json())  # as the preview stores it
    preview_seconds = time.perf_counter() - start
    assert preview.ok and len(preview.to_create) == rows, preview.errors[:5]

    start = time.perf_counter()
    with transaction.atomic():
        committed = ledger_excel.commit_ledger(preview_parsed, user=user)
        commit_seconds = time.perf_counter() - start
        assert committed.ok and Estate.objects.filter(name__startswith="导入测试小区").count() == rows
        transaction.set_rollback(True)  # leave the synthetic ledger as it was
    return {
        "rows": read,
        "openpyxl_rows_per_s": round(read / base_seconds),
        "preview_rows_per_s": round(rows / preview_seconds),
        "commit_rows_per_s": round(rows / commit_seconds),
        "commit_vs_openpyxl": round(commit_seconds / base_seconds, 2),
    }
