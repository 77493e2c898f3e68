"""Property figures: the subsidy run and the committee reminder run at scale.

The bulk data (companies, contracts, last quarter's approved advances and
assessments, committees and their timetables) is generated inside PostgreSQL
with generate_series, on top of the synthetic ledger of bench/data.py. Each run
is then measured twice over the same period or day: the first writes, the
second must write nothing and take under a tenth of the first's time.
"""

import json
import random
import time
from datetime import timedelta

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from communities.management.commands.seed_demo import make_credit_code
from core.sms import LocmemBackend
from propertymgmt import services

SETUP = [
    # This module's own rows only: the ledger is rebuilt by bench/data.py and
    # other apps' rows (complaints referencing companies) are left alone.
    "DELETE FROM propertymgmt_payeeaccountview",
    "DELETE FROM propertymgmt_batchline",
    "DELETE FROM propertymgmt_disbursementbatch",
    "DELETE FROM propertymgmt_disbursementbuild",
    "DELETE FROM propertymgmt_historicalrewardaward",
    "DELETE FROM propertymgmt_rewardaward",
    "DELETE FROM propertymgmt_historicalrewardscheme",
    "DELETE FROM propertymgmt_rewardscheme",
    "DELETE FROM propertymgmt_historicalpayee",
    "DELETE FROM propertymgmt_payee",
    "DELETE FROM propertymgmt_notice",
    "DELETE FROM propertymgmt_reminder",
    "DELETE FROM propertymgmt_committeestep",
    "DELETE FROM propertymgmt_committeetransition",
    "DELETE FROM propertymgmt_historicalcommittee",
    "DELETE FROM propertymgmt_committee",
    "DELETE FROM propertymgmt_subsidypayment",
    "DELETE FROM propertymgmt_subsidyperiod",
    "DELETE FROM propertymgmt_historicalassessment",
    "DELETE FROM propertymgmt_assessment",
    "DELETE FROM propertymgmt_historicalcontract",
    "DELETE FROM propertymgmt_fundwithdrawal",
    "DELETE FROM propertymgmt_feecollection",
    "DELETE FROM propertymgmt_contract",
]


def _companies_and_units():
    rng = random.Random(7)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, code FROM communities_district ORDER BY id")
        districts = cursor.fetchall()
        cursor.executemany(
            """INSERT INTO propertymgmt_propertycompany
                   (district_id, name, credit_code, contact_person, contact_phone, address, status, created_at)
               VALUES (%s, %s, %s, '', '', '', 'active', now()) ON CONFLICT DO NOTHING""",
            [(d, f"基准物业服务有限公司{d}", make_credit_code(rng, code)) for d, code in districts],
        )
        cursor.execute(
            """INSERT INTO communities_propertyrightsunit
                   (district_id, name, credit_code, contact_person, contact_phone, address, status, remarks,
                    version, updated_at)
               SELECT id, '基准产权单位' || id, '', '', '', '', 'active', '', 1, now() FROM communities_district
               ON CONFLICT DO NOTHING"""
        )


# §7's proposed rates (元/㎡·年), the ones migration 0003 seeds. bench/data.py's
# TRUNCATE of the districts … CASCADE empties the rates table with them (a foreign key
# points there), so the bench puts them back itself: on a fresh machine the subsidy
# runs of 2026-12-01 found no rate, wrote 0 payments in 28 ms and reported that.
DEFAULT_RATES = (("market", "1.20"), ("unit", "1.20"), ("owners", "1.80"), ("street_centre", "1.80"))


def _rates():
    with connection.cursor() as cursor:
        cursor.executemany(
            """INSERT INTO propertymgmt_subsidyrate (district_id, management_mode, rate)
               VALUES (NULL, %s, %s) ON CONFLICT DO NOTHING""",
            DEFAULT_RATES,
        )


