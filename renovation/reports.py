"""The reports officials send upward, as pages and .xlsx (core.xlsx, streamed).

Two shapes (DOMAIN.md §4, CONVENTIONS.md "Report shape"):

- by street office for a year: projects, estates, households, buildings, floor
  area, investment by source, outputs by item, stage counts, blocked projects
  and the m² of illegal structures still standing;
- the year's projects, one row each (序号 | 街道/社区 | 小区名称 | 建成年份 | 楼栋数 |
  户数 | 建筑面积 | 改造内容 | 总投资 | each source | 资金缺口 | 计划/实际开工/完工 |
  完成投资).

总投资 is the work items' budget; the sources are the planned funding lines; 资金缺口
is what the planned funding leaves of the 总投资, per project and never below zero
(renovation.selectors, docs/figures.md).

Figures are aggregated in PostgreSQL (GROUP BY, one query per table), never
per row in Python, and kept exact: money in 万元 and areas in 万㎡ are the 元
and ㎡ times 0.0001, exactly. Each is rounded once, half up, when it is shown
(by its column's kind, core.xlsx): a 合计 is the rounded exact total, and where
the rounded rows add up to something else the report says so (core.figures).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.scoping import Action, scoped, user_scope
from communities import selectors as ledger_selectors
from core.cache import safe_get, safe_set
from core.db import ExactSum, report_session
from core.exports import start_export
from core.figures import TEN_THOUSAND, TOTAL_FOOTNOTE
from core.pagination import PortalPaginator, page_size_from
from core.xlsx import (
    COUNT,
    DATE,
    INTEGER,
    TEXT,
    WAN,
    Column,
    column_for,
    new_workbook,
    xlsx_download,
)
from core.xlsx.rows import sql_rows
from renovation import selectors
from renovation.models import STAGE_ORDER, FundingLine, FundingSource, Output, Project, Stage, WorkItem

PRE_CONSTRUCTION = STAGE_ORDER[: STAGE_ORDER.index(Stage.CONSTRUCTION)]
OUTPUTS = [o for o in Output if o != Output.NONE]
SOURCES = list(FundingSource)
MAX_ROWS_PER_SHEET = 1_000_000


def shown_row(columns, values) -> list:
    """A row as a page or a sheet shows it: each figure rounded once by its
    column's kind; labels in figure columns (合计, 3个项目) stay as they are."""
    return [
        value if isinstance(value, str) else column.kind.shown(value)
        for column, value in zip(columns, values, strict=True)
    ]


def needs_footnote(columns, rows, totals) -> bool:
    """Whether a total column's shown 合计 differs from the sum of its shown rows."""
    for index, column in enumerate(columns):
        total = totals[index]
        if column.total and isinstance(total, int | Decimal) and sum((row[index] or 0 for row in rows), 0) != total:
            return True
    return False


def reporting_unit(user) -> str:
    return user.node_name or _("全部")


REPORT_CACHE_SECONDS = 3600


def report_generation() -> tuple:
    """A value that changes whenever a report's figures may: the newest
    history record of projects, work items and funding lines (every write
    through the services leaves one) and the ledger's generation (estates,
    buildings, illegal structures). One indexed lookup per table."""
    tables = [m.history.model._meta.db_table for m in (Project, WorkItem, FundingLine)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT max(history_id) FROM {table})" for table in tables))
        return (*cursor.fetchone(), *ledger_selectors.ledger_generation())


def cached_report(kind: str, *, user, year: int, action, compute):
    """A report's figures, remembered per scope, year and data generation: a
    second look (or paging, or the export after the page) costs one lookup,
    and any change to the data changes the key, so a figure is never stale."""
    scope = user_scope(user)
    digest = hashlib.sha1(repr((scope, str(action), year)).encode()).hexdigest()
    key = f"renovation-report:v2:{kind}:{digest}:{'-'.join(str(g) for g in report_generation())}"
    value = safe_get(key)
    if value is None:
        value = compute()
        safe_set(key, value, REPORT_CACHE_SECONDS)
    return value


