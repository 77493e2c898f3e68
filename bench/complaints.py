"""Benchmarks of issue 3 (complaint mediation), each next to a baseline
measured in the same run:

- staff queue page and measures page (median of repeated requests through
  Django's full stack, query counts) against the same SQL on a bare cursor;
- the public form POST through gunicorn (2 sync workers, loopback only, a
  bounded number of requests) against a trivial Django view served the same
  way: the estate-suggestion endpoint with an empty term, which answers
  `{"results": []}` without touching the database.

Cases are generated inside PostgreSQL with generate_series:
district 25,000, province 500,000, national 5,000,000.
"""

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from django.db import connection, transaction

from accounts.models import User
from bench.ledger import _client, bench_users, measure_list
from org.models import Community

ROOT = Path(__file__).resolve().parent.parent
CASES = {"district": 25_000, "province": 500_000, "national": 5_000_000}
POSTS = 600  # public-form POSTs per measurement (bounded)
CONCURRENCY = 4


def existing_cases() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'complaints_complaint'")
        estimate = cursor.fetchone()[0]
        if estimate and estimate > 100_000:
            return estimate
        cursor.execute("SELECT count(*) FROM complaints_complaint")
        return cursor.fetchone()[0]


def build(total: int) -> None:
    """Replace the cases with `total` synthetic ones spread over two years,
    newest last; the newest 3 % still open (some overdue or escalated)."""
    table = "complaints_complaint"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE complaints_step, complaints_photo, complaints_extensionrequest, complaints_phoneview,"
            " complaints_notification, complaints_complaint_linked, complaints_monthlystat, complaints_dailycounter,"
            f" {table} CASCADE"
        )
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN"
            " (SELECT conname FROM pg_constraint)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        # Skip the per-row foreign-key triggers while loading (the ids come from the tables themselves).
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SELECT count(*) FROM communities_estate")
        estates = cursor.fetchone()[0]  # a constant, so the join is a hash join, not a nested loop
        cursor.execute("SELECT array_agg(id ORDER BY sort, id) FROM complaints_category")
        categories = cursor.fetchone()[0]
        cursor.execute(
            f"""
            WITH e AS (SELECT e.id, e.community_id, c.street_id, s.district_id,
                              row_number() OVER (ORDER BY e.id) - 1 AS n
                       FROM communities_estate e JOIN communities_community c ON c.id = e.community_id
                       JOIN communities_streetoffice s ON s.id = c.street_id),
                 g AS (SELECT g, now() - ((%(total)s - g) * (63072000.0 / %(total)s)) * interval '1 second' AS at,
                              CASE WHEN g > %(total)s * 0.97 THEN
                                   (ARRAY['submitted','accepted','assigned','mediating'])[1 + g %% 4]
                                   WHEN g %% 41 = 0 THEN 'rejected'
                                   WHEN g > %(total)s * 0.96 THEN 'resolved' ELSE 'closed' END AS status
                       FROM generate_series(1, %(total)s) g)
            INSERT INTO {table} (number, access_token, channel, external_ref, category_id, district_id, street_id,
                community_id, estate_id, address, building_unit, description, reporter_name, reporter_phone,
                consent_at, status, assigned_community_id, mediation_type, escalation, received_at, accept_due,
                accepted_at, resolve_due, resolved_at, closed_at, due_soon, overdue, rejection_reason, outcome, reply,
                upheld_against_company, reopen_count, satisfaction, rating_comment, rated_at, return_visit_note,
                updated_at)
            SELECT 'TS-' || to_char(g.at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-'
                       || lpad((g.g %% 1000000)::text, 6, '0'),
                   md5(g.g::text), (ARRAY['web','hotline','hotline','phone','walk_in','mayor_mailbox'])[1 + g.g %% 6],
                   '', (%(categories)s::bigint[])[1 + g.g %% {len(categories)}], e.district_id, e.street_id,
                   e.community_id, e.id, '', (1 + g.g %% 12) || '号楼', '楼道堆放杂物，消防通道被堵。',
                   '李秀英', '138' || lpad((g.g %% 100000000)::text, 8, '0'), g.at, g.status,
                   CASE WHEN g.status IN ('assigned','mediating','resolved','closed') THEN e.community_id END,
                   '', CASE WHEN g.status IN ('accepted','assigned','mediating') AND g.g %% 9 = 0 THEN 'street'
                            ELSE '' END,
                   g.at, (g.at + interval '1 day')::date,
                   CASE WHEN g.status NOT IN ('submitted','rejected') THEN g.at + interval '3 hours' END,
                   CASE WHEN g.status NOT IN ('submitted','rejected') THEN (g.at + interval '19 days')::date END,
                   CASE WHEN g.status IN ('resolved','closed') THEN g.at + (g.g %% 25) * interval '1 day' END,
                   CASE WHEN g.status = 'closed' THEN g.at + (g.g %% 25 + 2) * interval '1 day' END,
                   false, g.status IN ('accepted','assigned','mediating') AND g.g %% 7 = 0,
                   CASE WHEN g.status = 'rejected' THEN '不属于物业管理范围' ELSE '' END,
                   CASE WHEN g.status IN ('resolved','closed') THEN '已协调处理' ELSE '' END,
                   CASE WHEN g.status IN ('resolved','closed') THEN '已协调物业清理完毕' ELSE '' END,
                   false, 0, CASE WHEN g.status = 'closed' AND g.g %% 3 > 0 THEN 1 + g.g %% 5 END, '',
                   CASE WHEN g.status = 'closed' AND g.g %% 3 > 0 THEN g.at + interval '20 days' END, '', now()
            FROM g JOIN e ON e.n = g.g %% %(estates)s
            ORDER BY g.g
            """,
            {"total": total, "categories": categories, "estates": estates},
        )
        for _name, definition in indexes:
            cursor.execute(definition)
    from complaints import services

    services.rebuild_monthly_stats()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("VACUUM ANALYZE complaints_monthlystat")