def _payees():
    """A payee record for every company, rights unit, street centre and serving committee,
    so the disbursement build has somewhere to pay (account numbers made of ids)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO propertymgmt_payee
                   (district_id, street_id, body, company_id, rights_unit_id, committee_id, account_name, bank,
                    branch, account_number, updated_at)
               SELECT district_id, NULL::bigint, 'company', id, NULL::bigint, NULL::bigint, name, '基准银行', '',
                      lpad(id::text, 19, '1'), now()
               FROM propertymgmt_propertycompany
               UNION ALL
               SELECT district_id, NULL::bigint, 'rights_unit', NULL::bigint, id, NULL::bigint, name, '基准银行', '',
                      lpad(id::text, 19, '2'), now()
               FROM communities_propertyrightsunit
               UNION ALL
               SELECT district_id, id, 'street_centre', NULL, NULL, NULL, name || '物业服务中心', '基准银行', '',
                      lpad(id::text, 19, '3'), now()
               FROM communities_streetoffice
               UNION ALL
               SELECT s.district_id, s.id, 'committee', NULL, NULL, k.id, '业委会' || k.id, '基准银行', '',
                      lpad(k.id::text, 19, '4'), now()
               FROM propertymgmt_committee k
               JOIN communities_estate e ON e.id = k.estate_id
               JOIN communities_community c ON c.id = e.community_id
               JOIN communities_streetoffice s ON s.id = c.street_id
               WHERE k.stage IN ('filed', 'in_term', 're_election')"""
        )