@dataclass
class Report:
    """A report as exact figures (`figures`, `total_figures`) under columns that
    say how each is shown; `rows` and `totals` are what a page or a sheet shows."""

    title: str
    unit: str
    made_at: object
    columns: list[Column]
    figures: list[list] = field(default_factory=list)
    total_figures: list = field(default_factory=list)
    first_numeric: int = 2  # columns before this are labels (序号, names)

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    @property
    def rows(self) -> list[list]:
        return [shown_row(self.columns, row) for row in self.figures]

    @property
    def totals(self) -> list:
        return shown_row(self.columns, self.total_figures)

    @property
    def footnote(self) -> str:
        """合计数据按未经四舍五入的数据计算… when a shown 合计 is not the sum of the shown rows."""
        return str(TOTAL_FOOTNOTE) if needs_footnote(self.columns, self.rows, self.totals) else ""


def exact_totals(columns, rows, *, label) -> list:
    """The 合计 of exact rows: the label, then each total column's exact sum."""
    totals = [label] + [""] * (len(columns) - 1)
    for index, column in enumerate(columns):
        if column.total:
            totals[index] = sum((row[index] or 0 for row in rows), Decimal(0) if column.kind.places else 0)
    return totals


# By street office ---------------------------------------------------------------------


STREET_HEADERS_HEAD = [
    "序号",
    "区",
    "街道",
    "项目数（个）",
    "小区数（个）",
    "户数（户）",
    "楼栋数（栋）",
    "建筑面积（万㎡）",
    "总投资（万元）",
]


def street_headers() -> list[str]:
    outputs = {
        Output.PIPES_KM: "改造管线（公里）",
        Output.ELEVATORS: "加装电梯（部）",
        Output.PARKING: "停车位（个）",
        Output.CHARGERS: "充电桩（个）",
        Output.RETROFIT_M2: "节能改造（万㎡）",
        Output.FACILITIES: "服务设施（个）",
    }
    return [
        *STREET_HEADERS_HEAD,
        *(f"{s.label}（万元）" for s in SOURCES),
        "资金缺口（万元）",
        "资金缺口项目（个）",
        *(outputs[o] for o in OUTPUTS),
        *(f"{s.label}（个）" for s in Stage),
        "受违建阻碍项目（个）",
        "待拆违建（㎡）",
    ]


def street_columns() -> list[Column]:
    """The street report's columns, each of the kind its unit says (core.xlsx.column_for)."""
    return [column_for(header) for header in street_headers()]


def _output_exact(output: Output, quantity) -> Decimal:
    """A raw output quantity in the unit the street report counts it in, exact:
    retrofit in 万㎡, pipes in km, counted things as they are (shown whole)."""
    quantity = quantity or Decimal(0)
    return quantity / TEN_THOUSAND if output == Output.RETROFIT_M2 else quantity


def _year_projects(user, year, action):
    return scoped(Project.objects.all(), user, action).filter(year=year)


def street_report(*, user, year: int, action: Action = Action.VIEW) -> Report:
    """The year's projects by street office (cached per scope, year and data generation)."""
    report = cached_report(
        "streets",
        user=user,
        year=year,
        action=action,
        compute=lambda: _street_report(user=user, year=year, action=action),
    )
    report.made_at = timezone.localtime()
    return report


