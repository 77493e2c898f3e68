"""The reports officials send upward, as pages and .xlsx (openpyxl write-only).

Two shapes (DOMAIN.md §4, CONVENTIONS.md "Report shape"):

- by street office for a year: projects, estates, households, buildings, floor
  area, investment by source, outputs by item, stage counts, blocked projects
  and the m² of illegal structures still standing;
- the year's projects, one row each (序号 | 街道/社区 | 小区名称 | 建成年份 | 楼栋数 |
  户数 | 建筑面积 | 改造内容 | 总投资 by source | 计划/实际开工/完工 | 完成投资).

Figures are aggregated in PostgreSQL (GROUP BY, one query per table), never
per row in Python. Money is shown in 万元 and areas in 万㎡, rounded per row;
a 合计 row is the sum of the rounded rows, so it adds up on paper.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.scoping import Action, scoped
from communities import selectors as ledger_selectors
from core.db import report_session
from core.units import wan
from core.xlsx import (
    MAX_ROWS_PER_SHEET,
    new_workbook,
    report_sheet,
    signature_footer,
    sum_columns,
    totals_row,
    xlsx_download,
)
from renovation.models import STAGE_ORDER, FundingLine, FundingSource, Output, Project, Stage, WorkItem
from renovation.selectors import output_figure

CENT = Decimal("0.01")
PRE_CONSTRUCTION = STAGE_ORDER[: STAGE_ORDER.index(Stage.CONSTRUCTION)]
OUTPUTS = [o for o in Output if o != Output.NONE]
SOURCES = list(FundingSource)


def two(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def reporting_unit(user) -> str:
    return user.node_name or _("全部")


REPORT_CACHE_SECONDS = 3600


def report_generation() -> tuple:
    """A value that changes whenever a report's figures may: the newest
    history record of projects, work items and funding lines (every write
    through the services leaves one) and the ledger's generation (estates,
    buildings, illegal structures). One indexed lookup per table."""
    from communities.selectors import ledger_generation

    tables = [m.history.model._meta.db_table for m in (Project, WorkItem, FundingLine)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT max(history_id) FROM {table})" for table in tables))
        return (*cursor.fetchone(), *ledger_generation())


def cached_report(kind: str, *, user, year: int, action, compute):
    """A report's figures, remembered per scope, year and data generation: a
    second look (or paging, or the export after the page) costs one lookup,
    and any change to the data changes the key, so a figure is never stale."""
    import hashlib

    from accounts.scoping import user_scope
    from core.cache import safe_get, safe_set

    scope = user_scope(user)
    digest = hashlib.sha1(repr((scope, str(action), year)).encode()).hexdigest()
    key = f"renovation-report:v1:{kind}:{digest}:{'-'.join(str(g) for g in report_generation())}"
    value = safe_get(key)
    if value is None:
        value = compute()
        safe_set(key, value, REPORT_CACHE_SECONDS)
    return value


@dataclass
class Report:
    title: str
    unit: str
    made_at: object
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    totals: list = field(default_factory=list)
    first_numeric: int = 2  # columns before this are labels (序号, names)


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
        *(outputs[o] for o in OUTPUTS),
        *(f"{s.label}（个）" for s in Stage),
        "受违建阻碍项目（个）",
        "待拆违建（㎡）",
    ]


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
    """The year's projects by street office, in five grouped queries."""
    projects = _year_projects(user, year, action)
    stage_counts = {f"stage_{s}": Count("pk", filter=Q(stage=s)) for s in STAGE_ORDER}
    base = list(
        projects.order_by()
        .values("street_id", "street__name", "street__code", "street__district__name")
        .annotate(
            n=Count("pk"),
            estates=Count("estate_id", distinct=True),
            households=Sum("estate__households"),
            buildings=Sum("estate__building_count"),
            area=Sum("estate__floor_area"),
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
        .annotate(total=Sum("planned"))
    ):
        money[(row["project__street_id"], row["source"])] = row["total"]
    outputs = {}
    for row in (
        WorkItem.objects.filter(project__in=ids)
        .exclude(item__output="")
        .order_by()
        .values("project__street_id", "item__output")
        .annotate(total=Sum("quantity"))
    ):
        outputs[(row["project__street_id"], row["item__output"])] = row["total"]
    blocked = _blocked_by_street(projects)

    headers = street_headers()
    rows = []
    for number, r in enumerate(base, start=1):
        street = r["street_id"]
        by_source = [wan(money.get((street, s.value))) for s in SOURCES]
        produced = [output_figure(o, outputs.get((street, o.value))) for o in OUTPUTS]
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
                wan(r["area"]),
                sum(by_source, Decimal(0)),
                *by_source,
                *produced,
                *(r[f"stage_{s}"] for s in STAGE_ORDER),
                blocked_count,
                two(blocked_area),
            ]
        )
    title = _("%(unit)s%(year)s年老旧小区改造情况统计表（按街道）") % {"unit": reporting_unit(user), "year": year}
    return Report(
        title=title,
        unit=reporting_unit(user),
        made_at=timezone.localtime(),
        headers=headers,
        rows=rows,
        totals=sum_columns(rows, 3, len(headers), label="合计"),  # cached across languages: not translated
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


PROJECT_HEADERS = [
    "序号",
    "街道",
    "社区",
    "小区名称",
    "建成年份",
    "楼栋数（栋）",
    "户数（户）",
    "建筑面积（万㎡）",
    "改造内容",
    "总投资（万元）",
    *(f"{s.label}（万元）" for s in SOURCES),
    "计划开工",
    "计划完工",
    "实际开工",
    "实际完工",
    "阶段",
    "进度（%）",
    "完成投资（万元）",
]
# 楼栋数, 户数, 建筑面积, 总投资, each source, 完成投资: the columns a 合计 row adds up.
PROJECT_SUMMED_COLUMNS = (5, 6, 7, 9, *range(10, 10 + len(SOURCES)), 10 + len(SOURCES) + 6)
PROJECT_TEXT_COLUMNS = {0, 1, 2, 3, 4, 8, 21, 22, 23, 24, 25}
PROJECT_WIDE_COLUMNS = {4: 24, 9: 40}  # 小区名称, 改造内容 (column numbers from 1)


def _sql_of(queryset):
    """The SQL of an id queryset, without the model's default ORDER BY (a sort
    of 55,000 rows inside every IN (…) for nothing)."""
    sql, params = queryset.order_by().query.sql_with_params()
    return sql, list(params)


def project_rows_sql(project_ids_queryset, *, limit_ids: list[int] | None = None):
    """One statement for every column of the project report: the ledger's
    figures joined in, money pivoted by source and work items aggregated per
    project in grouped subqueries (no query per row)."""
    source_columns = ",\n".join(f"round(coalesce(f.s_{i}, 0) / 10000.0, 2)" for i in range(len(SOURCES)))
    source_sums = ",\n".join(
        f"sum(planned) FILTER (WHERE source = '{s.value}') AS s_{i}" for i, s in enumerate(SOURCES)
    )
    # Dates and stage labels are formatted by PostgreSQL, so each row goes
    # from the cursor to the sheet as it is (no Python work per row).
    dates = ", ".join(
        f"coalesce(to_char(p.{name}, 'YYYY-MM-DD'), '')"
        for name in ("planned_start", "planned_end", "actual_start", "actual_end")
    )
    stage = "CASE p.stage " + " ".join("WHEN %s THEN %s" for _ in Stage.choices) + " ELSE p.stage END"
    stage_params = [str(part) for choice in Stage.choices for part in choice]
    if limit_ids is not None:
        ids_sql, ids_params = "SELECT unnest(%s::bigint[])", [limit_ids]
    else:
        ids_sql, ids_params = _sql_of(project_ids_queryset)
    sql = f"""
        SELECT row_number() OVER (ORDER BY st.code, c.code, e.name, p.id)::int,
               st.name, c.name, e.name, e.year_built, e.building_count, e.households,
               round(e.floor_area / 10000.0, 2),
               coalesce(w.items, ''),
               round(coalesce(f.total, 0) / 10000.0, 2),
               {source_columns},
               {dates}, {stage}, p.progress,
               round(coalesce(w.actual, 0) / 10000.0, 2)
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
                   sum(wi.actual_cost) AS actual
            FROM renovation_workitem wi JOIN renovation_catalogueitem ci ON ci.id = wi.item_id
            WHERE wi.project_id IN ({ids_sql})
            GROUP BY wi.project_id
        ) w ON w.project_id = p.id
        WHERE p.id IN ({ids_sql})
        ORDER BY st.code, c.code, e.name, p.id
    """
    return sql, stage_params + ids_params * 3


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
    items, actual = {}, {}
    for project_id, name, cost in (
        WorkItem.objects.filter(project_id__in=ids)
        .order_by("item__category", "item__sort_order")
        .values_list("project_id", "item__name", "actual_cost")
    ):
        items.setdefault(project_id, []).append(name)
        actual[project_id] = actual.get(project_id, Decimal(0)) + (cost or 0)
    stages = dict(Stage.choices)
    projects = (
        Project.objects.filter(pk__in=ids)
        .select_related("street", "estate__community")
        .order_by("street__code", "estate__community__code", "estate__name", "pk")
    )
    for number, p in enumerate(projects, start=1):
        money = planned.get(p.pk, {})
        yield (
            number,
            p.street.name,
            p.estate.community.name,
            p.estate.name,
            p.estate.year_built,
            p.estate.building_count,
            p.estate.households,
            wan(p.estate.floor_area),
            "、".join(items.get(p.pk, [])),
            wan(sum(money.values(), Decimal(0))),
            *(wan(money.get(source.value)) for source in SOURCES),
            *(day.isoformat() if day else "" for day in (p.planned_start, p.planned_end, p.actual_start, p.actual_end)),
            str(stages.get(p.stage, p.stage)),
            p.progress,
            wan(actual.get(p.pk)),
        )


def iter_project_rows(project_ids_queryset, *, limit_ids=None, chunk=2000):
    """(序号, …) rows of the project report as tuples, streamed from a server-side cursor."""
    if connection.vendor != "postgresql":
        yield from _portable_project_rows(project_ids_queryset, limit_ids=limit_ids)
        return
    sql, params = project_rows_sql(project_ids_queryset, limit_ids=limit_ids)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            batch = cursor.fetchmany(chunk)
            if not batch:
                break
            yield from batch


def project_totals(project_ids_queryset, *, with_count: bool = False) -> list:
    """The 合计 row of the project report over every project, in one statement:
    the sums of the rounded per-project figures, as the rows show them."""
    ids_sql, params = _sql_of(project_ids_queryset)
    source_sums = ", ".join(f"sum(round(coalesce(f.s_{i}, 0) / 10000.0, 2))" for i in range(len(SOURCES)))
    source_cols = ", ".join(f"sum(planned) FILTER (WHERE source = '{s.value}') AS s_{i}" for i, s in enumerate(SOURCES))
    sql = f"""
        SELECT count(*), sum(e.building_count), sum(e.households), sum(round(e.floor_area / 10000.0, 2)),
               sum(round(coalesce(f.total, 0) / 10000.0, 2)), {source_sums},
               sum(round(coalesce(w.actual, 0) / 10000.0, 2))
        FROM renovation_project p
        JOIN communities_estate e ON e.id = p.estate_id
        LEFT JOIN (SELECT project_id, sum(planned) AS total, {source_cols}
                   FROM renovation_fundingline WHERE project_id IN ({ids_sql}) GROUP BY project_id) f
               ON f.project_id = p.id
        LEFT JOIN (SELECT project_id, sum(actual_cost) AS actual FROM renovation_workitem
                   WHERE project_id IN ({ids_sql}) GROUP BY project_id) w ON w.project_id = p.id
        WHERE p.id IN ({ids_sql})
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params * 3)
        values = list(cursor.fetchone())
    count = values[0]
    nums = [v if v is not None else Decimal(0) for v in values[1:]]
    buildings, households, area, total, *rest = nums
    sources, actual = rest[: len(SOURCES)], rest[len(SOURCES)]
    row = ["合计", "", "", _("%(n)s个项目") % {"n": count}, "", int(buildings), int(households), area, "", total]
    row += [*sources, "", "", "", "", "", "", actual]
    return row + [count] if with_count else row


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
    from django.core.paginator import EmptyPage, Page, PageNotAnInteger

    from core.pagination import PortalPaginator, page_size_from

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
    rows = [list(row) for row in iter_project_rows(None, limit_ids=ids)] if ids else []
    for offset, row in enumerate(rows):
        row[0] = bottom + offset + 1
    page = Page(rows, number, paginator)
    title = _("%(unit)s%(year)s年老旧小区改造项目表") % {"unit": reporting_unit(user), "year": year}
    return ProjectReportPage(title, reporting_unit(user), PROJECT_HEADERS, rows, totals, page, count)


# .xlsx -------------------------------------------------------------------------------------


def _widths(headers, wide=None) -> list:
    """Columns twice as wide as their header is long, but for the `wide` ones
    ({column number: width})."""
    return [(wide or {}).get(index, max(8, len(header) * 2)) for index, header in enumerate(headers, start=1)]


def _unit_line(user, year):
    return _("填报单位：%(unit)s　　报告年度：%(year)s年　　填报日期：%(at)s　　金额单位：万元") % {
        "unit": reporting_unit(user),
        "year": year,
        "at": timezone.localtime().strftime("%Y年%m月%d日"),
    }


def write_street_report(fileobj, *, user, year: int) -> int:
    report = street_report(user=user, year=year, action=Action.EXPORT)
    workbook = new_workbook()
    sheet = report_sheet(
        workbook,
        name="按街道统计",
        title=report.title,
        unit_line=_unit_line(user, year),
        headers=report.headers,
        widths=_widths(report.headers),
        frozen_columns=3,  # 序号, 区, 街道
    )
    for row in report.rows:
        sheet.append(row)
    totals_row(sheet, report.totals)
    signature_footer(sheet)
    workbook.save(fileobj)
    return len(report.rows)


@report_session(transactional=False)
def write_project_report(fileobj, *, user, year: int, progress=None) -> int:
    """Stream the year's projects to .xlsx (server-side cursor → write-only sheet)."""
    projects = _year_projects(user, year, Action.EXPORT).values("pk")
    title = _("%(unit)s%(year)s年老旧小区改造项目表") % {"unit": reporting_unit(user), "year": year}
    workbook = new_workbook()
    unit_line = _unit_line(user, year)

    def new_sheet(name):
        return report_sheet(
            workbook,
            name=name,
            title=title,
            unit_line=unit_line,
            headers=PROJECT_HEADERS,
            widths=_widths(PROJECT_HEADERS, PROJECT_WIDE_COLUMNS),
            frozen_columns=3,  # 序号, 街道, 社区
        )

    sheet = new_sheet("改造项目")
    count = in_sheet = 0
    summed = PROJECT_SUMMED_COLUMNS
    sums = [0] * len(summed)
    for row in iter_project_rows(projects):
        if in_sheet >= MAX_ROWS_PER_SHEET:
            sheet = new_sheet(f"改造项目（{count // MAX_ROWS_PER_SHEET + 1}）")
            in_sheet = 0
        sheet.append(row)
        # The 合计 row adds up the rows as written (no second query over the year).
        sums = [total + row[index] for total, index in zip(sums, summed, strict=True)]
        count += 1
        in_sheet += 1
        if progress is not None and count % 2000 == 0:
            progress(count)
    totals = ["合计", "", "", _("%(n)s个项目") % {"n": count}] + [""] * (len(PROJECT_HEADERS) - 4)
    for total, index in zip(sums, summed, strict=True):
        totals[index] = total
    totals_row(sheet, totals)
    signature_footer(sheet)
    workbook.save(fileobj)
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
    from core.exports import start_export

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
    return escape(str(value))


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
                cells.append(f"<td {attrs}>{escape('' if value is None else str(value))}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("\n".join(parts))  # every value escaped by _cell
