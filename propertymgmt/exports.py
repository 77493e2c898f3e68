"""The subsidy payment list in Excel, shaped as officials send reports upward:
a merged title row, reporting unit and date, units in the headers, numbers as
numbers, a 合计 row and a footer for 填报人/审核人. Written in openpyxl's
write-only mode; one period of one district is at most a few thousand rows."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action
from communities.choices import ManagementMode
from core.xlsx import MAX_ROWS_PER_SHEET, approval_footer, new_workbook, report_sheet, totals_row
from propertymgmt import selectors
from propertymgmt.models import SubsidyPeriod

HEADERS = (
    "序号",
    "街道",
    "小区名称",
    "管理模式",
    "批次",
    "面积（㎡）",
    "补贴标准（元/㎡·年）",
    "月数",
    "比例",
    "考核得分",
    "考核系数",
    "金额（元）",
    "状态",
)
WIDTHS = (6, 14, 24, 14, 16, 12, 12, 6, 8, 10, 10, 14, 8)
AMOUNT_COLUMN = HEADERS.index("金额（元）")


def write_payments(queryset, fileobj, *, period, user) -> int:
    """The period's payments, one row each, a 合计 of the amounts (on the last
    sheet, past MAX_ROWS_PER_SHEET rows the list goes on in a further sheet)
    and a footer where 审批人 signs too."""
    modes = dict(ManagementMode.choices)
    workbook = new_workbook()
    name = _("补贴发放")
    title = _("老旧小区物业管理补贴发放表（%(p)s）") % {"p": period.label}
    unit = getattr(getattr(user, "district", None), "name", "") or ""
    unit_line = (
        _("填报单位：%(u)s") % {"u": unit}
        + "　　"
        + _("日期：%(d)s") % {"d": timezone.localdate().strftime("%Y年%m月%d日")}
    )

    def new_sheet(number):
        return report_sheet(
            workbook,
            name=name if number == 1 else f"{name}（{number}）",
            title=title,
            unit_line=unit_line,
            headers=HEADERS,
            widths=WIDTHS,
        )

    sheet, sheets, in_sheet = new_sheet(1), 1, 0
    total = Decimal("0")
    rows = 0
    for rows, p in enumerate(queryset.iterator(chunk_size=2000), start=1):
        if in_sheet >= MAX_ROWS_PER_SHEET:
            sheets += 1
            sheet, in_sheet = new_sheet(sheets), 0
        in_sheet += 1
        total += p.amount
        sheet.append(
            [
                rows,
                p.street.name,
                p.estate.name,
                str(modes.get(p.management_mode, p.management_mode)),
                p.get_tranche_display(),
                p.area,
                p.rate,
                p.months,
                p.share,
                p.score,
                p.factor,
                p.amount,
                p.get_status_display(),
            ]
        )
    totals = [_("合计"), None, _("%(n)s笔") % {"n": rows}] + [None] * (len(HEADERS) - 3)
    totals[AMOUNT_COLUMN] = total
    totals_row(sheet, totals)
    approval_footer(sheet)
    workbook.save(fileobj)
    return rows


EXPORT_KIND = "subsidy-payments"


def export_for_job(job, fileobj, progress):
    """A large payment list (a province, the country) written by the Celery worker,
    with the rows chosen through the requester's scope when it runs."""
    period = SubsidyPeriod.objects.get(pk=job.params["period"])
    queryset = selectors.payments_for(
        user=job.requested_by, period_id=period.pk, street_id=job.params.get("street"), action=Action.EXPORT
    )
    rows = write_payments(queryset, fileobj, period=period, user=job.requested_by)
    progress(rows)
    return rows, job.params["filename"]