@report_session
def _street_report(*, user, year: int, action: Action = Action.VIEW) -> Report:
    """The year's projects by street office, in five grouped queries; exact figures."""
    projects = _year_projects(user, year, action)
    stage_counts = {f"stage_{s}": Count("pk", filter=Q(stage=s)) for s in STAGE_ORDER}
    short = Q(budget__gt=F("planned"))
    base = list(
        projects.order_by()
        .annotate(budget=selectors.total_investment_expression(), planned=selectors.planned_funding_expression())
        .values("street_id", "street__name", "street__code", "street__district__name")
        .annotate(
            n=Count("pk"),
            total_investment=ExactSum("budget", default=0),
            gap=ExactSum(F("budget") - F("planned"), filter=short, default=0),
            short=Count("pk", filter=short),
            estates=Count("estate_id", distinct=True),
            households=Sum("estate__households"),
            buildings=Sum("estate__building_count"),
            area=ExactSum("estate__floor_area", default=0),
            **stage_counts,
        )
        .order_by("street__code")
    )
    ids = projects.values("pk")
    money = {}
    for row in (
        FundingLine.objects.filter(project__in=ids)
        .order_by()
        .values("project__street_id", "source")
        .annotate(total=ExactSum("planned"))
    ):
        money[(row["project__street_id"], row["source"])] = row["total"]
    outputs = {}
    for row in (
        WorkItem.objects.filter(project__in=ids)
        .exclude(item__output="")
        .order_by()
        .values("project__street_id", "item__output")
        .annotate(total=ExactSum("quantity"))
    ):
        outputs[(row["project__street_id"], row["item__output"])] = row["total"]
    blocked = _blocked_by_street(projects)

    columns = street_columns()
    rows = []
    for number, r in enumerate(base, start=1):
        street = r["street_id"]
        by_source = [(money.get((street, s.value)) or Decimal(0)) / TEN_THOUSAND for s in SOURCES]
        produced = [_output_exact(o, outputs.get((street, o.value))) for o in OUTPUTS]
        blocked_count, blocked_area = blocked.get(street, (0, Decimal(0)))
        rows.append(
            [
                number,
                r["street__district__name"],
                r["street__name"],
                r["n"],
                r["estates"],
                r["households"] or 0,
                r["buildings"] or 0,
                r["area"] / TEN_THOUSAND,
                r["total_investment"] / TEN_THOUSAND,
                *by_source,
                r["gap"] / TEN_THOUSAND,
                r["short"],
                *produced,
                *(r[f"stage_{s}"] for s in STAGE_ORDER),
                blocked_count,
                blocked_area,
            ]
        )
    title = _("%(unit)s%(year)s年老旧小区改造情况统计表（按街道）") % {"unit": reporting_unit(user), "year": year}
    return Report(
        title=title,
        unit=reporting_unit(user),
        made_at=timezone.localtime(),
        columns=columns,
        figures=rows,
        total_figures=exact_totals(columns, rows, label="合计"),  # cached across languages: not translated
        first_numeric=3,
    )


def _blocked_by_street(projects) -> dict:
    """Projects not yet started whose estate still has illegal structures
    pending demolition, and those m², per street office."""
    pending = ledger_selectors.pending_illegal_area_by_estate(
        estate_ids=projects.filter(stage__in=PRE_CONSTRUCTION).values("estate_id")
    )
    if not pending:
        return {}
    blocked = {}
    for street_id, estate_id in (
        projects.filter(stage__in=PRE_CONSTRUCTION, estate_id__in=list(pending))
        .order_by()
        .values_list("street_id", "estate_id")
    ):
        count, area = blocked.get(street_id, (0, Decimal(0)))
        blocked[street_id] = (count + 1, area + pending[estate_id])
    return blocked


# One row per project -------------------------------------------------------------------


def _project_column(header: str, kind=None, width=None, total=False) -> Column:
    return Column(header, kind or TEXT, width or max(8, len(header) * 2), total)


