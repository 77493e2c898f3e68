"""Excel exports of the complaints app in the shape reports go upward
(core.xlsx: merged title, unit line, headers with units, 合计): the case list
(phones masked) and the measures, which also carry the 填报人/审核人 footer."""

from types import SimpleNamespace

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.scoping import Action
from complaints import selectors
from complaints.filtersets import ComplaintFilterSet
from complaints.models import Channel, Status
from core.validators import mask_mobile
from core.xlsx import (
    CODE,
    COUNT,
    DATE,
    DATETIME,
    INTEGER,
    TEXT,
    Column,
    column_for,
    fitted_widths,
    new_workbook,
    today_cn,
)

CASE_HEADERS = [
    gettext_noop("工单号"),
    gettext_noop("收到时间"),
    gettext_noop("来源渠道"),
    gettext_noop("类别"),
    gettext_noop("街道"),
    gettext_noop("小区/地址"),
    gettext_noop("状态"),
    gettext_noop("投诉人"),
    gettext_noop("手机号码（脱敏）"),
    gettext_noop("受理时限"),
    gettext_noop("办结时限"),
    gettext_noop("办结时间"),
    gettext_noop("逾期"),
    gettext_noop("满意度"),
    gettext_noop("重新办理次数"),
]


# In CASE_HEADERS order: the kind of each column and its width (numbers and
# times need room, the estate and address most).
CASE_KINDS = [CODE, DATETIME, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, CODE, DATE, DATE, DATETIME, TEXT, INTEGER, COUNT]
CASE_WIDTHS = [18, 18, 10, 12, 14, 30, 10, 8, 18, 14, 14, 18, 6, 8, 14]
MAX_ROWS_PER_SHEET = 1_000_000


def case_columns() -> list[Column]:
    return [
        Column(_(header), kind, width, total=kind is COUNT)
        for header, kind, width in zip(CASE_HEADERS, CASE_KINDS, CASE_WIDTHS, strict=True)
    ]


def write_cases(queryset, handle, *, user) -> int:
    """Stream the cases (already scoped and filtered) into an .xlsx; past
    MAX_ROWS_PER_SHEET rows the list goes on in a further sheet. The 合计 row
    (on the last sheet) counts the cases and adds up their re-openings. Times
    are real dates in Beijing time; the masked phone stays text."""
    at = timezone.localtime()
    channels, statuses = dict(Channel.choices), dict(Status.choices)
    fields = (
        "number",
        "received_at",
        "channel",
        "category__name",
        "street__name",
        "estate__name",
        "address",
        "building_unit",
        "status",
        "reporter_name",
        "reporter_phone",
        "accept_due",
        "resolve_due",
        "resolved_at",
        "overdue",
        "satisfaction",
        "reopen_count",
    )
    rows = 0
    with new_workbook(handle) as book:
        table = book.table(
            name=_("投诉工单"),
            title=_("物业投诉工单清单"),
            unit_line=_("导出单位：%(node)s　导出时间：%(at)s")
            % {"node": user.node_name or _("全部"), "at": f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"},
            columns=case_columns(),
            max_rows=MAX_ROWS_PER_SHEET,
        )
        yes, no = _("是"), _("否")
        for r in queryset.order_by("-id").values_list(*fields).iterator(chunk_size=2000):
            (
                number,
                received,
                channel,
                category,
                street,
                estate,
                address,
                unit,
                status,
                reporter,
                phone,
                accept_due,
                resolve_due,
                resolved,
                overdue,
                satisfaction,
                reopens,
            ) = r
            table.append(
                [
                    number,
                    received,
                    str(channels.get(channel, channel)),
                    category,
                    street,
                    f"{estate or address} {unit}".strip(),
                    str(statuses.get(status, status)),
                    (reporter[:1] + "*" * (len(reporter) - 1)) if reporter else "",
                    mask_mobile(phone),
                    accept_due,
                    resolve_due,
                    resolved,
                    yes if overdue else no,
                    satisfaction,
                    reopens,
                ]
            )
            rows += 1
        table.write_totals(table.sums_row({1: f"{rows} 件"}))
    return rows


MEASURE_HEADERS = [
    ("label", gettext_noop("单位")),
    ("received", gettext_noop("收到投诉（件）")),
    ("accepted", gettext_noop("其中已受理（件）")),
    ("resolved", gettext_noop("已办结（件）")),
    ("resolved_rate", gettext_noop("办结率（%）")),
    ("on_time_rate", gettext_noop("按期办结率（%）")),
    ("reply_rate", gettext_noop("回复率（%）")),
    ("rated", gettext_noop("评价数（件）")),
    ("satisfied_rate", gettext_noop("满意率（%）")),
    ("satisfaction_avg", gettext_noop("平均满意度（分）")),
]


def write_measures(result: dict, handle, *, user, title: str) -> None:
    """The measures by unit, their 合计 (result["total"]) and the footer: counts
    in 件, rates in percent to 0.1 under headers saying （%）."""
    headers = [_(label) for _key, label in MEASURE_HEADERS]
    rows = [[row[key] for key, _label in MEASURE_HEADERS] for row in result["rows"]]
    widths = fitted_widths(headers, rows)
    with new_workbook(handle) as book:
        table = book.table(
            name=_("办理情况"),
            title=title,
            unit_line=_("填报单位：%(node)s　日期：%(at)s") % {"node": user.node_name or _("全部"), "at": today_cn()},
            columns=[column_for(header, width=width) for header, width in zip(headers, widths, strict=True)],
        )
        for row in rows:
            table.append(row)
        table.write_totals([result["total"][key] for key, _label in MEASURE_HEADERS])
        table.signature_footer()


def export_for_job(job, fileobj, progress):
    """The case-list export of a background job (core.exports): the job's
    filters re-applied through the requesting user's export scope."""
    user = job.requested_by
    params = QueryDict(job.params.get("query", ""), mutable=True)
    params.setdefault("queue", "open")
    filterset = ComplaintFilterSet(
        params,
        queryset=selectors.complaints_for(user=user, action=Action.EXPORT),
        request=SimpleNamespace(user=user),
    )
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    rows = write_cases(queryset, fileobj, user=user)
    progress(rows)
    return rows, job.params.get("filename") or f"投诉工单_{timezone.localdate():%Y%m%d}.xlsx"