def _users():
    users = bench_users()
    first_street = Community.objects.order_by("id").first().street
    users["街道"] = User.objects.get(username="bench-staff")
    # Give the clerk cases of their own street as handler, as "my cases" needs.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_complaint SET handler_id = %s WHERE street_id = %s AND handler_id IS NULL",
            [users["街道"].pk, first_street.pk],
        )
    return users


def pages(repeat: int) -> list:
    from django.utils import timezone

    users = _users()
    year = timezone.localdate().year
    from complaints.models import Category

    category = Category.objects.order_by("sort", "id").values_list("id", flat=True)[2]
    cases = [
        ("街道", "工单队列", "/complaints/", {"queue": "mine"}),
        ("街道", "工单队列", "/complaints/", {"queue": "unassigned"}),
        ("区级", "工单队列", "/complaints/", {"queue": "open"}),
        ("区级", "工单队列", "/complaints/", {"queue": "overdue"}),
        ("区级", "工单队列", "/complaints/", {"queue": "all", "page": 100}),
        ("全国（系统管理员）", "工单队列", "/complaints/", {"queue": "open"}),
        ("全国（系统管理员）", "工单队列", "/complaints/", {"queue": "escalated", "page": 20}),
        ("全国（系统管理员）", "工单队列", "/complaints/", {"queue": "all", "category": category, "page": 150}),
        ("街道", "统计", "/complaints/measures/", {"year": year}),
        ("区级", "统计", "/complaints/measures/", {"year": year, "by": "street"}),
        ("区级", "统计", "/complaints/measures/", {"year": year, "by": "category"}),
        ("全国（系统管理员）", "统计", "/complaints/measures/", {"year": year, "by": "district"}),
        ("全国（系统管理员）", "统计", "/complaints/measures/", {"year": year, "month": 6, "by": "category"}),
    ]
    results = []
    clients = {}
    for who, kind, url, params in cases:
        client = clients.setdefault(who, _client(users[who]))
        results.append({"who": who, "kind": kind, "params": params, **measure_list(client, url, params, repeat)})
    return results


# --- the public form through gunicorn ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/complaints/estates.json")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def _load(port, requests_per_thread, make_request):
    """`CONCURRENCY` keep-alive clients; returns (requests/s, errors)."""
    errors = [0]
    lock = threading.Lock()

    def worker(index):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for n in range(requests_per_thread):
            method, path, body, headers, expected = make_request(index, n)
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == expected
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            if not ok:
                with lock:
                    errors[0] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONCURRENCY)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    return round(requests_per_thread * CONCURRENCY / seconds, 1), errors[0]


