"""Benchmarks of issue 5 (renovation projects), each against the raw operation
underneath it in the same run:

- the annual report pages (by street office; the year's project table, first
  page with the year's 合计) and the project list, for the whole country
  (superuser) and a district official, median of `repeat` requests;
- the year's project table and the street report as .xlsx, against xlsxwriter
  alone writing the same cells (fetched beforehand into plain tuples, rounded
  and typed as the export writes them: bench/xlsx_raw.py).

Bulk data is generated in PostgreSQL with generate_series on top of
bench/data.py's ledger: two five-year plans per district (2021–2025 and
2026–2030) with annual plans from 2021 up to this year, a quarter of the estates
in each annual plan (≈ 55,000 projects a year at
national scale), five work items and three funding lines per project.
"""

import statistics
import tempfile
import time

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from bench.xlsx_raw import cells_as_written, write_raw
from org.models import Community
from renovation import reports
from renovation.models import Project

FIRST_YEAR = 2021
REPORT_YEAR = 2023


def last_year() -> int:
    """The plans run up to this year, so this year's outputs (the dashboard's) cost
    what they will: on 2026-12-01 the bench's plans ended in 2025 and this year's
    outputs were measured on no project at all."""
    return timezone.localdate().year


def timed(fn, repeat):
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def expected_projects() -> int:
    """Projects the synthetic data holds: a quarter of the estates a year."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM communities_estate e CROSS JOIN generate_series(%s, %s) y"
            " WHERE (e.id + y) %% 4 = 0 AND NOT e.expropriation_planned AND NOT e.shantytown",
            [FIRST_YEAR, last_year()],
        )
        return cursor.fetchone()[0]


@transaction.atomic
def build() -> None:
    """Replace the renovation data with a synthetic one on top of the ledger."""
    user, _ = User.objects.get_or_create(username="bench-renovation", defaults={"is_superuser": True})
    elevator, pipes, roads, parking, retrofit = (
        f"(SELECT id FROM renovation_catalogueitem WHERE name = '{name}')"
        for name in ("加装电梯", "供水管网改造", "小区道路改造", "增设停车位", "建筑节能改造")
    )
    statements = [
        "TRUNCATE renovation_schedulereminder, renovation_progressphoto, renovation_progressreport,"
        " renovation_consultationmeeting, renovation_fundingline, renovation_historicalfundingline,"
        " renovation_workitem, renovation_historicalworkitem, renovation_gateoverride, renovation_streetconsent,"
        " renovation_fundarrangement, renovation_stagemove, renovation_historicalproject, renovation_project,"
        " renovation_annualplan, renovation_fiveyearplan CASCADE",
        """INSERT INTO renovation_fiveyearplan (district_id, name, start_year, end_year, target_estates)
           SELECT d.id, plan.name, plan.first, plan.last, 0 FROM communities_district d
           CROSS JOIN (VALUES ('“十四五”老旧小区改造规划', 2021, 2025), ('“十五五”老旧小区改造规划', 2026, 2030))
               AS plan(name, first, last)""",
        f"""INSERT INTO renovation_annualplan (plan_id, year, target_estates)
           SELECT p.id, y, 0 FROM renovation_fiveyearplan p
           CROSS JOIN generate_series({FIRST_YEAR}, {last_year()}) y
           WHERE y BETWEEN p.start_year AND p.end_year""",
        # A quarter of the estates in each year: (estate id + year) % 4 = 0.
        f"""INSERT INTO renovation_project (annual_plan_id, year, estate_id, street_id, name, summary, stage,
                planned_start, planned_end, actual_start, actual_end, progress, consent_share, notice_from, notice_to,
                cutoff_override_reason, created_by_id, created_at, updated_at)
            SELECT ap.id, ap.year, e.id, c.street_id, e.name || ap.year || '年综合整治', '',
                   (ARRAY['reserve','preparation','consultation','tender','construction','completed','accepted',
                          'handed_over'])[1 + (e.id * 7 + ap.year) % 8],
                   make_date(ap.year::int, (3 + e.id % 4)::int, 1), make_date(ap.year::int, (10 + e.id % 3)::int, 1),
                   CASE WHEN (e.id * 7 + ap.year) % 8 >= 4 THEN make_date(ap.year::int, (3 + e.id % 4)::int, 10) END,
                   CASE WHEN (e.id * 7 + ap.year) % 8 >= 5 THEN make_date(ap.year::int, (11 + e.id % 2)::int, 1) END,
                   CASE WHEN (e.id * 7 + ap.year) % 8 >= 5 THEN 100 WHEN (e.id * 7 + ap.year) % 8 = 4
                        THEN e.id % 100 ELSE 0 END,
                   60 + e.id % 40, NULL, NULL, '', {user.pk}, now(), now()
            FROM communities_estate e
            JOIN communities_community c ON c.id = e.community_id
            JOIN communities_streetoffice st ON st.id = c.street_id
            JOIN renovation_fiveyearplan fp ON fp.district_id = st.district_id
            JOIN renovation_annualplan ap ON ap.plan_id = fp.id
            WHERE (e.id + ap.year) % 4 = 0 AND NOT e.expropriation_planned AND NOT e.shantytown""",
        f"""INSERT INTO renovation_workitem (project_id, item_id, quantity, budget, actual_cost, note)
            SELECT p.id, item.id, item.quantity, item.quantity * item.price,
                   CASE WHEN p.stage IN ('completed','accepted','handed_over')
                        THEN item.quantity * item.price * (0.9 + (p.id % 20) / 100.0) ELSE 0 END, ''
            FROM renovation_project p
            CROSS JOIN LATERAL (VALUES
                ({elevator}, 1 + p.id % 4, 650000),
                ({pipes}, 0.5 + (p.id % 30) / 10.0, 380000),
                ({roads}, 1000 + p.id % 5000, 160),
                ({parking}, 5 + p.id % 50, 15000),
                ({retrofit}, 3000 + p.id % 20000, 220)
            ) AS item(id, quantity, price)""",
        """INSERT INTO renovation_fundingline (project_id, source, work_item_id, planned, received, note)
           SELECT w.project_id, 'central', w.id, round(w.budget * 0.6, 2),
                  CASE WHEN p.stage IN ('reserve','preparation','consultation','tender') THEN 0
                       ELSE round(w.budget * 0.6, 2) END, ''
           FROM renovation_workitem w JOIN renovation_project p ON p.id = w.project_id
           WHERE w.item_id = (SELECT id FROM renovation_catalogueitem WHERE name = '加装电梯')""",
        """INSERT INTO renovation_fundingline (project_id, source, work_item_id, planned, received, note)
           SELECT p.id, s.source, NULL, round(t.total * s.share, 2), 0, ''
           FROM renovation_project p
           JOIN (SELECT project_id, sum(budget) AS total FROM renovation_workitem GROUP BY project_id) t
             ON t.project_id = p.id
           CROSS JOIN (VALUES ('city_county', 0.3), ('residents', 0.05)) AS s(source, share)""",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def ensure_data(stdout) -> int:
    expected = expected_projects()
    if Project.objects.count() != expected or expected == 0:
        stdout.write(f"  building renovation data (≈{expected:,} projects)…")
        started = time.perf_counter()
        build()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE renovation_project, renovation_workitem, renovation_fundingline")
        stdout.write(f"  built in {time.perf_counter() - started:.1f} s")
    if not Project.objects.filter(year=last_year()).exists():
        raise RuntimeError("the renovation bench has no project this year: its figures would time nothing")
    return Project.objects.count()


def _users():
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True, "is_staff": True})
    district = Community.objects.order_by("id").first().street.district
    official, _ = User.objects.get_or_create(
        username="bench-official", defaults={"role": Role.DISTRICT_OFFICIAL, "district": district}
    )
    return {"全国（系统管理员）": admin, "区级": official}


def measure_page(user, url, params, repeat):
    client = Client()
    client.force_login(user)
    client.get("/healthz")
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    from django.core.cache import cache

    cache.clear()  # the first request computes the report; later ones (paging, export) read the cache
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        response = client.get(url, params)
    first = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    median = timed(lambda: client.get(url, params), repeat)
    return {"median_ms": round(median, 1), "first_ms": round(first, 1), "queries": len(executed)}


def measure_export(user, writer, rows_of, columns, rounds=2):
    """Our writer against xlsxwriter alone writing the same cells from tuples,
    alternated `rounds` times; the best of each (the machine is shared, so the
    least disturbed run is the fairest figure for both)."""
    rows = cells_as_written(rows_of(), columns)

    def baseline():
        write_raw([("rows", columns, rows)])
        return len(rows)

    def ours():
        from django.core.cache import cache

        cache.clear()  # measure the export computing its figures, not reading a cached report
        with tempfile.TemporaryFile() as handle:
            return writer(handle, user=user, year=REPORT_YEAR)

    times = {"baseline": [], "ours": []}
    count = 0
    for _ in range(rounds):
        for name, fn in (("baseline", baseline), ("ours", ours)):
            started = time.perf_counter()
            written = fn()
            times[name].append(time.perf_counter() - started)
            if name == "ours":
                count = written
    best_base, best_ours = min(times["baseline"]), min(times["ours"])
    return {
        "rows": count,
        "seconds": round(best_ours, 2),
        "baseline_seconds": round(best_base, 2),
        "ratio": round(best_ours / best_base, 2) if best_base else None,
        "all_seconds": {k: [round(v, 2) for v in vs] for k, vs in times.items()},
    }


def measure(scale, *, repeat, stdout) -> dict:
    projects = ensure_data(stdout)
    per_year = Project.objects.filter(year=REPORT_YEAR).count()
    result = {"projects": projects, "projects_in_year": per_year, "pages": [], "exports": []}
    repeat = max(3, min(repeat, 7))
    for who, user in _users().items():
        for kind, url, params in (
            ("按街道统计表页面", "/renovation/reports/streets/", {"year": REPORT_YEAR}),
            ("年度项目表页面（第1页＋全年合计）", "/renovation/reports/projects/", {"year": REPORT_YEAR}),
            ("项目列表页面", "/renovation/", {"year": REPORT_YEAR}),
        ):
            stdout.write(f"  {who} {kind}…")
            result["pages"].append({"who": who, "kind": kind, **measure_page(user, url, params, repeat)})
    admin = _users()["全国（系统管理员）"]
    projects_qs = reports._year_projects(admin, REPORT_YEAR, "export").values("pk")
    stdout.write("  export: year's project table…")
    result["exports"].append(
        {
            "what": "年度项目表 .xlsx",
            **measure_export(
                admin,
                reports.write_project_report,
                lambda: [tuple(r) for r in reports.iter_project_rows(projects_qs)],
                reports.PROJECT_COLUMNS,
            ),
        }
    )
    stdout.write("  export: street report…")
    result["exports"].append(
        {
            "what": "按街道统计表 .xlsx",
            **measure_export(
                admin,
                reports.write_street_report,
                lambda: [tuple(r) for r in reports.street_report(user=admin, year=REPORT_YEAR).figures],
                reports.street_columns(),
            ),
        }
    )
    return result


def render(result, stamp) -> str:
    lines = [
        stamp,
        f"Renovation: {result['projects']:,} projects in {FIRST_YEAR}–{last_year()}, "
        f"{result['projects_in_year']:,} in {REPORT_YEAR}.",
        "",
        "| who | page | median ms (repeat) | first request ms (computed) | queries of the first |",
        "|---|---|---:|---:|---:|",
    ]
    for row in result["pages"]:
        lines.append(
            f"| {row['who']} | {row['kind']} | {row['median_ms']} | {row.get('first_ms', '')} | {row['queries']} |"
        )
    lines += [
        "",
        "| export (whole country, one year) | rows | seconds | xlsxwriter alone, same cells, s | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in result["exports"]:
        lines.append(
            f"| {row['what']} | {row['rows']:,} | {row['seconds']} | {row['baseline_seconds']} | {row['ratio']} |"
        )
    return "\n".join(lines)
