"""The report workbook: one .xlsx for a period and a scope, a sheet per subject.

Every figure comes from the selector the subject's own pages (and the district
dashboard) read, so the workbook, the pages and the dashboard always agree:

- 台账汇总 and 管理模式覆盖: communities.selectors.ledger_breakdown by street;
- 改造进展与成效: renovation.reports.street_report (the year's projects);
- 投诉办理情况: complaints.selectors.measures_between (the months of the period);
- 业主组织: propertymgmt.selectors.committee_summary_by_street (as of today);
- 物业补贴: propertymgmt.selectors.subsidy_summary_by_street (periods overlapping it).

The rows are one per street, so even a province's workbook holds a few
thousand rows; what costs time is the grouped queries over its estates. A
scope with more estates than settings.WORKBOOK_ASYNC_ESTATES is therefore
built by the worker (core.exports), smaller ones in the request.
"""

import calendar
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action
from communities import selectors as ledger_selectors
from complaints import selectors as complaint_selectors
from complaints.excel import MEASURE_HEADERS  # the words of the measures table, shared with its export
from core.units import wan
from core.xlsx import (
    HEADER_FONT,
    TITLE_FONT,
    cell,
    fitted_widths,
    new_workbook,
    report_sheet,
    signature_footer,
    sum_columns,
    totals_row,
    xlsx_download,
)
from dashboard.board import scope_name, share  # rounded as the dashboard rounds them: the figures agree
from propertymgmt import selectors as property_selectors
from renovation.reports import street_report

EXPORT_KIND = "workbook"
QUARTERS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


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
            "at": self.made_at.strftime("%Y年%m月%d日 %H:%M"),
        }
        return f"{line}　　{extra}" if extra else line


# --- writing helpers ---------------------------------------------------------------------


def _format_of(header: str) -> str | None:
    """The number format a column's unit asks for: 万 and 元 with two places, % with one."""
    if "（万" in header or header.endswith("（元）"):
        return "#,##0.00"
    if header.endswith("（%）"):
        return "0.0"
    return None


def _write_table(workbook, ctx, *, name, subject, headers, rows, totals, extra="", frozen_columns=3) -> int:
    """One subject's sheet in the report shape (core.xlsx): title, unit line,
    headers with units, the rows (numbers as numbers, formatted by unit), the
    合计 row and the signature footer. Returns the rows written."""
    sheet = report_sheet(
        workbook,
        name=name,
        title=ctx.title(subject),
        unit_line=ctx.unit_line(extra),
        headers=headers,
        widths=fitted_widths(headers, [*rows, totals]),
        frozen_columns=frozen_columns,
    )
    formats = {index: fmt for index, header in enumerate(headers) if (fmt := _format_of(header))}
    for row in rows:
        cells = list(row)
        for index, fmt in formats.items():
            if index < len(cells) and cells[index] is not None:
                cells[index] = cell(sheet, cells[index], number_format=fmt)
        sheet.append(cells)
    totals_row(sheet, totals)
    signature_footer(sheet)
    return len(rows)


def _numbered(rows) -> list[list]:
    return [[number, *row] for number, row in enumerate(rows, start=1)]


# --- the subjects ------------------------------------------------------------------------

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


def _ledger_groups(ctx):
    estates = ledger_selectors.estates_for(user=ctx.user, action=Action.EXPORT)
    if ctx.street is not None:
        estates = estates.filter(community__street_id=ctx.street.pk)
    return ledger_selectors.ledger_breakdown(estates, by="street")


def _ledger_figures(group) -> list:
    return [
        group.estates,
        group.buildings,
        group.households,
        wan(group.floor_area),
        group.old_estates,
        group.old_households,
        wan(group.old_floor_area),
    ]