def public_form(stdout=None) -> dict:
    from communities.models import Estate
    from complaints.models import Category, Complaint

    port = _free_port()
    env = {
        **os.environ,
        # Limits off for the load generator's one address; everything else as in production.
        "COMPLAINT_RATE_PER_IP_HOUR": "1000000",
        "COMPLAINT_CHALLENGE_AFTER": "1000000",
        "COMPLAINT_RATE_PER_PHONE_DAY": "1000000",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "oldestate.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    before = Complaint.objects.order_by("-id").values_list("id", flat=True).first() or 0
    try:
        _wait_up(port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/complaints/file/")
        response = conn.getresponse()
        html = response.read().decode()
        cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        category = Category.objects.order_by("id").first()
        estates = list(Estate.objects.order_by("id").values_list("id", "name")[:200])
        per_thread = POSTS // CONCURRENCY

        def post(index, n):
            estate_id, estate_name = estates[(index * per_thread + n) % len(estates)]
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "category": category.pk,
                    "estate_name": estate_name,
                    "estate_id": estate_id,
                    "building_unit": "3号楼2单元",
                    "description": "楼道堆放杂物，消防通道被堵。",
                    "reporter_name": "李秀英",
                    "reporter_phone": f"137{index:02d}{int(time.time()) % 1000:03d}{n:03d}",
                    "consent": "on",
                    "website": "",
                }
            )
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie}",
                "Referer": f"http://127.0.0.1:{port}/complaints/file/",
            }
            return "POST", "/complaints/file/", body, headers, 302

        def trivial(index, n):
            return "GET", "/complaints/estates.json", None, {}, 200

        _load(port, 10, trivial)  # warm both workers
        trivial_rps, trivial_errors = _load(port, per_thread, trivial)
        post_rps, post_errors = _load(port, per_thread, post)
        trivial_rps_after, _e = _load(port, per_thread, trivial)
        filed = Complaint.objects.filter(id__gt=before).count()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    # Remove what the load wrote, and put the measures back as they were.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM complaints_notification WHERE complaint_id > %s", [before])
        cursor.execute("DELETE FROM complaints_step WHERE complaint_id > %s", [before])
        cursor.execute("DELETE FROM complaints_complaint WHERE id > %s", [before])
    from complaints import services

    services.rebuild_monthly_stats()
    trivial_best = statistics.mean([trivial_rps, trivial_rps_after])
    return {
        "posts": per_thread * CONCURRENCY,
        "concurrency": CONCURRENCY,
        "post_rps": post_rps,
        "post_errors": post_errors,
        "filed": filed,
        "trivial_rps": round(trivial_best, 1),
        "trivial_errors": trivial_errors,
        "ratio": round(post_rps / trivial_best, 2) if trivial_best else None,
    }


def measure(scale, *, repeat, stdout) -> dict:
    total = CASES[scale.name]
    if abs(existing_cases() - total) > total * 0.02:
        stdout.write(f"  generating {total:,} complaints…")
        started = time.perf_counter()
        build(total)
        stdout.write(f"  built in {time.perf_counter() - started:.1f} s")
    stdout.write("  staff queue and measures pages…")
    result = {"cases": total, "pages": pages(repeat)}
    stdout.write("  public form POST through gunicorn…")
    result["form"] = public_form(stdout)
    return result


def render(result, stamp) -> str:
    lines = [
        f"{stamp} {result['cases']:,} complaints.",
        "",
        "| who | page | parameters | median ms | same SQL, raw driver ms | queries | first request ms |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for row in result["pages"]:
        params = "&".join(f"{k}={v}" for k, v in row["params"].items())
        lines.append(
            f"| {row['who']} | {row['kind']} | `{params}` | {row['median_ms']} | {row['raw_sql_ms']} | "
            f"{row['queries']} | {row['first_ms']} |"
        )
    form = result["form"]
    lines += [
        "",
        "| through gunicorn, 2 sync workers, "
        f"{form['concurrency']} keep-alive clients on loopback | requests | req/s | errors |",
        "|---|---:|---:|---:|",
        f"| trivial Django view (`/complaints/estates.json`, no term) | {form['posts']} | {form['trivial_rps']} | "
        f"{form['trivial_errors']} |",
        f"| public form POST (validate, rate limits, duplicate check, number, case, step, measures, outbox) | "
        f"{form['posts']} | {form['post_rps']} | {form['post_errors']} |",
        f"| ratio POST ÷ trivial | | {form['ratio']} | |",
    ]
    return "\n".join(lines)
