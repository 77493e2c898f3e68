"""Reads of the complaints app, always through the user's scope."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, DateField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from accounts.scoping import Action, get_scoped_object_or_404, scoped, user_scope
from communities.selectors import coordinates_box
from complaints.models import Complaint, MonthlyStat, Status, Step
from core.db import named_groups
from core.figures import ratio, rounded_ratio, share
from org.models import District, StreetOffice


def upheld_counts_by_company(*, start: date, end: date) -> dict[int, int]:
    """Per company id: cases resolved (办结) in [start, end] (local dates, both
    included) that were upheld against the company. For company assessments."""
    tz = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    rows = (
        Complaint.objects.filter(
            company__isnull=False, upheld_against_company=True, resolved_at__gte=since, resolved_at__lt=until
        )
        .order_by()
        .values("company_id")
        .annotate(n=Count("id"))
    )
    return {row["company_id"]: row["n"] for row in rows}


def complaints_for(*, user, action: Action = Action.VIEW) -> QuerySet:
    return scoped(Complaint.objects.all(), user, action)


def complaint_detail(*, user, complaint_id: int) -> Complaint:
    return get_scoped_object_or_404(
        Complaint.objects.select_related(
            "category",
            "district",
            "street",
            "community",
            "estate",
            "handler",
            "assigned_community",
            "company",
            "rights_unit",
        ),
        user,
        Action.VIEW,
        pk=complaint_id,
    )


def with_list_joins(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("category", "street", "estate", "handler")


MEASURE_FIELDS = (
    "received",
    "accepted",
    "resolved",
    "resolved_on_time",
    "replied",
    "rated",
    "satisfaction_sum",
    "satisfied",
)


def _ratio(part, whole):
    """A share in percent, exact and rounded half up to 0.1 (core.figures); None of nothing."""
    return share(part, whole)


def measure_row(label: str, sums: dict) -> dict:
    row = {"label": label, **{f: sums.get(f) or 0 for f in MEASURE_FIELDS}}
    row["resolved_rate"] = _ratio(row["resolved"], row["accepted"])
    row["on_time_rate"] = _ratio(row["resolved_on_time"], row["resolved"])
    row["reply_rate"] = _ratio(row["replied"], row["received"])
    row["satisfied_rate"] = _ratio(row["satisfied"], row["rated"])
    row["satisfaction_avg"] = rounded_ratio(row["satisfaction_sum"], row["rated"], 2) if row["rated"] else None
    # The same rates unrounded, so a change between two months is rounded once (个百分点).
    row["exact_rates"] = {
        name: None if (r := ratio(row[part], row[whole])) is None else r * 100 for name, part, whole in EXACT_RATES
    }
    return row


EXACT_RATES = (
    ("resolved_rate", "resolved", "accepted"),
    ("on_time_rate", "resolved_on_time", "resolved"),
    ("reply_rate", "replied", "received"),
    ("satisfied_rate", "satisfied", "rated"),
)


def measures(*, user, year: int, month: int | None = None, category_id: int | None = None, by: str = "street") -> dict:
    """The measures of the user's scope for a year (or one month), grouped by
    street, district, category or month, with a 合计 row. Read from the monthly
    rollup (a few hundred rows per district and year), one query for the groups."""
    first, last = date(year, month or 1, 1), date(year, month or 12, 1)
    return measures_between(user=user, first=first, last=last, by=by, category_id=category_id)


def measure_trend(*, user, year: int, category_id: int | None = None) -> dict:
    """The year's measures month by month for the measures page's chart: every
    month of the year up to this one (a month without cases draws as 0 件 and
    no rate), the same rollup rows and rounding as the table by month. Chart
    data goes to the browser as numbers of the rounded figures (docs/figures.md)."""
    today = timezone.localdate()
    last_month = 12 if year < today.year else today.month
    result = measures(user=user, year=year, category_id=category_id, by="month")
    by_label = {row["label"]: row for row in result["rows"]}
    months = [date(year, m, 1) for m in range(1, last_month + 1)] if year <= today.year else []
    rows = [by_label.get(_measure_label("month", m)) or measure_row(_measure_label("month", m), {}) for m in months]

    def numbers(key):
        return [None if row[key] is None else float(row[key]) for row in rows]

    return {
        "categories": [f"{m.month}月" for m in months],
        "received": numbers("received"),
        "accepted": numbers("accepted"),
        "resolved": numbers("resolved"),
        "resolved_rate": numbers("resolved_rate"),
        "satisfied_rate": numbers("satisfied_rate"),
    }


def monthly_figures(*, user, first: date, last: date) -> dict[date, dict]:
    """The measures of the user's scope per month of receipt, from `first` to
    `last` (first days of months): {month: measure_row}. Streets, districts and
    the nation read the rollup; a community (whose cases the rollup does not
    separate) counts its own cases with the rollup's definitions, so the
    figures always equal what the case list shows the same user."""
    scope = user_scope(user)
    sums = {f: Sum(f) for f in MEASURE_FIELDS}
    if not scope.allows(Action.VIEW):
        rows = []
    elif scope.level == "community":
        rows = _case_sums_by_month(complaints_for(user=user), first, last)
    else:
        queryset = MonthlyStat.objects.filter(month__gte=first, month__lte=last)
        if scope.level == "district":
            queryset = queryset.filter(district_id=scope.node_id, street_key=MonthlyStat.DISTRICT_TOTAL)
        elif scope.level == "street":
            queryset = queryset.filter(street_key=scope.node_id)
        else:
            queryset = queryset.filter(street_key=MonthlyStat.DISTRICT_TOTAL)
        rows = queryset.order_by("month").values("month").annotate(**sums)
    return {row["month"]: measure_row(f"{row['month']:%Y年%m月}", row) for row in rows}


def _case_sums_by_month(queryset: QuerySet, first: date, last: date) -> list[dict]:
    """The rollup's sums (services.rebuild_monthly_stats), counted from cases, per month."""
    return _case_sums(queryset, first, last, ("month",), ("month",))


