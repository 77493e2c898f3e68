"""The report workbook's sheets, one per subject, each from the selector the
subject's own pages (and the district dashboard) read, so the workbook, the
pages and the dashboard always agree:

- 台账汇总 and 管理模式覆盖: communities.selectors.ledger_breakdown by street;
- 改造进展与成效: renovation.reports.street_report (the year's projects);
- 投诉办理情况: complaints.selectors.measures_between (the months of the period);
- 业主组织: propertymgmt.selectors.committee_summary_by_street (as of today);
- 物业补贴: propertymgmt.selectors.subsidy_summary_by_street (periods overlapping it).

Figures go to the sheet exact (万 as the 元 or ㎡ divided exactly, shares as
exact fractions) and are rounded once as they are written (core.xlsx); each
合计 is the rounded exact total, with the customary footnote where the rounded
rows add up to something else.
"""

from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action
from communities import selectors as ledger_selectors
from complaints import selectors as complaint_selectors
from complaints.excel import MEASURE_HEADERS  # the words of the measures table, shared with its export
from core.figures import TEN_THOUSAND
from core.xlsx import BOLD_FORMAT, TITLE_FORMAT, Column, column_for, fitted_widths
from dashboard.workbook.period import cn_date, cn_datetime
from propertymgmt import selectors as property_selectors
from renovation.reports import exact_totals, shown_row, street_report


def _write_table(book, ctx, *, name, subject, headers, rows, totals, extra="", frozen_columns=3) -> int:
    """One subject's sheet in the report shape (core.xlsx): title, unit line,
    headers with units (which give each column its kind), the rows, the 合计 row
    and the signature footer. Returns the rows written."""
    columns = [column_for(header) for header in headers]
    # Widths fit the headers, the names and the 合计 (the widest figure of a column that adds up).
    names = [[value if isinstance(value, str) else None for value in row] for row in rows]
    widths = fitted_widths(headers, [*names, shown_row(columns, totals)])
    table = book.table(
        name=name,
        title=ctx.title(subject),
        unit_line=ctx.unit_line(extra),
        columns=[Column(c.header, c.kind, width, c.total) for c, width in zip(columns, widths, strict=True)],
        frozen_columns=frozen_columns,
    )
    for row in rows:
        table.append(row)
    table.write_totals(totals)
    table.signature_footer()
    return len(rows)


def _numbered(rows) -> list[list]:
    return [[number, *row] for number, row in enumerate(rows, start=1)]


def _in_wan(value):
    """元 or ㎡ in 万, exactly (rounded when written)."""
    return value / TEN_THOUSAND


def _percent(part, whole):
    """part as a percentage of whole, None of nothing. A Decimal quotient (28
    digits) rounds to 0.1 as the exact fraction does: a ratio of two amounts to
    the fen is either exactly on a tie or further than 10⁻¹⁵ from one; and it is
    thirty times cheaper than a Fraction for the 20,000 cells of the country."""
    if not whole:
        return None
    return Decimal(part) * 100 / Decimal(whole)


# --- 台账汇总 and 管理模式覆盖 --------------------------------------------------------------

LEDGER_HEADERS = [
    "序号",
    "区",
    "街道",
    "小区数（个）",
    "楼栋数（栋）",
    "户数（户）",
    "建筑面积（万㎡）",
    "老旧小区数（个）",
    "老旧小区户数（户）",
    "老旧小区建筑面积（万㎡）",
]


def ledger_groups(ctx):
    estates = ledger_selectors.estates_for(user=ctx.user, action=Action.EXPORT)
    if ctx.street is not None:
        estates = estates.filter(community__street_id=ctx.street.pk)
    return ledger_selectors.ledger_breakdown(estates, by="street")


def _ledger_figures(group) -> list:
    return [
        group.estates,
        group.buildings,
        group.households,
        _in_wan(group.floor_area),
        group.old_estates,
        group.old_households,
        _in_wan(group.old_floor_area),
    ]


def write_ledger_summary(book, ctx, groups, total) -> int:
    rows = _numbered([group.district, group.name, *_ledger_figures(group)] for group in groups)
    # The 合计 is the selector's total (what the dashboard shows), exact.
    totals = [_("合计"), "", "", *_ledger_figures(total)]
    extra = _("老旧小区：建成年份不晚于%(cutoff)s年") % {"cutoff": settings.OLD_ESTATE_CUTOFF_YEAR}
    return _write_table(
        book,
        ctx,
        name=_("台账汇总"),
        subject=_("小区台账汇总表（按街道）"),
        headers=LEDGER_HEADERS,
        rows=rows,
        totals=totals,
        extra=extra,
    )


