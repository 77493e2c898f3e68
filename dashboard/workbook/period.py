"""What a report workbook covers: a period (a year, a quarter or a month of it)
and the context every sheet is written in."""

import calendar
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from dashboard.board import scope_name

QUARTERS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def cn_date(day) -> str:
    """2026年3月5日, as reports show dates (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_datetime(moment) -> str:
    return f"{cn_date(moment)} {moment:%H:%M}"


@dataclass(frozen=True)
class Period:
    """A year, or one quarter or one month of it."""

    year: int
    quarter: int | None = None
    month: int | None = None

    @property
    def first_month(self) -> int:
        if self.month:
            return self.month
        if self.quarter:
            return self.quarter * 3 - 2
        return 1

    @property
    def last_month(self) -> int:
        if self.month:
            return self.month
        if self.quarter:
            return self.quarter * 3
        return 12

    @property
    def first(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    @property
    def label(self) -> str:
        if self.month:
            return f"{self.year}年{self.month}月"
        if self.quarter:
            return f"{self.year}年{QUARTERS[self.quarter]}"
        return f"{self.year}年"

    def as_params(self) -> dict:
        return {"year": self.year, "quarter": self.quarter or "", "month": self.month or ""}


@dataclass
class Context:
    """What every sheet needs: who asks, for which period and street, and when."""

    user: object
    period: Period
    street: object  # a StreetOffice inside the user's scope, or None for the whole scope
    made_at: object

    @property
    def unit(self) -> str:
        return scope_name(self.user)

    @property
    def scope_label(self) -> str:
        if self.street is not None:
            return self.street.name
        return self.unit

    @property
    def street_id(self):
        return self.street.pk if self.street is not None else None

    def title(self, subject: str) -> str:
        """e.g. 东城区2026年第三季度…; no unit before the period when the scope is everything."""
        unit = self.street.name if self.street is not None else self.unit
        if unit == _("全部"):
            unit = ""
        return f"{unit}{self.period.label}{subject}"

    def unit_line(self, extra: str = "") -> str:
        line = _("填报单位：%(unit)s　　统计期间：%(period)s　　生成时间：%(at)s") % {
            "unit": self.unit,
            "period": self.period.label,
            "at": cn_datetime(self.made_at),
        }
        return f"{line}　　{extra}" if extra else line
