"""Subsidy periods (quarters): a leaf the subsidy runs, their portable versions
and the pages share."""

from __future__ import annotations

from datetime import date, timedelta

from propertymgmt.models import SubsidyPeriod


def quarter_of(day: date) -> tuple[date, date]:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + 2
    end = (date(day.year, end_month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start, end


def ensure_period(*, district_id: int, day: date):
    """The subsidy period (a quarter) that contains `day`, created once."""
    start, end = quarter_of(day)
    period, _created = SubsidyPeriod.objects.get_or_create(
        district_id=district_id,
        starts_on=start,
        defaults={"ends_on": end, "label": _quarter_label(start)},
    )
    return period


def _quarter_label(start: date) -> str:
    return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
