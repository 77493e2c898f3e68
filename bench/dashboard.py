"""Benchmarks of issue 6's dashboard, against the database doing the same work:

- the home page (工作台) of the whole country (superuser), a district official
  and a street office, cold (empty cache: every figure computed) and warm
  (median of `repeat` requests), with the number of queries of each;
- "raw": the same SQL statements the cold page ran, replayed through the
  driver's cursor, so the ratio shows what Django, the templates and Python
  add on top of PostgreSQL;
- the month-end snapshot task over the whole ledger.

It builds on the other parts' data: the ledger (bench/data.py), the
complaints (bench/complaints.py: 5 million at national scale), renovation
projects (bench/renovation.py) and property data (bench/propertymgmt.py, which
is removed again afterwards).
"""

import statistics
import time

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.ledger import bench_users

URL = "/dashboard/"


def _cold(client):
    """One request with an empty cache: its time, and the SQL it ran."""
    executed = []

    def record(execute, sql, params, many, context):
        executed.append((sql, params))
        return execute(sql, params, many, context)

    cache.clear()
    started = time.perf_counter()
    with connection.execute_wrapper(record):
        response = client.get(URL)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed, executed


def _replay(statements) -> float:
    """The same statements through the raw cursor, fetching every row."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor, under Django's wrapper
        for sql, params in statements:
            raw.execute(sql, params)
            if raw.description is not None:
                raw.fetchall()
    return (time.perf_counter() - started) * 1000


def _warm(client, repeat):
    client.get(URL)
    samples, queries = [], []
    for _ in range(repeat):
        executed = []

        def record(execute, *args, executed=executed):
            executed.append(1)
            return execute(*args)

        started = time.perf_counter()
        with connection.execute_wrapper(record):
            client.get(URL)
        samples.append((time.perf_counter() - started) * 1000)
        queries.append(len(executed))
    return statistics.median(samples), max(queries)


def measure_page(user, repeat) -> dict:
    client = Client()
    client.force_login(user)
    client.get("/healthz")
    colds, raws, counts = [], [], []
    for _ in range(3):
        elapsed, statements = _cold(client)
        # The page's own reads (session and user are the same for any page).
        colds.append(elapsed)
        counts.append(len(statements))
        raws.append(_replay(statements))
    warm_ms, warm_queries = _warm(client, repeat)
    cold, raw = statistics.median(colds), statistics.median(raws)
    return {
        "cold_ms": round(cold, 1),
        "cold_all_ms": [round(c, 1) for c in colds],
        "raw_sql_ms": round(raw, 1),
        "ratio": round(cold / raw, 2) if raw else None,
        "queries_cold": max(counts),
        "warm_ms": round(warm_ms, 1),
        "queries_warm": warm_queries,
    }


def measure(scale, *, repeat, stdout) -> dict:
    from bench import complaints as complaint_bench
    from bench import propertymgmt as property_bench
    from bench import renovation as renovation_bench
    from dashboard import services
    from dashboard.models import MonthlySnapshot

    total = complaint_bench.CASES[scale.name]
    if abs(complaint_bench.existing_cases() - total) > total * 0.02:
        stdout.write(f"  generating {total:,} complaints…")
        started = time.perf_counter()
        complaint_bench.build(total)
        stdout.write(f"  built in {time.perf_counter() - started:.1f} s")
    projects = renovation_bench.ensure_data(stdout)
    today = timezone.localdate()
    stdout.write("  building property data…")
    try:
        built = property_bench.build(today)
        stdout.write("  month-end snapshots…")
        MonthlySnapshot.objects.all().delete()
        started = time.perf_counter()
        written = services.take_snapshots(today=today)
        snapshot_s = time.perf_counter() - started
        again_started = time.perf_counter()
        again = services.take_snapshots(today=today)
        again_s = time.perf_counter() - again_started
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM complaints_complaint")
            cases = cursor.fetchone()[0]
        result = {
            "cases": cases,
            "projects": projects,
            "committee_steps": built["steps"],
            "snapshots": {
                "written": written,
                "seconds": round(snapshot_s, 2),
                "again_written": again,
                "again_ms": round(again_s * 1000, 1),
            },
            "pages": [],
        }
        repeat = max(5, min(repeat, 15))
        for who, user in bench_users().items():
            stdout.write(f"  {who}…")
            result["pages"].append({"who": who, **measure_page(user, repeat)})
        result["full_year_outputs"] = measure_full_year_outputs(bench_users()["全国（系统管理员）"])
        return result
    finally:
        property_bench.cleanup()


def measure_full_year_outputs(user) -> dict:
    """The bench's renovation data stops at 2025: when the dashboard's year has
    no projects yet, its outputs cost nothing. This times them for the newest
    year that has projects (the country's ≈53,000), for adding to the cold page."""
    from core.db import report_session
    from renovation.models import Project
    from renovation.selectors import year_outputs

    year = Project.objects.order_by("-year").values_list("year", flat=True).first()
    samples = []
    for _ in range(3):
        started = time.perf_counter()
        report_session(year_outputs, parallel_workers=2)(user=user, years=[year], output_years=[year])
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "year": year,
        "projects": Project.objects.filter(year=year).count(),
        "this_year_projects": Project.objects.filter(year=timezone.localdate().year).count(),
        "ms": round(statistics.median(samples), 1),
    }


def render(result, stamp) -> str:
    snap = result["snapshots"]
    lines = [
        f"{stamp} {result['cases']:,} complaints, {result['projects']:,} renovation projects, "
        f"{result['committee_steps']:,} committee steps.",
        "",
        "| who | cold: empty cache, ms (median of 3) | same SQL, raw driver ms | ratio | queries cold |"
        " warm median ms | queries warm |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["pages"]:
        lines.append(
            f"| {row['who']} | {row['cold_ms']} | {row['raw_sql_ms']} | {row['ratio']} | {row['queries_cold']} | "
            f"{row['warm_ms']} | {row['queries_warm']} |"
        )
    full = result.get("full_year_outputs")
    if full and not full["this_year_projects"]:
        lines += [
            "",
            "This year has no projects in the bench data (it plans 2021–2025); a full year's outputs "
            f"({full['year']}, {full['projects']:,} projects) take {full['ms']} ms more on the country's cold page "
            "(with two parallel workers, as the dashboard runs it).",
        ]
    lines += [
        "",
        f"Month-end snapshots of every node: {snap['written']:,} written in {snap['seconds']} s; "
        f"run again: {snap['again_written']} written in {snap['again_ms']} ms.",
    ]
    return "\n".join(lines)