PROJECT_COLUMNS = [
    _project_column("序号", INTEGER),
    _project_column("街道"),
    _project_column("社区"),
    _project_column("小区名称", width=24),
    _project_column("建成年份", INTEGER),
    _project_column("楼栋数（栋）", COUNT, total=True),
    _project_column("户数（户）", COUNT, total=True),
    _project_column("建筑面积（万㎡）", WAN, total=True),
    _project_column("改造内容", width=40),
    _project_column("总投资（万元）", WAN, total=True),
    *(_project_column(f"{s.label}（万元）", WAN, total=True) for s in SOURCES),
    _project_column("资金缺口（万元）", WAN, total=True),
    _project_column("计划开工", DATE, 14),
    _project_column("计划完工", DATE, 14),
    _project_column("实际开工", DATE, 14),
    _project_column("实际完工", DATE, 14),
    _project_column("阶段"),
    _project_column("进度（%）", INTEGER),
    _project_column("完成投资（万元）", WAN, total=True),
]
PROJECT_HEADERS = [column.header for column in PROJECT_COLUMNS]
# 楼栋数, 户数, 建筑面积, 总投资, each source, 资金缺口, 完成投资: the columns a 合计 row adds up.
PROJECT_SUMMED_COLUMNS = tuple(index for index, column in enumerate(PROJECT_COLUMNS) if column.total)
# Shown as text on the page (left-aligned, no separators): names, years, dates, the stage.
PROJECT_TEXT_COLUMNS = {
    index
    for index, column in enumerate(PROJECT_COLUMNS)
    if column.kind in (TEXT, DATE) or column.header in ("序号", "建成年份")
}


def _sql_of(queryset):
    """The SQL of an id queryset, without the model's default ORDER BY (a sort
    of 55,000 rows inside every IN (…) for nothing)."""
    sql, params = queryset.order_by().query.sql_with_params()
    return sql, list(params)


def project_rows_sql(project_ids_queryset, *, limit_ids: list[int] | None = None):
    """One statement for every column of the project report: the ledger's
    figures joined in, money pivoted by source and work items aggregated per
    project in grouped subqueries (no query per row). 万 are × 0.0001, which
    numeric multiplies exactly (the scales add: 2 + 4)."""
    source_columns = ",\n".join(f"coalesce(f.s_{i}, 0) * 0.0001" for i in range(len(SOURCES)))
    source_sums = ",\n".join(
        f"sum(planned) FILTER (WHERE source = '{s.value}') AS s_{i}" for i, s in enumerate(SOURCES)
    )
    dates = ", ".join(f"p.{name}" for name in ("planned_start", "planned_end", "actual_start", "actual_end"))
    # Stage labels come from PostgreSQL, so each row goes from the cursor to the
    # sheet as it is (no Python work per row).
    stage = "CASE p.stage " + " ".join("WHEN %s THEN %s" for _ in Stage.choices) + " ELSE p.stage END"
    stage_params = [str(part) for choice in Stage.choices for part in choice]
    if limit_ids is not None:
        ids_sql, ids_params = "SELECT unnest(%s::bigint[])", [limit_ids]
    else:
        ids_sql, ids_params = _sql_of(project_ids_queryset)
    sql = f"""
        SELECT row_number() OVER (ORDER BY st.code, c.code, e.name, p.id)::int,
               st.name, c.name, e.name, e.year_built, e.building_count, e.households,
               e.floor_area * 0.0001,
               coalesce(w.items, ''),
               coalesce(w.budget, 0) * 0.0001,
               {source_columns},
               greatest(coalesce(w.budget, 0) - coalesce(f.total, 0), 0) * 0.0001,
               {dates}, {stage}, p.progress,
               coalesce(w.actual, 0) * 0.0001
        FROM renovation_project p
        JOIN communities_estate e ON e.id = p.estate_id
        JOIN communities_community c ON c.id = e.community_id
        JOIN communities_streetoffice st ON st.id = p.street_id
        LEFT JOIN (
            SELECT project_id, sum(planned) AS total, {source_sums}
            FROM renovation_fundingline WHERE project_id IN ({ids_sql}) GROUP BY project_id
        ) f ON f.project_id = p.id
        LEFT JOIN (
            SELECT wi.project_id, string_agg(ci.name, '、' ORDER BY ci.category, ci.sort_order) AS items,
                   sum(wi.budget) AS budget, sum(wi.actual_cost) AS actual
            FROM renovation_workitem wi JOIN renovation_catalogueitem ci ON ci.id = wi.item_id
            WHERE wi.project_id IN ({ids_sql})
            GROUP BY wi.project_id
        ) w ON w.project_id = p.id
        WHERE p.id IN ({ids_sql})
        ORDER BY st.code, c.code, e.name, p.id
    """
    return sql, stage_params + ids_params * 3


