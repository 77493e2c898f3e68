"""Case numbers, and the local day they are counted by."""

from datetime import date, datetime

from django.db import connection
from django.utils import timezone


def next_number(day: date) -> str:
    """TS-YYYYMMDD-NNNNNN from the day's counter row, raised in one upsert
    statement: the row stays locked until the filing commits, so concurrent
    submissions queue for a moment and never share or skip a number
    (PostgreSQL and SQLite both run INSERT … ON CONFLICT … RETURNING)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO complaints_dailycounter (day, last) VALUES (%s, 1)"
            " ON CONFLICT (day) DO UPDATE SET last = complaints_dailycounter.last + 1 RETURNING last",
            [day],
        )
        last = cursor.fetchone()[0]
    return f"TS-{day:%Y%m%d}-{last:06d}"


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()
