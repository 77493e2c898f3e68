"""The dashboard's shapes: a headline Figure, the Dashboard of one user's
figures, lists and charts, and the small helpers the figures are made with
(shares, months, links). No queries here."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.scoping import user_scope
from core import figures


def share(part, whole) -> Decimal | None:
    """part as a percentage of whole, 0.1, half up (core.figures.share); None of nothing."""
    return figures.share(part, whole)


def month_shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return month_shift(month, 1) - timedelta(days=1)


def link(name: str, *args, **params) -> str:
    url = reverse(name, args=args)
    query = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


@dataclass
class Figure:
    """One headline number: what it is, its unit, where its list is, and how
    it compares with last month and the same month last year (None: unknown)."""

    key: str
    label: str
    value: int | Decimal | None
    unit: str
    url: str
    last_month: int | Decimal | None = None
    last_year: int | Decimal | None = None
    note: str = ""
    # What `last_month` is: the month before, unless said otherwise (上期: the previous subsidy period).
    previous_label: str = ""
    # What `last_year` is: the same month a year ago, unless said otherwise (比上年: last year's whole plan).
    last_year_label: str = ""
    # For a share (unit "%"): (value, last_month, last_year) unrounded, so that a change
    # is the exact difference rounded once, in percentage points (core.figures.points).
    exact: tuple | None = None

    @property
    def is_share(self) -> bool:
        return self.unit == "%"

    def _change(self, index: int, before):
        if self.value is None or before is None:
            return None
        if self.exact is not None and self.exact[0] is not None and self.exact[index] is not None:
            return Fraction(self.exact[0]) - Fraction(self.exact[index])
        return self.value - before

    @property
    def vs_last_month(self):
        return self._change(1, self.last_month)

    @property
    def vs_last_year(self):
        return self._change(2, self.last_year)


@dataclass
class Dashboard:
    scope_name: str
    level: str
    today: date
    figures: dict = field(default_factory=dict)  # key → Figure
    coverage: list = field(default_factory=list)  # rows by management mode
    coverage_total: dict = field(default_factory=dict)
    groups: list = field(default_factory=list)  # child nodes: ledger and coverage per group
    group_label: str = ""
    stages: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    complaint_months: list = field(default_factory=list)
    charts: dict = field(default_factory=dict)
    snapshot_months: tuple = (None, None)

    def merge(self, part: "Dashboard") -> None:
        """Take a section's figures, lists and charts (computed or cached)."""
        self.figures.update(part.figures)
        self.charts.update(part.charts)
        for name in ("coverage", "coverage_total", "groups", "stages", "outputs", "complaint_months"):
            if getattr(part, name):
                setattr(self, name, getattr(part, name))
        if any(part.snapshot_months):
            self.snapshot_months = part.snapshot_months


def scope_name(user) -> str:
    """What the user's figures cover: their district, street or community, or
    全部 for a scope of everything (a superuser, even with a district set)."""
    if user_scope(user).level == "all":
        return _("全部")
    return user.node_name or _("全部")