def _in_wan(value) -> Decimal:
    """元 or ㎡ in 万, exactly (rounded only when shown)."""
    return (value or Decimal(0)) / TEN_THOUSAND


def _portable_project_rows(project_ids_queryset, *, limit_ids=None):
    """The same rows as project_rows_sql, through the ORM: for the embedded SQLite
    demo database, which has neither FILTER pivots nor string_agg ordering.
    A test keeps both in step on PostgreSQL."""
    ids = (
        list(limit_ids) if limit_ids is not None else list(project_ids_queryset.order_by().values_list("pk", flat=True))
    )
    planned = {}
    for project_id, source, amount in FundingLine.objects.filter(project_id__in=ids).values_list(
        "project_id", "source", "planned"
    ):
        planned.setdefault(project_id, {}).setdefault(source, Decimal(0))
        planned[project_id][source] += amount
    items, budget, actual = {}, {}, {}
    for project_id, name, item_budget, cost in (
        WorkItem.objects.filter(project_id__in=ids)
        .order_by("item__category", "item__sort_order")
        .values_list("project_id", "item__name", "budget", "actual_cost")
    ):
        items.setdefault(project_id, []).append(name)
        budget[project_id] = budget.get(project_id, Decimal(0)) + (item_budget or 0)
        actual[project_id] = actual.get(project_id, Decimal(0)) + (cost or 0)
    stages = dict(Stage.choices)
    projects = (
        Project.objects.filter(pk__in=ids)
        .select_related("street", "estate__community")
        .order_by("street__code", "estate__community__code", "estate__name", "pk")
    )
    for number, p in enumerate(projects, start=1):
        money = planned.get(p.pk, {})
        total_investment = budget.get(p.pk, Decimal(0))
        gap = max(total_investment - sum(money.values(), Decimal(0)), Decimal(0))
        yield (
            number,
            p.street.name,
            p.estate.community.name,
            p.estate.name,
            p.estate.year_built,
            p.estate.building_count,
            p.estate.households,
            _in_wan(p.estate.floor_area),
            "、".join(items.get(p.pk, [])),
            _in_wan(total_investment),
            *(_in_wan(money.get(source.value)) for source in SOURCES),
            _in_wan(gap),
            p.planned_start,
            p.planned_end,
            p.actual_start,
            p.actual_end,
            str(stages.get(p.stage, p.stage)),
            p.progress,
            _in_wan(actual.get(p.pk)),
        )


def iter_project_rows(project_ids_queryset, *, limit_ids=None, chunk=2000):
    """(序号, …) rows of the project report as tuples, streamed from a server-side
    cursor and fetched in a thread while the caller writes (core.xlsx.rows)."""
    if connection.vendor != "postgresql":
        yield from _portable_project_rows(project_ids_queryset, limit_ids=limit_ids)
        return
    sql, params = project_rows_sql(project_ids_queryset, limit_ids=limit_ids)
    yield from sql_rows(sql, params, chunk=chunk)  # fetched ahead of the writer