def coverage_headers() -> list[str]:
    headers = ["序号", "区", "街道", "老旧小区数（个）", "老旧小区建筑面积（万㎡）"]
    for _mode, label in ledger_selectors.management_modes():
        headers += [f"{label}（个）", f"{label}（万㎡）", f"{label}面积占比（%）"]
    return headers


def _coverage_figures(group, modes) -> list:
    figures = [group.old_estates, _in_wan(group.old_floor_area)]
    for mode in modes:
        count, area = group.modes[mode]
        figures += [count, _in_wan(area), _percent(area, group.old_floor_area)]
    return figures


def write_coverage(book, ctx, groups, total) -> int:
    """Old estates by management mode, per street: count, 万㎡ and the share of
    the street's old floor area (the §7 table: 52 estates, 225.6万㎡, 20.9%)."""
    modes = [mode for mode, _label in ledger_selectors.management_modes()]  # once, not per street
    rows = _numbered([group.district, group.name, *_coverage_figures(group, modes)] for group in groups)
    totals = [_("合计"), "", "", *_coverage_figures(total, modes)]
    return _write_table(
        book,
        ctx,
        name=_("管理模式覆盖"),
        subject=_("老旧小区管理模式覆盖情况表"),
        headers=coverage_headers(),
        rows=rows,
        totals=totals,
        extra=_("占比按建筑面积计算"),
    )


# --- 改造进展与成效 ----------------------------------------------------------------------


def write_renovation(book, ctx) -> int:
    """The year's renovation by street (renovation.reports.street_report):
    projects are planned per year, so a quarter or a month shows its year."""
    report = street_report(user=ctx.user, year=ctx.period.year, action=Action.EXPORT)
    rows, totals = report.figures, report.total_figures
    if ctx.street is not None:
        district, name = ctx.street.district.name, ctx.street.name
        mine = [row for row in rows if list(row[1:3]) == [district, name]]
        rows = [[number, *row[1:]] for number, row in enumerate(mine, start=1)]
        totals = exact_totals(report.columns, rows, label=_("合计"))
    else:
        totals = [_("合计"), *totals[1:]]
    extra = _("改造项目按%(year)s年度计划统计　　金额单位：万元") % {"year": ctx.period.year}
    return _write_table(
        book,
        ctx,
        name=_("改造进展与成效"),
        subject=_("老旧小区改造进展与成效表（按街道）"),
        headers=report.headers,
        rows=rows,
        totals=totals,
        extra=extra,
    )


# --- 投诉办理情况 ------------------------------------------------------------------------


def measure_headers() -> list[tuple[str, str]]:
    return [(key, _(label)) for key, label in MEASURE_HEADERS]


def write_complaints(book, ctx) -> int:
    """Complaint measures per street over the months of the period."""
    result = complaint_selectors.measures_between(
        user=ctx.user,
        first=ctx.period.first,
        last=ctx.period.last.replace(day=1),  # the rollup's months are their first days
        by="street",
        street_id=ctx.street_id,
    )
    columns = measure_headers()
    headers = ["序号", "区", *(label for _key, label in columns)]
    rows = _numbered([row["district"], *(row[key] for key, _label in columns)] for row in result["rows"])
    totals = [_("合计"), "", "", *(result["total"][key] for key, _label in columns[1:])]
    return _write_table(
        book,
        ctx,
        name=_("投诉办理情况"),
        subject=_("物业投诉办理情况表（按街道）"),
        headers=headers,
        rows=rows,
        totals=totals,
        extra=_("按收到投诉的月份统计"),
    )


# --- 业主组织 ----------------------------------------------------------------------------


def committee_headers() -> list[str]:
    return [
        "序号",
        "区",
        "街道",
        "现有业主组织（个）",
        *(f"{label}（个）" for _kind, label in property_selectors.committee_kinds()),
        *(f"{label}（个）" for _stage, label in property_selectors.committee_stages()),
        "进度逾期（个）",
        "任期届满未换届（个）",
    ]


def _committee_figures(row) -> list:
    return [row["live"], *row["kinds"].values(), *row["stages"].values(), row["overdue"], row["expired"]]


