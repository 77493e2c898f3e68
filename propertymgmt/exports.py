"""The subsidy payment list in Excel, shaped as officials send reports upward:
a merged title row, reporting unit and date, units in the headers, numbers as
numbers (元 to the fen, the share as a percentage), a 合计 row and a footer
where 审批人 signs too. Streamed (core.xlsx); one period of one district is at
most a few thousand rows."""

from django.utils.translation import gettext as _

from accounts.scoping import Action
from communities.choices import ManagementMode
from core.figures import wan
from core.xlsx import AREA, CODE, COUNT, INTEGER, SHARE, TEXT, WAN, YUAN, Column, decimal_kind, new_workbook, today_cn
from propertymgmt import selectors
from propertymgmt.models import SubsidyPeriod

MAX_ROWS_PER_SHEET = 1_000_000
COLUMNS = (
    Column("序号", INTEGER, 6),
    Column("街道", TEXT, 14),
    Column("小区名称", TEXT, 24),
    Column("管理模式", TEXT, 14),
    Column("批次", TEXT, 16),
    Column("面积（㎡）", AREA, 12),
    Column("补贴标准（元/㎡·年）", YUAN, 12),
    Column("月数", INTEGER, 6),
    Column("比例", SHARE, 8),
    Column("考核得分", decimal_kind(2), 10),
    Column("考核系数", decimal_kind(3), 10),
    Column("金额（元）", YUAN, 14, total=True),
    Column("状态", TEXT, 8),
)
HEADERS = tuple(column.header for column in COLUMNS)
AMOUNT_COLUMN = HEADERS.index("金额（元）")