def build(today) -> dict:
    """Contracts for every managed estate, last quarter's approved advances and one
    assessment per estate, committees with two dated steps each around `today`."""
    started = time.perf_counter()
    previous = services.quarter_of(services.quarter_of(today)[0] - timedelta(days=1))[0]
    with connection.cursor() as cursor:
        for sql in SETUP:
            cursor.execute(sql)
    _rates()
    _companies_and_units()
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO propertymgmt_contract
                   (estate_id, body, company_id, rights_unit_id, starts_on, ends_on, ended_on, end_reason,
                    service_level, fee_standard, full_service, cleaning, security, greening, repairs, created_at)
               SELECT e.id,
                      CASE e.management_mode WHEN 'market' THEN 'company' WHEN 'unit' THEN 'rights_unit'
                           ELSE e.management_mode END,
                      CASE WHEN e.management_mode = 'market' THEN pc.id END,
                      CASE WHEN e.management_mode = 'unit' THEN ru.id END,
                      DATE '2020-01-01', NULL, NULL, '', 'basic', 0.15 + (e.id % 21) / 100.0, true,
                      false, false, false, false, now()
               FROM communities_estate e
               JOIN communities_community c ON c.id = e.community_id
               JOIN communities_streetoffice s ON s.id = c.street_id
               JOIN propertymgmt_propertycompany pc ON pc.district_id = s.district_id
                    AND pc.name = '基准物业服务有限公司' || s.district_id
               JOIN communities_propertyrightsunit ru ON ru.district_id = s.district_id
                    AND ru.name = '基准产权单位' || s.district_id
               WHERE e.management_mode <> 'none'"""
        )
        cursor.execute("SELECT id FROM propertymgmt_scoringscheme WHERE is_default")
        scheme = cursor.fetchone()[0]
        cursor.execute(
            """INSERT INTO propertymgmt_assessment
                   (contract_id, estate_id, company_id, month, scheme_id, item_scores, complaints_upheld, score,
                    satisfaction, security_incidents, remarks)
               SELECT k.id, k.estate_id, k.company_id, %s, %s, '{}'::jsonb, 0, 60 + (k.estate_id * 7) %% 41,
                      60 + (k.estate_id * 3) %% 40, (k.estate_id %% 11 = 0)::int, ''
               FROM propertymgmt_contract k""",
            [previous, scheme],
        )
        cursor.execute(
            """INSERT INTO propertymgmt_committee
                   (estate_id, kind, stage, term_starts_on, term_ends_on, filed_on, chair, contact_phone,
                    contact_email, members)
               SELECT e.id, CASE e.owners_body WHEN 'committee' THEN 'committee' ELSE e.owners_body END,
                      'in_term', %s::date - 1500, %s::date + ((e.id * 7) %% 400 - 200)::int, NULL, '主任',
                      '139' || lpad((e.id %% 100000000)::text, 8, '0'), 'c' || e.id || '@example.cn', ''
               FROM communities_estate e WHERE e.owners_body <> 'none'""",
            [today, today],
        )
        cursor.execute(
            """INSERT INTO propertymgmt_committeestep (committee_id, estate_id, kind, due_on, done_on)
               SELECT id, estate_id, 'term_end', term_ends_on, NULL::date FROM propertymgmt_committee
               UNION ALL
               SELECT id, estate_id, 're_election', term_ends_on - 90, NULL::date FROM propertymgmt_committee"""
        )
    services.ensure_periods(day=previous)
    if not services.run_advance(start=previous):
        raise RuntimeError("the bench's own advance run wrote no payment: no rates, or no managed estate")
    _payees()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE propertymgmt_subsidypayment SET status = 'approved', approved_at = now()")
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM propertymgmt_committeestep")
        steps = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM propertymgmt_assessment")
        assessments = cursor.fetchone()[0]
    return {"build_s": round(time.perf_counter() - started, 1), "steps": steps, "assessments": assessments}


SETTLEMENT_LINES = 50_000


def _return_file(path, lines) -> None:
    """The bank's return file: the instruction's columns with 结果 and 退回原因 added,
    every hundredth line returned."""
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("回单")
    sheet.write_row(
        0, 0, ["序号", "明细编号", "收款人全称", "开户银行", "账号", "金额（元）", "用途", "摘要", "结果", "退回原因"]
    )
    for number, (pk, name, bank, account, amount) in enumerate(lines, start=1):
        returned = number % 100 == 0
        sheet.write_row(
            number,
            0,
            [
                number,
                str(pk),
                name,
                bank,
                account,
                float(amount),
                "老旧小区物业管理补贴",
                "",
                "已退回" if returned else "已支付",
                "账户已销户" if returned else "",
            ],
        )
    book.close()


def measure_settlement(count: int) -> dict:
    """Import a return file of `count` lines (preview, then commit) against openpyxl in
    read-only mode reading the same file. The lines are gathered into one released
    batch for the run and everything is rolled back afterwards."""
    import tempfile

    from django.db import transaction
    from openpyxl import load_workbook

    from accounts.models import User
    from propertymgmt.models import BatchLine, DisbursementBatch

    admin = User.objects.filter(is_superuser=True).first() or User.objects.create(
        username="bench-settlement", is_superuser=True, is_staff=True
    )
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle, transaction.atomic():
        first = DisbursementBatch.objects.filter(status="draft").order_by("pk").first()
        batch = DisbursementBatch.objects.create(
            district_id=first.district_id,
            period=first.period,
            sequence=99,
            status="released",
            released_at=timezone.now(),
            released_by=admin,
        )
        ids = list(BatchLine.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True)[:count])
        if len(ids) < count:
            raise RuntimeError(f"only {len(ids):,} pending lines for a {count:,}-line return file")
        BatchLine.objects.filter(pk__in=ids).update(batch=batch)
        lines = BatchLine.objects.filter(batch=batch).order_by("pk")
        _return_file(handle.name, lines.values_list("pk", "account_name", "bank", "account_number", "amount"))
        started = time.perf_counter()
        book = load_workbook(handle.name, read_only=True)
        raw_rows = sum(1 for _row in book.worksheets[0].iter_rows(values_only=True))
        book.close()
        raw_s = time.perf_counter() - started
        started = time.perf_counter()
        with open(handle.name, "rb") as fileobj:
            preview = services.preview_return_file(user=admin, batch_id=batch.pk, fileobj=fileobj)
        preview_s = time.perf_counter() - started
        if preview.errors or preview.rows != count:
            raise RuntimeError(f"the return file did not preview cleanly: {preview.errors[:3]}")
        started = time.perf_counter()  # what the confirmation does: the kept preview, settled
        kept = json.loads(json.dumps(preview.as_saved()))
        applied = services.apply_previewed(user=admin, batch_id=batch.pk, previewed=kept)
        commit_s = time.perf_counter() - started
        settled = BatchLine.objects.filter(batch=batch).exclude(status="pending").count()
        if settled != count:
            raise RuntimeError(f"the import settled {settled:,} of {count:,} lines")
        transaction.set_rollback(True)
    total = preview_s + commit_s
    return {
        "rows": count,
        "raw_rows": raw_rows,
        "returned": len(applied.returned),
        "openpyxl_s": round(raw_s, 2),
        "preview_s": round(preview_s, 2),
        "commit_s": round(commit_s, 2),
        "rows_per_s": round(count / total),
        "ratio": round(total / raw_s, 2),
    }


def _run(fn):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        written = fn()
        seconds = time.perf_counter() - started
    return {"ms": round(seconds * 1000, 1), "written": written, "queries": len(queries)}


def _twice(fn, table):
    """The run, the same run again at once, and again after VACUUM ANALYZE of the table it
    writes (what autovacuum does before the next day's beat run)."""
    first, again = _run(fn), _run(fn)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
    next_day = _run(fn)
    for run in (again, next_day):
        run["share_of_first"] = round(run["ms"] / first["ms"], 3) if first["ms"] else None
    return [first, again, next_day]


def cleanup() -> None:
    """Leave no rows that would stop bench/data.py from rebuilding the ledger
    (companies reference districts)."""
    with connection.cursor() as cursor:
        for sql in SETUP:
            cursor.execute(sql)
        cursor.execute("DELETE FROM propertymgmt_historicalpropertycompany WHERE name LIKE '基准物业服务有限公司%%'")
        cursor.execute("DELETE FROM propertymgmt_propertycompany WHERE name LIKE '基准物业服务有限公司%%'")


def measure(scale, *, repeat, stdout) -> dict:
    try:
        return _measure(stdout)
    finally:
        cleanup()


def _measure(stdout) -> dict:
    today = timezone.localdate()
    stdout.write("  building contracts, assessments, committees and last quarter's advances…")
    built = build(today)
    start = services.ensure_periods(day=today)
    previous = services.quarter_of(start - timedelta(days=1))[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM communities_estate")
        estates = cursor.fetchone()[0]
    batches = -(-estates // services.SUBSIDY_BATCH)
    stdout.write("  subsidy advance run…")
    advance = _twice(lambda: services.run_advance(start=start), "propertymgmt_subsidypayment")
    stdout.write("  subsidy balance run…")
    balance = _twice(lambda: services.run_balance(start=previous, today=today), "propertymgmt_subsidypayment")
    for name, runs in (("advance", advance), ("balance", balance)):
        if not runs[0]["written"]:
            raise RuntimeError(f"the {name} run wrote nothing: a timed run that writes nothing is no figure")
    stdout.write("  disbursement batches…")
    disbursement = _twice(lambda: services.build_batches(today=today).get("lines", 0), "propertymgmt_batchline")
    if not disbursement[0]["written"]:
        raise RuntimeError("the disbursement build wrote no line")
    stdout.write("  settlement import of a return file…")
    settlement = measure_settlement(SETTLEMENT_LINES)
    stdout.write("  committee reminder run…")
    LocmemBackend.outbox = []
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", SMS_BACKEND="core.sms.LocmemBackend"
    ):
        mail.outbox = []
        reminders = _twice(lambda: services.send_reminders(today=today), "propertymgmt_reminder")
        emails, sms = len(mail.outbox), len(LocmemBackend.outbox)
        mail.outbox = []
    LocmemBackend.outbox = []
    reminder_batches = -(-built["steps"] // services.REMINDER_BATCH)
    return {
        "estates": estates,
        **built,
        "batch": services.SUBSIDY_BATCH,
        "estate_batches": batches,
        "reminder_batch": services.REMINDER_BATCH,
        "step_batches": reminder_batches,
        "advance": advance,
        "balance": balance,
        "reminders": reminders,
        "disbursement": disbursement,
        "settlement": settlement,
        "emails": emails,
        "sms": sms,
    }


def render(result, stamp) -> str:
    lines = [
        stamp,
        "",
        f"Bulk data built in SQL in {result['build_s']} s: a contract for every managed estate, "
        f"{result['assessments']:,} assessments, {result['steps']:,} committee steps.",
        "",
        "| run | written | ms | queries | batches | again at once: written, ms, share "
        "| after VACUUM ANALYZE: written, ms, share |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for label, key, batches in (
        ("subsidy advance (70%), current quarter", "advance", result["estate_batches"]),
        ("subsidy balance (30% × score factor), last quarter", "balance", result["estate_batches"]),
        ("committee reminders, today", "reminders", result["step_batches"]),
        ("disbursement batches (approved payments with a payee → lines)", "disbursement", "per district"),
    ):
        first, again, next_day = result[key]
        lines.append(
            f"| {label} | {first['written']:,} | {first['ms']:,} | {first['queries']:,} | {batches} | "
            f"{again['written']}, {again['ms']:,} ms, {again['share_of_first']:.1%} | "
            f"{next_day['written']}, {next_day['ms']:,} ms, {next_day['share_of_first']:.1%} |"
        )
    lines += [
        "",
        f"Reminders delivered by the first run: {result['emails']:,} e-mails (locmem backend) and "
        f"{result['sms']:,} SMS (locmem backend), plus one in-app notice each; the second run sent none.",
    ]
    settle = result.get("settlement")
    if settle:
        lines += [
            "",
            "| settlement import (return file) | lines | openpyxl read-only reading it, s | preview, s "
            "| commit (the kept preview settled under the batch lock), s | rows/s through both | ratio to openpyxl |",
            "|---|---:|---:|---:|---:|---:|---:|",
            f"| {settle['returned']:,} returned, the rest paid | {settle['rows']:,} | {settle['openpyxl_s']} | "
            f"{settle['preview_s']} | {settle['commit_s']} | {settle['rows_per_s']:,} | {settle['ratio']} × |",
        ]
    return "\n".join(lines)