def project_totals(project_ids_queryset, *, with_count: bool = False) -> list:
    """The 合计 row of the project report over every project, in one statement:
    the exact sums (万 as 元 × 0.0001), rounded only when shown, so the page,
    the .xlsx, the street report and the workbook show the same 合计."""
    if connection.vendor != "postgresql":
        return _portable_project_totals(project_ids_queryset, with_count=with_count)
    ids_sql, params = _sql_of(project_ids_queryset)
    source_sums = ", ".join(f"sum(coalesce(f.s_{i}, 0)) * 0.0001" for i in range(len(SOURCES)))
    source_cols = ", ".join(f"sum(planned) FILTER (WHERE source = '{s.value}') AS s_{i}" for i, s in enumerate(SOURCES))
    sql = f"""
        SELECT count(*), sum(e.building_count), sum(e.households), sum(e.floor_area) * 0.0001,
               sum(coalesce(w.budget, 0)) * 0.0001, {source_sums},
               sum(greatest(coalesce(w.budget, 0) - coalesce(f.total, 0), 0)) * 0.0001,
               sum(coalesce(w.actual, 0)) * 0.0001
        FROM renovation_project p
        JOIN communities_estate e ON e.id = p.estate_id
        LEFT JOIN (SELECT project_id, sum(planned) AS total, {source_cols}
                   FROM renovation_fundingline WHERE project_id IN ({ids_sql}) GROUP BY project_id) f
               ON f.project_id = p.id
        LEFT JOIN (SELECT project_id, sum(budget) AS budget, sum(actual_cost) AS actual FROM renovation_workitem
                   WHERE project_id IN ({ids_sql}) GROUP BY project_id) w ON w.project_id = p.id
        WHERE p.id IN ({ids_sql})
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params * 3)
        values = list(cursor.fetchone())
    count = values[0]
    nums = [v if v is not None else Decimal(0) for v in values[1:]]
    buildings, households, area, total, *rest = nums
    sources, gap, actual = rest[: len(SOURCES)], rest[len(SOURCES)], rest[len(SOURCES) + 1]
    row = ["合计", "", "", _("%(n)s个项目") % {"n": count}, "", int(buildings), int(households), area, "", total]
    row += [*sources, gap, "", "", "", "", "", "", actual]
    return row + [count] if with_count else row


def _portable_project_totals(project_ids_queryset, *, with_count: bool) -> list:
    """project_totals on the embedded SQLite demo, whose raw sums of decimals come back
    as floats: the same 合计 from selectors.project_totals (ExactSum), exact to the fen."""
    totals = selectors.project_totals(project_ids_queryset)
    ten_thousandth = Decimal("0.0001")
    row = ["合计", "", "", _("%(n)s个项目") % {"n": totals.count}, "", totals.buildings, totals.households]
    row += [totals.floor_area * ten_thousandth, "", totals.total_investment * ten_thousandth]
    row += [totals.by_source[source.value] * ten_thousandth for source in SOURCES]
    row += [totals.gap * ten_thousandth, "", "", "", "", "", "", totals.actual * ten_thousandth]
    return row + [totals.count] if with_count else row


@dataclass
class ProjectReportPage:
    title: str
    unit: str
    headers: list
    rows: list
    totals: list
    page: object
    count: int


@report_session
def project_report_page(*, user, year: int, request) -> ProjectReportPage:
    """One page of the year's project report, with the 合计 of the whole year."""
    projects = _year_projects(user, year, Action.VIEW)
    totals = cached_report(
        "project-totals",
        user=user,
        year=year,
        action=Action.VIEW,
        compute=lambda: project_totals(projects.values("pk"), with_count=True),
    )
    count = totals.pop()
    ordered = projects.order_by("street__code", "estate__community__code", "estate__name", "pk")
    paginator = PortalPaginator(ordered, page_size_from(request), count=count)
    try:
        number = paginator.validate_number(request.GET.get("page") or 1)
    except PageNotAnInteger:
        number = 1
    except EmptyPage:
        number = paginator.num_pages
    bottom = (number - 1) * paginator.per_page
    ids = list(ordered.values_list("pk", flat=True)[bottom : bottom + paginator.per_page])
    rows = [shown_row(PROJECT_COLUMNS, row) for row in iter_project_rows(None, limit_ids=ids)] if ids else []
    for offset, row in enumerate(rows):
        row[0] = bottom + offset + 1
    page = Page(rows, number, paginator)
    title = _("%(unit)s%(year)s年老旧小区改造项目表") % {"unit": reporting_unit(user), "year": year}
    shown_totals = shown_row(PROJECT_COLUMNS, totals)
    return ProjectReportPage(title, reporting_unit(user), PROJECT_HEADERS, rows, shown_totals, page, count)


# .xlsx -------------------------------------------------------------------------------------