def write_committees(book, ctx) -> int:
    """Owners' organisations per street as they stand when the workbook is made."""
    found, total = property_selectors.committee_summary_by_street(
        user=ctx.user, today=timezone.localdate(), street_id=ctx.street_id, action=Action.EXPORT
    )
    rows = _numbered([row["district"], row["street"], *_committee_figures(row)] for row in found)
    totals = [_("合计"), "", "", *_committee_figures(total)]
    extra = _("状态截至%(at)s") % {"at": cn_date(ctx.made_at)}
    return _write_table(
        book,
        ctx,
        name=_("业主组织"),
        subject=_("业主组织（业委会）情况表"),
        headers=committee_headers(),
        rows=rows,
        totals=totals,
        extra=extra,
    )


# --- 物业补贴 ----------------------------------------------------------------------------

SUBSIDY_HEADERS = [
    "序号",
    "区",
    "街道",
    "发放笔数（笔）",
    "预拨（元）",
    "考核后拨付（元）",
    "合计（元）",
    "合计（万元）",
    "已审批（笔）",
    "已审批金额（元）",
    "待审批（笔）",
    "待审批金额（元）",
]


def _subsidy_figures(row) -> list:
    return [
        row["count"],
        row["advance"],
        row["balance"],
        row["amount"],
        _in_wan(row["amount"]),
        row["approved"],
        row["approved_amount"],
        row["proposed"],
        row["proposed_amount"],
    ]


def write_subsidies(book, ctx) -> int:
    """Subsidy payments of the subsidy periods overlapping the period."""
    found, total, periods = property_selectors.subsidy_summary_by_street(
        user=ctx.user, first=ctx.period.first, last=ctx.period.last, street_id=ctx.street_id, action=Action.EXPORT
    )
    rows = _numbered([row["district"], row["street"], *_subsidy_figures(row)] for row in found)
    totals = [_("合计"), "", "", *_subsidy_figures(total)]
    labels = list(dict.fromkeys(period.label for period in periods))
    extra = _("补贴期间：%(periods)s") % {"periods": "、".join(labels) if labels else _("无")}
    return _write_table(
        book,
        ctx,
        name=_("物业补贴"),
        subject=_("物业补贴发放情况表（按街道）"),
        headers=SUBSIDY_HEADERS,
        rows=rows,
        totals=totals,
        extra=extra,
    )


# --- the cover ----------------------------------------------------------------------------


def sheet_names() -> list[tuple[str, str]]:
    """The sheets after the cover, with what each holds (for the cover)."""
    return [
        (_("台账汇总"), _("小区台账汇总：小区数、楼栋数、户数、建筑面积，其中老旧小区（按街道）")),
        (_("管理模式覆盖"), _("老旧小区按管理模式的个数、面积及面积占比（按街道）")),
        (_("改造进展与成效"), _("年度改造项目、投资来源、改造成效及阶段（按街道）")),
        (_("投诉办理情况"), _("物业投诉受理、办结、按期办结、回复及满意情况（按街道）")),
        (_("业主组织"), _("业主组织类型、所处阶段、进度逾期及任期届满情况（按街道）")),
        (_("物业补贴"), _("补贴期间内的预拨、考核后拨付及审批情况（按街道）")),
    ]


def write_cover(book, ctx) -> None:
    sheet = book.sheet(_("封面"), widths=(16, 70))
    bold = book.format(**BOLD_FORMAT)
    title = {key: value for key, value in TITLE_FORMAT.items() if key != "align"}
    sheet.append([ctx.title(_("老旧小区工作报表"))], book.format(**title))
    sheet.append()
    at = cn_datetime(ctx.made_at)
    for label, value in (
        (_("报表名称"), _("老旧小区工作报表")),
        (_("填报单位"), ctx.unit),
        (_("范围"), ctx.scope_label),
        (_("统计期间"), f"{ctx.period.label}（{cn_date(ctx.period.first)}至{cn_date(ctx.period.last)}）"),
        (_("生成时间"), f"{at}（北京时间）"),
        (_("台账数据截至"), at),
    ):
        row = sheet.append()
        sheet.write(row, 0, label, bold)
        sheet.write(row, 1, value)
    sheet.append()
    row = sheet.append()
    sheet.write(row, 0, _("工作表"), bold)
    sheet.write(row, 1, _("内容"))
    for name, description in sheet_names():
        sheet.append([name, description])