def _case_sums(queryset: QuerySet, first: date, last: date, group: tuple, order: tuple) -> list[dict]:
    """The rollup's sums (services.rebuild_monthly_stats), counted from the cases
    received in the months from `first` to `last`, grouped by `group` (fields
    of the case, or "month": the month of receipt)."""
    tz = timezone.get_current_timezone()
    since = datetime.combine(first, time.min, tzinfo=tz)
    month_after = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    until = datetime.combine(month_after, time.min, tzinfo=tz)
    done = Q(status__in=(Status.RESOLVED, Status.CLOSED))
    rows = (
        queryset.filter(received_at__gte=since, received_at__lt=until)
        .annotate(month=TruncMonth("received_at", output_field=DateField(), tzinfo=tz))
        .order_by()
        .values(*group)
        .annotate(
            received=Count("id"),
            accepted=Count("id", filter=Q(accepted_at__isnull=False)),
            resolved=Count("id", filter=done),
            resolved_on_time=Count("id", filter=done & Q(resolve_due__gte=TruncDate("resolved_at", tzinfo=tz))),
            replied=Count("id", filter=done & ~Q(reply="")),
            rated=Count("id", filter=Q(satisfaction__isnull=False)),
            satisfaction_sum=Coalesce(Sum("satisfaction"), 0),
            satisfied=Count("id", filter=Q(satisfaction__gte=4)),
        )
        .order_by(*order)
    )
    return list(rows)


def _rollup_rows(scope, *, first: date, last: date, by: str, street_id: int | None, category_id: int | None):
    """The monthly rollup's rows the scope may read: a district's street rows (or
    its district total when not by street), a street's own rows, nothing for a
    role without the right; narrowed to one street or category when asked."""
    queryset = MonthlyStat.objects.filter(month__gte=first, month__lte=last)
    street_rows = ~Q(street_key=MonthlyStat.DISTRICT_TOTAL)
    level = Q(street_key=MonthlyStat.DISTRICT_TOTAL) if by != "street" and not street_id else street_rows
    if not scope.allows(Action.VIEW):
        queryset = queryset.none()
    elif scope.level == "district":
        queryset = queryset.filter(level, district_id=scope.node_id)
    elif scope.level == "street":
        queryset = queryset.filter(street_key=scope.node_id)
    else:
        queryset = queryset.filter(level)
    if street_id:
        queryset = queryset.filter(street_key=street_id)
    if category_id:
        queryset = queryset.filter(category_id=category_id)
    return queryset


def _measure_label(by: str, key) -> str:
    """A row's label: 2026年3月 by month, the street's name (or 未确定街道) by street."""
    if by == "month":
        return f"{key.year}年{key.month}月"
    if by == "street":
        return key or "（未确定街道）"
    return str(key)