def write_ledger_summary(workbook, ctx, groups, total) -> int:
    rows = _numbered([group.district, group.name, *_ledger_figures(group)] for group in groups)
    # The 合计 is the selector's total (what the dashboard shows): its 万㎡ are
    # rounded once, so they may differ from the sum of the rounded rows by a cent.
    totals = [_("合计"), "", "", *_ledger_figures(total)]
    extra = _("老旧小区：建成年份不晚于%(cutoff)s年") % {"cutoff": settings.OLD_ESTATE_CUTOFF_YEAR}
    return _write_table(
        workbook,
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


def _coverage_figures(group) -> list:
    figures = [group.old_estates, wan(group.old_floor_area)]
    for mode, _label in ledger_selectors.management_modes():
        count, area = group.modes[mode]
        figures += [count, wan(area), share(area, group.old_floor_area)]
    return figures


def write_coverage(workbook, ctx, groups, total) -> int:
    """Old estates by management mode, per street: count, 万㎡ and the share of
    the street's old floor area (the §7 table: 52 estates, 225.6万㎡, 20.9%)."""
    rows = _numbered([group.district, group.name, *_coverage_figures(group)] for group in groups)
    totals = [_("合计"), "", "", *_coverage_figures(total)]
    return _write_table(
        workbook,
        ctx,
        name=_("管理模式覆盖"),
        subject=_("老旧小区管理模式覆盖情况表"),
        headers=coverage_headers(),
        rows=rows,
        totals=totals,
        extra=_("占比按建筑面积计算"),
    )


def write_renovation(workbook, ctx) -> int:
    """The year's renovation by street (renovation.reports.street_report):
    projects are planned per year, so a quarter or a month shows its year."""
    report = street_report(user=ctx.user, year=ctx.period.year, action=Action.EXPORT)
    rows, totals = report.rows, report.totals
    if ctx.street is not None:
        district, name = ctx.street.district.name, ctx.street.name
        mine = [row for row in rows if list(row[1:3]) == [district, name]]
        rows = [[number, *row[1:]] for number, row in enumerate(mine, start=1)]
        totals = sum_columns(rows, report.first_numeric, len(report.headers), label=_("合计"))
    extra = _("改造项目按%(year)s年度计划统计　　金额单位：万元") % {"year": ctx.period.year}
    return _write_table(
        workbook,
        ctx,
        name=_("改造进展与成效"),
        subject=_("老旧小区改造进展与成效表（按街道）"),
        headers=report.headers,
        rows=rows,
        totals=totals,
        extra=extra,
    )


def measure_headers() -> list[tuple[str, str]]:
    return [(key, _(label)) for key, label in MEASURE_HEADERS]


def write_complaints(workbook, ctx) -> int:
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
        workbook,
        ctx,
        name=_("投诉办理情况"),
        subject=_("物业投诉办理情况表（按街道）"),
        headers=headers,
        rows=rows,
        totals=totals,
        extra=_("按收到投诉的月份统计"),
    )


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


def write_committees(workbook, ctx) -> int:
    """Owners' organisations per street as they stand when the workbook is made."""
    found, total = property_selectors.committee_summary_by_street(
        user=ctx.user, today=timezone.localdate(), street_id=ctx.street_id, action=Action.EXPORT
    )
    rows = _numbered([row["district"], row["street"], *_committee_figures(row)] for row in found)
    totals = [_("合计"), "", "", *_committee_figures(total)]
    extra = _("状态截至%(at)s") % {"at": ctx.made_at.strftime("%Y年%m月%d日")}
    return _write_table(
        workbook,
        ctx,
        name=_("业主组织"),
        subject=_("业主组织（业委会）情况表"),
        headers=committee_headers(),
        rows=rows,
        totals=totals,
        extra=extra,
    )


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
        wan(row["amount"]),
        row["approved"],
        row["approved_amount"],
        row["proposed"],
        row["proposed_amount"],
    ]


def write_subsidies(workbook, ctx) -> int:
    """Subsidy payments of the subsidy periods overlapping the period."""
    found, total, periods = property_selectors.subsidy_summary_by_street(
        user=ctx.user, first=ctx.period.first, last=ctx.period.last, street_id=ctx.street_id, action=Action.EXPORT
    )
    rows = _numbered([row["district"], row["street"], *_subsidy_figures(row)] for row in found)
    totals = [_("合计"), "", "", *_subsidy_figures(total)]
    labels = list(dict.fromkeys(period.label for period in periods))
    extra = _("补贴期间：%(periods)s") % {"periods": "、".join(labels) if labels else _("无")}
    return _write_table(
        workbook,
        ctx,
        name=_("物业补贴"),
        subject=_("物业补贴发放情况表（按街道）"),
        headers=SUBSIDY_HEADERS,
        rows=rows,
        totals=totals,
        extra=extra,
    )


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


