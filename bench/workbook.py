"""Benchmark of issue 6's report workbook: the full workbook (cover and six
subject sheets) for the whole synthetic ledger, built as the export worker
builds it — in a separate process, so that its peak resident memory (the
figure asked: under 300 MB) is the worker's and not this command's.

Baseline, in a process of its own with the same imports: xlsxwriter alone
(bench/xlsx_raw.py) writing the same sheets with the same number of cells, from
values already in memory. The workbook's rows are one per street, so most of
its time is the grouped queries over every estate, projects, complaints rollup,
committees and payments: the time of its SQL statements is measured too, and
the writing (the rest) is compared with the baseline on its own.

Data: the ledger of bench/data.py; renovation projects of bench/renovation.py
(2021–2025); complaint cases of bench/complaints.py when none exist (five per
estate here); contracts, committees and one quarter's subsidies of
bench/propertymgmt.py dated so that the quarter falls in the measured year
(removed again afterwards, as that part does).
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2025  # the last year of bench/renovation.py's plans
CASES_PER_ESTATE = 5


def ensure_data(stdout) -> dict:
    from bench import complaints, propertymgmt, renovation

    projects = renovation.ensure_data(stdout)
    cases = complaints.existing_cases()
    if not cases:
        from communities.models import Estate

        total = Estate.objects.count() * CASES_PER_ESTATE
        stdout.write(f"  building {total:,} complaint cases…")
        complaints.build(total)
        cases = total
    stdout.write("  building contracts, committees and a quarter's subsidies…")
    rates = _ensure_rates()
    built = propertymgmt.build(date(YEAR + 1, 1, 15))  # its "previous quarter": the last of YEAR
    return {"projects": projects, "cases": cases, "property_build_s": built["build_s"], "added_rates": rates}


def _ensure_rates() -> list[int]:
    """The §7 subsidy rates when the database has none (else no advance is
    proposed); their ids, to remove them afterwards."""
    from propertymgmt.models import SubsidyRate

    if SubsidyRate.objects.exists():
        return []
    rates = {"market": "1.20", "unit": "1.20", "owners": "1.80", "street_centre": "1.80"}
    return [
        SubsidyRate.objects.create(district=None, management_mode=mode, rate=Decimal(rate)).pk
        for mode, rate in rates.items()
    ]


def _user():
    from accounts.models import User

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True, "is_staff": True})
    return admin


def child_main() -> None:
    """Entry point of the measured processes: `workbook PATH` or `baseline SHAPE_JSON`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oldestate.settings")
    import django

    django.setup()
    from django.db import connection

    from dashboard.workbook import Period, write_workbook  # the same imports in both processes

    mode, argument = sys.argv[1], sys.argv[2]
    if mode == "workbook":
        executed = []
        in_sql = [0.0]

        def count(execute, sql, params, many, context):
            executed.append(sql)
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                in_sql[0] += time.perf_counter() - started

        from django.core.cache import cache

        cache.clear()  # the renovation report is cached: measure it computed
        user = _user()
        with open(argument, "wb") as handle, connection.execute_wrapper(count):
            started = time.perf_counter()
            rows = write_workbook(handle, user=user, period=Period(YEAR))
            seconds = time.perf_counter() - started
        result = {"rows": rows, "seconds": seconds, "queries": len(executed), "sql_seconds": in_sql[0]}
    else:
        from bench.xlsx_raw import write_raw
        from core.xlsx import COUNT, TEXT, WAN, Column

        sheets = []
        for name, rows, columns in json.loads(argument):
            kinds = [Column("", TEXT, 14), *(Column("", WAN if i % 2 else COUNT) for i in range(columns - 1))]
            row = ("和平里街道", *(Decimal("123.45") if i % 2 else 1234 for i in range(columns - 1)))
            sheets.append((name, kinds, [row] * rows))
        result = {"seconds": write_raw(sheets)}
    from bench.xlsx_raw import peak_mb

    result["peak_mb"] = peak_mb()
    print(json.dumps(result))


def _child(*args) -> dict:
    child = subprocess.run(
        [sys.executable, "-c", "import bench.workbook as b; b.child_main()", *args],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def _shape(path) -> list:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        # A write-only file records no dimensions: count what is there.
        shape = []
        for sheet in book.worksheets:
            rows = [row for row in sheet.iter_rows(values_only=True)]
            shape.append([sheet.title, len(rows), max((len(row) for row in rows), default=0)])
        return shape
    finally:
        book.close()


def measure(scale, *, repeat, stdout) -> dict:
    from bench import propertymgmt
    from communities.models import Estate
    from org.models import StreetOffice

    added_rates = []
    try:
        result = ensure_data(stdout)
        added_rates = result.pop("added_rates")
        result |= {"estates": Estate.objects.count(), "streets": StreetOffice.objects.count(), "year": YEAR}
        rounds = max(2, min(repeat, 3))
        ours, base = [], []
        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / "workbook.xlsx")
            for _round in range(rounds):
                stdout.write("  workbook in a worker-like process…")
                ours.append(_child("workbook", path))
                shape = _shape(path)
                base.append(_child("baseline", json.dumps(shape)))
        best = min(ours, key=lambda run: run["seconds"])
        best_base = min(run["seconds"] for run in base)
        result |= {
            "rows": best["rows"],
            "cells": sum(rows * columns for _name, rows, columns in shape),
            "sheets": len(shape),
            "seconds": round(best["seconds"], 2),
            "queries": best["queries"],
            "sql_seconds": round(best["sql_seconds"], 2),
            "writing_seconds": round(best["seconds"] - best["sql_seconds"], 2),
            "writing_ratio": round((best["seconds"] - best["sql_seconds"]) / best_base, 1) if best_base else None,
            "peak_mb": round(max(run["peak_mb"] for run in ours)),
            "baseline_seconds": round(best_base, 3),
            "baseline_peak_mb": round(max(run["peak_mb"] for run in base)),
            "ratio": round(best["seconds"] / best_base, 1) if best_base else None,
            "all_seconds": [round(run["seconds"], 2) for run in ours],
            "sheet_shapes": shape,  # [name, rows with title/headers/totals/footer, columns]
        }
        return result
    finally:
        propertymgmt.cleanup()
        if added_rates:
            from propertymgmt.models import SubsidyRate

            SubsidyRate.objects.filter(pk__in=added_rates).delete()


def render(result, stamp) -> str:
    return "\n".join(
        [
            stamp,
            f"Report workbook of {result['year']} for all {result['estates']:,} estates in {result['streets']:,} "
            f"streets ({result['projects']:,} projects, {result['cases']:,} complaint cases). Each run in its own "
            "process, like the export worker; peak = that process's maximum resident memory.",
            "",
            "| workbook | sheets | data rows | cells | seconds | queries | of which SQL, s | peak MB |"
            " xlsxwriter alone, same cells, s | its peak MB | ratio | writing (seconds − SQL) ÷ xlsxwriter |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| full workbook (target < 30 s, < 300 MB) | {result['sheets']} | {result['rows']:,} | "
            f"{result['cells']:,} | {result['seconds']} | {result['queries']} | {result['sql_seconds']} | "
            f"{result['peak_mb']} | {result['baseline_seconds']} | {result['baseline_peak_mb']} | {result['ratio']} | "
            f"{result['writing_ratio']} |",
        ]
    )
