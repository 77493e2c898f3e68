"""The monthly measures: running totals kept by every step, and a rebuild
from the cases themselves."""

from django.db import connection, transaction

from complaints.models import Complaint, MonthlyStat
from complaints.services.numbering import _local_date

MEASURE_COLUMNS = (
    "received",
    "accepted",
    "resolved",
    "resolved_on_time",
    "replied",
    "rated",
    "satisfaction_sum",
    "satisfied",
)


def _bump(complaint: Complaint, **deltas) -> None:
    """Add `deltas` to the case's month / street / category row of the measures
    and to the district's total row (street_key = DISTRICT_TOTAL), in one upsert
    statement (safe under concurrency)."""
    unknown = set(deltas) - set(MEASURE_COLUMNS)
    if unknown:
        raise ValueError(unknown)
    month = _local_date(complaint.received_at).replace(day=1)
    columns = list(deltas)
    values = [deltas[c] for c in columns]
    zeros = [c for c in MEASURE_COLUMNS if c not in deltas]
    updates = ", ".join(f"{c} = complaints_monthlystat.{c} + excluded.{c}" for c in columns)
    row = f"(%s, %s, %s, %s, %s{', %s' * len(columns)}{', 0' * len(zeros)})"
    key = [month, complaint.district_id]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO complaints_monthlystat (month, district_id, street_id, street_key, category_id,"
            f" {', '.join(columns)}{''.join(', ' + z for z in zeros)})"
            f" VALUES {row}, {row}"
            f" ON CONFLICT (month, district_id, street_key, category_id) DO UPDATE SET {updates}",
            [
                *key,
                complaint.street_id,
                complaint.street_id or 0,
                complaint.category_id,
                *values,
                *key,
                None,
                MonthlyStat.DISTRICT_TOTAL,
                complaint.category_id,
                *values,
            ],
        )


def _on_time(complaint: Complaint) -> bool:
    return bool(
        complaint.resolve_due and complaint.resolved_at and _local_date(complaint.resolved_at) <= complaint.resolve_due
    )


def rebuild_monthly_stats() -> int:
    """Recompute the measures from the cases (after a bulk load, or to check
    the running totals). PostgreSQL and SQLite both run this SQL."""
    local = (
        "(c.received_at AT TIME ZONE 'Asia/Shanghai')"
        if connection.vendor == "postgresql"
        else "datetime(c.received_at, '+8 hours')"
    )
    month = (
        f"date_trunc('month', {local})::date"
        if connection.vendor == "postgresql"
        else f"date({local}, 'start of month')"
    )
    resolved_day = (
        "(c.resolved_at AT TIME ZONE 'Asia/Shanghai')::date"
        if connection.vendor == "postgresql"
        else "date(c.resolved_at, '+8 hours')"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM complaints_monthlystat")
        cursor.execute(
            f"""
            INSERT INTO complaints_monthlystat (month, district_id, street_id, street_key, category_id, received,
                accepted, resolved, resolved_on_time, replied, rated, satisfaction_sum, satisfied)
            SELECT {month}, c.district_id, c.street_id, COALESCE(c.street_id, 0), c.category_id, count(*),
                sum(CASE WHEN c.accepted_at IS NOT NULL THEN 1 ELSE 0 END),
                sum(CASE WHEN c.status IN ('resolved', 'closed') THEN 1 ELSE 0 END),
                sum(CASE WHEN c.status IN ('resolved', 'closed') AND {resolved_day} <= c.resolve_due
                    THEN 1 ELSE 0 END),
                sum(CASE WHEN c.status IN ('resolved', 'closed') AND c.reply <> '' THEN 1 ELSE 0 END),
                sum(CASE WHEN c.satisfaction IS NOT NULL THEN 1 ELSE 0 END),
                COALESCE(sum(c.satisfaction), 0),
                sum(CASE WHEN c.satisfaction >= 4 THEN 1 ELSE 0 END)
            FROM complaints_complaint c
            GROUP BY 1, c.district_id, c.street_id, c.category_id
            """
        )
        rows = cursor.rowcount
        sums = ", ".join(f"sum({c})" for c in MEASURE_COLUMNS)
        cursor.execute(
            f"""
            INSERT INTO complaints_monthlystat (month, district_id, street_id, street_key, category_id,
                {", ".join(MEASURE_COLUMNS)})
            SELECT month, district_id, NULL, {MonthlyStat.DISTRICT_TOTAL}, category_id, {sums}
            FROM complaints_monthlystat GROUP BY month, district_id, category_id
            """
        )
        return rows + cursor.rowcount