def write_cover(workbook, ctx) -> None:
    sheet = workbook.create_sheet(title=_("封面"))
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 70
    sheet.append([cell(sheet, ctx.title(_("老旧小区工作报表")), font=TITLE_FONT)])
    sheet.append([])
    at = ctx.made_at.strftime("%Y年%m月%d日 %H:%M")
    for label, value in (
        (_("报表名称"), _("老旧小区工作报表")),
        (_("填报单位"), ctx.unit),
        (_("范围"), ctx.scope_label),
        (_("统计期间"), f"{ctx.period.label}（{ctx.period.first:%Y年%m月%d日}至{ctx.period.last:%Y年%m月%d日}）"),
        (_("生成时间"), f"{at}（北京时间）"),
        (_("台账数据截至"), at),
    ):
        sheet.append([cell(sheet, label, font=HEADER_FONT), value])
    sheet.append([])
    sheet.append([cell(sheet, _("工作表"), font=HEADER_FONT), _("内容")])
    for name, description in sheet_names():
        sheet.append([name, description])


def write_workbook(fileobj, *, user, period: Period, street=None, progress=None) -> int:
    """The whole workbook into `fileobj`; returns the data rows written.
    `street` (a StreetOffice the caller checked is inside the user's scope)
    narrows every sheet to it. `progress(rows)` is called after each sheet."""
    ctx = Context(user=user, period=period, street=street, made_at=timezone.localtime())
    workbook = new_workbook()
    write_cover(workbook, ctx)
    groups, total = _ledger_groups(ctx)
    done = 0
    for write in (
        lambda: write_ledger_summary(workbook, ctx, groups, total),
        lambda: write_coverage(workbook, ctx, groups, total),
        lambda: write_renovation(workbook, ctx),
        lambda: write_complaints(workbook, ctx),
        lambda: write_committees(workbook, ctx),
        lambda: write_subsidies(workbook, ctx),
    ):
        done += write()
        if progress is not None:
            progress(done)
    workbook.save(fileobj)
    return done


# --- download or background job --------------------------------------------------------


def export_filename(user, period: Period, street=None) -> str:
    unit = street.name if street is not None else scope_name(user)
    return f"老旧小区工作报表_{unit}_{period.label}_{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def estates_in_scope(user, street=None) -> int:
    estates = ledger_selectors.estates_for(user=user, action=Action.EXPORT)
    if street is not None:
        estates = estates.filter(community__street_id=street.pk)
    return estates.order_by().count()


def export_workbook(*, user, period: Period, street=None):
    """Small scopes download at once; larger ones (more estates than
    settings.WORKBOOK_ASYNC_ESTATES) become a background job whose page shows
    the progress and, when done, the download link for this user alone."""
    from django.shortcuts import redirect

    from core.exports import start_export

    filename = export_filename(user, period, street)
    if estates_in_scope(user, street) > settings.WORKBOOK_ASYNC_ESTATES:
        streets = 1 if street is not None else ledger_selectors.streets_for(user=user).count()
        job = start_export(
            user=user,
            kind=EXPORT_KIND,
            # about one row per street on each subject's sheet
            total_rows=max(1, streets) * len(sheet_names()),
            params={**period.as_params(), "street": street.pk if street is not None else "", "filename": filename},
        )
        return redirect("core:export_job", pk=job.pk)
    return xlsx_download(
        lambda handle: write_workbook(handle, user=user, period=period, street=street), filename=filename
    )


def export_for_job(job, fileobj, progress):
    """The workbook of a background job: the form is checked again against the
    requesting user's scope as it is now, so a job never reaches wider than
    its user may when it runs."""
    from dashboard.forms import WorkbookForm

    user = job.requested_by
    form = WorkbookForm(job.params, user=user)
    if not form.is_valid():
        raise ValueError(form.errors.as_text())
    period = form.period()
    street = form.cleaned_data.get("street")
    rows = write_workbook(fileobj, user=user, period=period, street=street, progress=progress)
    return rows, job.params.get("filename") or export_filename(user, period, street)