def _unit_line(user, year):
    at = timezone.localtime()
    return _("填报单位：%(unit)s　　报告年度：%(year)s年　　填报日期：%(at)s　　金额单位：万元") % {
        "unit": reporting_unit(user),
        "year": year,
        "at": f"{at.year}年{at.month}月{at.day}日",
    }


def write_street_report(fileobj, *, user, year: int) -> int:
    report = street_report(user=user, year=year, action=Action.EXPORT)
    with new_workbook(fileobj) as book:
        table = book.table(
            name="按街道统计",
            title=report.title,
            unit_line=_unit_line(user, year),
            columns=[Column(c.header, c.kind, max(8, len(c.header) * 2), c.total) for c in report.columns],
            frozen_columns=3,  # 序号, 区, 街道
        )
        for row in report.figures:
            table.append(row)
        table.write_totals(report.total_figures)
        table.signature_footer()
    return len(report.figures)


@report_session(transactional=False)
def write_project_report(fileobj, *, user, year: int, progress=None) -> int:
    """Stream the year's projects to .xlsx (server-side cursor → streamed sheet);
    the 合计 is the exact sum of the rows written, rounded once."""
    projects = _year_projects(user, year, Action.EXPORT).values("pk")
    count = 0
    with new_workbook(fileobj) as book:
        table = book.table(
            name="改造项目",
            title=_("%(unit)s%(year)s年老旧小区改造项目表") % {"unit": reporting_unit(user), "year": year},
            unit_line=_unit_line(user, year),
            columns=PROJECT_COLUMNS,
            frozen_columns=3,  # 序号, 街道, 社区
            max_rows=MAX_ROWS_PER_SHEET,
        )
        for row in iter_project_rows(projects):
            table.append(row)
            count += 1
            if progress is not None and count % 2000 == 0:
                progress(count)
        table.write_totals(table.sums_row({3: _("%(n)s个项目") % {"n": count}}, label="合计"))
        table.signature_footer()
    return count


def export_filename(prefix, user, year):
    return f"{prefix}_{reporting_unit(user)}_{year}年_{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def street_report_export(*, user, year):
    """The street report as a download (a few hundred rows at most: always in the request)."""
    return xlsx_download(
        lambda handle: write_street_report(handle, user=user, year=year),
        filename=export_filename("老旧小区改造统计表", user, year),
    )


def project_report_export(request, *, user, year):
    """Small exports in the request; large ones (a province, the country) as a
    background job, like the ledger export."""
    total = _year_projects(user, year, Action.EXPORT).count()
    filename = export_filename("老旧小区改造项目表", user, year)
    if total > settings.EXPORT_SYNC_MAX_ROWS:
        job = start_export(user=user, kind=EXPORT_KIND, total_rows=total, params={"year": year, "filename": filename})
        return redirect("core:export_job", pk=job.pk)
    return xlsx_download(lambda handle: write_project_report(handle, user=user, year=year), filename=filename)


EXPORT_KIND = "renovation-projects"


def export_for_job(job, fileobj, progress):
    rows = write_project_report(fileobj, user=job.requested_by, year=int(job.params["year"]), progress=progress)
    return rows, job.params.get("filename") or export_filename(
        "老旧小区改造项目表", job.requested_by, job.params["year"]
    )


def _cell(value) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, Decimal)):
        return format(value, ",")
    return escape(_text(value))


def _text(value) -> str:
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def rows_html(rows, *, numeric_from: int, text_columns=frozenset(), wrap_columns=frozenset()) -> str:
    """A report's <tbody> rows built in Python: a national report has thousands
    of rows × 45 columns, which the template engine renders ten times slower."""
    parts = []
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if index >= numeric_from and index not in text_columns:
                cells.append(f'<td class="num">{_cell(value)}</td>')
            else:
                attrs = 'class="cell-wrap"' if index in wrap_columns else 'class="text-nowrap"'
                cells.append(f"<td {attrs}>{escape('' if value is None else _text(value))}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("\n".join(parts))  # every value escaped by _cell or _text