def write_payments(queryset, fileobj, *, period, user) -> int:
    """The period's payments, one row each, a 合计 of the amounts (the exact sum;
    on the last sheet, past MAX_ROWS_PER_SHEET rows the list goes on in a further
    sheet) and a footer where 审批人 signs too."""
    modes = dict(ManagementMode.choices)
    unit = getattr(getattr(user, "district", None), "name", "") or ""
    rows = 0
    with new_workbook(fileobj) as book:
        table = book.table(
            name=_("补贴发放"),
            title=_("老旧小区物业管理补贴发放表（%(p)s）") % {"p": period.label},
            unit_line=_("填报单位：%(u)s") % {"u": unit} + "　　" + _("日期：%(d)s") % {"d": today_cn()},
            columns=COLUMNS,
            max_rows=MAX_ROWS_PER_SHEET,
        )
        for rows, p in enumerate(queryset.iterator(chunk_size=2000), start=1):
            table.append(
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
        table.write_totals(table.sums_row({2: _("%(n)s笔") % {"n": rows}}))
        table.approval_footer()
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


INSTRUCTION_COLUMNS = (
    Column("序号", INTEGER, 6),
    Column("明细编号", CODE, 10),
    Column("收款人全称", TEXT, 30),
    Column("开户银行", TEXT, 28),
    Column("账号", CODE, 26),
    Column("金额（元）", YUAN, 16, total=True),
    Column("用途", TEXT, 20),
    Column("摘要", TEXT, 36),
)


def write_instruction(lines, fileobj, *, batch) -> int:
    """The payment instruction (拨付指令) of a released batch for the finance bureau:
    one row per line with the full account number as it stood when the batch was
    made, the batch total and the signatures block. 明细编号 names the line: the
    bank's return file (this sheet with 结果 and 退回原因 added) is matched on it."""
    rows = 0
    with new_workbook(fileobj) as book:
        table = book.table(
            name=_("拨付指令"),
            title=(
                _("老旧小区物业管理补贴及以奖代补奖励拨付指令（批次 %(n)s）")
                if any(line.award_id for line in lines)
                else _("老旧小区物业管理补贴拨付指令（批次 %(n)s）")
            )
            % {"n": batch.number},
            unit_line=_("拨付单位：%(u)s") % {"u": batch.district.name}
            + "　　"
            + _("补贴期间：%(p)s") % {"p": batch.period.label}
            + "　　"
            + _("日期：%(d)s") % {"d": today_cn()},
            columns=INSTRUCTION_COLUMNS,
            max_rows=MAX_ROWS_PER_SHEET,
        )
        subsidy, reward = _("老旧小区物业管理补贴"), _("以奖代补奖励")
        for rows, line in enumerate(lines, start=1):
            purpose = reward if line.award_id else subsidy
            summary = f"{line.paid_to_name} {line.subject}"
            if line.reissue_of_id:
                summary += _("（退回重发）")
            table.append(
                [rows, str(line.pk), line.account_name, line.bank, line.account_number, line.amount, purpose, summary]
            )
        table.write_totals(table.sums_row({2: _("%(n)s笔") % {"n": rows}}))
        table.approval_footer()
    return rows


RECONCILIATION_COLUMNS = (
    Column("街道", TEXT, 16),
    Column("已审批（笔）", COUNT, total=True),
    Column("已审批（元）", YUAN, 16, total=True),
    Column("已发布拨付（元）", YUAN, 16, total=True),
    Column("已支付（笔）", COUNT, total=True),
    Column("已支付（元）", YUAN, 16, total=True),
    Column("退回待重发（元）", YUAN, 16, total=True),
    Column("未支付（笔）", COUNT, total=True),
    Column("未支付（元）", YUAN, 16, total=True),
)
# The figures of a reconciliation row, in RECONCILIATION_COLUMNS' order after 街道.
RECONCILIATION_KEYS = (
    "approved_count",
    "approved",
    "released",
    "paid_count",
    "paid",
    "returned",
    "unpaid_count",
    "unpaid",
)
DIFFERENCE_COLUMNS = (
    Column("街道", TEXT, 16),
    Column("小区名称", TEXT, 24),
    Column("批次", TEXT, 10),
    Column("金额（元）", YUAN, 14, total=True),
    Column("拨付状态", TEXT, 16),
    Column("说明", TEXT, 40),
)


def write_reconciliation(report, fileobj, *, period, user) -> int:
    """补贴对账表: one row per street (approved, released, paid, returned, unpaid), the
    合计, and on a second sheet every approved payment not paid with where it stands."""
    unit = getattr(getattr(user, "district", None), "name", "") or ""
    unit_line = _("填报单位：%(u)s") % {"u": unit} + "　　" + _("日期：%(d)s") % {"d": today_cn()}
    with new_workbook(fileobj) as book:
        table = book.table(
            name=_("对账"),
            title=_("老旧小区物业管理补贴对账表（%(p)s）") % {"p": period.label},
            unit_line=unit_line,
            columns=RECONCILIATION_COLUMNS,
            max_rows=MAX_ROWS_PER_SHEET,
        )
        for row in report.rows:
            table.append([row["street__name"], *(row[key] for key in RECONCILIATION_KEYS)])
        table.write_totals([_("合计"), *(report.total[key] for key in RECONCILIATION_KEYS)])
        table.signature_footer()
        differences = book.table(
            name=_("未支付明细"),
            title=_("已审批未支付的补贴（%(p)s）") % {"p": period.label},
            unit_line=unit_line,
            columns=DIFFERENCE_COLUMNS,
            max_rows=MAX_ROWS_PER_SHEET,
        )
        for payment in report.differences:
            differences.append(
                [
                    payment.street.name,
                    payment.estate.name,
                    payment.get_tranche_display(),
                    payment.amount,
                    payment.payout_text,
                    payment.why,
                ]
            )
        differences.write_totals(differences.sums_row({1: _("%(n)s笔") % {"n": len(report.differences)}}))
    return len(report.rows)


def _fund_columns():
    columns = [Column("街道", TEXT, 16)]
    for _key, label in selectors.HOLDER_GROUPS:
        columns.append(Column(f"{label}（个）", COUNT, 10, total=True))
        columns.append(Column(f"{label}（万元）", WAN, 12, total=True))
    columns += [
        Column("账户合计（个）", COUNT, 10, total=True),
        Column("余额合计（万元）", WAN, 12, total=True),
        Column("须续筹（个）", COUNT, 10, total=True),
        Column("续筹至30%所需（万元）", WAN, 14, total=True),
    ]
    return tuple(columns)


WITHDRAWAL_COLUMNS = (
    Column("街道", TEXT, 16),
    Column("用途", TEXT, 40),
    Column("笔数", COUNT, 8, total=True),
    Column("金额（万元）", WAN, 14, total=True),
)


def _fund_figures(row) -> list:
    cells = []
    for key, _label in selectors.HOLDER_GROUPS:
        cells += [row[f"{key}_count"], wan(row[f"{key}_balance"])]
    return [*cells, row["count"], wan(row["balance"]), row["due"], wan(row["needed"])]


def write_fund_report(report, fileobj, *, user) -> int:
    """维修资金情况表: one row per street (accounts and balances by holder, accounts due
    for a top-up and what brings them to 30%), in 万元 with a 合计 from the exact
    figures; the year's withdrawals by purpose on a second sheet."""
    unit = getattr(getattr(user, "district", None), "name", "") or ""
    unit_line = _("填报单位：%(u)s") % {"u": unit} + "　　" + _("日期：%(d)s") % {"d": today_cn()}
    with new_workbook(fileobj) as book:
        table = book.table(
            name=_("维修资金"),
            title=_("住宅专项维修资金情况表（%(y)s年）") % {"y": report.year},
            unit_line=unit_line,
            columns=_fund_columns(),
            max_rows=MAX_ROWS_PER_SHEET,
        )
        for row in report.rows:
            table.append([row["street"], *_fund_figures(row)])
        table.write_totals([_("合计"), *_fund_figures(report.total)])
        table.signature_footer()
        uses = book.table(
            name=_("使用情况"),
            title=_("维修资金使用情况（%(y)s年，按用途）") % {"y": report.year},
            unit_line=unit_line,
            columns=WITHDRAWAL_COLUMNS,
            max_rows=MAX_ROWS_PER_SHEET,
        )
        for street, purpose, count, amount in report.withdrawals:
            uses.append([street, purpose, count, wan(amount)])
        uses.write_totals([_("合计"), "", report.withdrawals_total["count"], wan(report.withdrawals_total["amount"])])
    return len(report.rows)