def measures_between(
    *,
    user,
    first: date,
    last: date,
    by: str = "street",
    street_id: int | None = None,
    category_id: int | None = None,
) -> dict:
    """measures() for the months from `first` to `last` (first days of months,
    within one or several years) instead of a year or one month: the report
    workbook's quarter. The same rollup rows, the same scope rules and the same
    sums, so a whole year gives exactly the rows of measures(year=…); by street
    they are ordered by district and street code, as the other reports by
    street are. `street_id` narrows the user's scope to one street (never
    widens it). Rows carry the street's district as well ("district")."""
    scope = user_scope(user)
    queryset = _rollup_rows(scope, first=first, last=last, by=by, street_id=street_id, category_id=category_id)
    group = {
        "street": ("street__name", "district__name"),
        "district": ("district__name",),
        "category": ("category__name", "category__sort"),
        "month": ("month",),
    }[by]
    sums = {f: Sum(f) for f in MEASURE_FIELDS}
    rows = []
    totals = {f: 0 for f in MEASURE_FIELDS}
    order = ("district__code", "street__code") if by == "street" else group[::-1]
    if scope.allows(Action.VIEW) and scope.level == "community":
        # The rollup is per street: a community counts its own cases, with the
        # rollup's definitions, so it never sees the rest of its street.
        cases = complaints_for(user=user)
        if street_id:
            cases = cases.filter(street_id=street_id)
        if category_id:
            cases = cases.filter(category_id=category_id)
        grouped = _case_sums(cases, first, last, group, order)
    elif by == "street":
        # Grouped on the ids, the streets' and districts' names joined to the groups:
        # the country's 336,000 rollup rows of a year go through a hash table
        # instead of being sorted by their names first (1.8 s → 0.3 s).
        grouped = named_groups(
            queryset.values("district_id", "street_id").annotate(**sums),
            {
                "street": ("street_id", StreetOffice.objects.values("pk", "name", "code")),
                "district": ("district_id", District.objects.values("pk", "name", "code")),
            },
            order_by=order,
            required=("district",),  # as the join the rollup's district always had
        )
    else:
        grouped = queryset.order_by(*order).values(*group).annotate(**sums).order_by(*order)
    for values in grouped:
        row = measure_row(_measure_label(by, values[group[0]]), values)
        row["district"] = values.get("district__name") or ""
        rows.append(row)
        for f in MEASURE_FIELDS:
            totals[f] += values[f] or 0
    return {"rows": rows, "total": measure_row("合计", totals)}


def tracked_case(*, number: str, phone: str) -> Complaint | None:
    """The case with this number and this reporter's phone, with only what the
    tracking page may show without the secret link or a one-time code: number,
    category, status and dates (never the words, replies or photos)."""
    return (
        Complaint.objects.select_related("category")
        .only(
            "id",
            "number",
            "status",
            "category__name",
            "received_at",
            "accept_due",
            "resolve_due",
            "resolved_at",
            "closed_at",
        )
        .filter(number=number, reporter_phone=phone)
        .first()
    )


# Mainland China and its islands, as the ledger's estate coordinates are
# validated (communities.Estate.latitude / longitude).
CHINA_BOUNDS = (Decimal("3"), Decimal("54"), Decimal("73"), Decimal("136"))
BOUNDS_MARGIN = Decimal("0.2")  # degrees (about 20 km): estates at the district's edge, and the streets beyond


def intake_bounds() -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """The area where a resident's report can be (lat_min, lat_max, lon_min,
    lon_max): the box around the estates whose coordinates the ledger holds,
    widened by BOUNDS_MARGIN, or China when none has coordinates yet."""
    box = coordinates_box()
    if box["lat_min"] is None:
        return CHINA_BOUNDS
    return (
        box["lat_min"] - BOUNDS_MARGIN,
        box["lat_max"] + BOUNDS_MARGIN,
        box["lon_min"] - BOUNDS_MARGIN,
        box["lon_max"] + BOUNDS_MARGIN,
    )


def access_token_of(*, case_id: int) -> str:
    """The secret link's token, read only once the visitor has proven they hold the phone."""
    return Complaint.objects.values_list("access_token", flat=True).get(pk=case_id)


def generation_columns() -> list[tuple[str, str]]:
    """(table, column) pairs whose max() changes whenever a complaint figure
    may: a case filed, or a step taken on one (for the dashboard's cache)."""
    return [(Complaint._meta.db_table, "id"), (Step._meta.db_table, "id")]
