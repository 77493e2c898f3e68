"""Excel exports of the complaints app: the case list (phones masked) and the
measures in the shape reports go upward (title, unit, units in headers, 合计)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from core.validators import mask_mobile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHEET_ROWS = 1_000_000


def _title(sheet, text, width):
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True, size=14)
    cell.alignment = Alignment(horizontal="center")
    return [cell] + [None] * (width - 1)


def _header(sheet, labels):
    cells = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        cells.append(cell)
    return cells


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


def write_cases(queryset, handle, *, user) -> int:
    """Stream the cases (already scoped and filtered) into an .xlsx."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("投诉工单"))
    sheet.append(_title(sheet, _("物业投诉工单清单"), len(CASE_HEADERS)))
    at = f"{timezone.localtime():%Y年%m月%d日 %H:%M}"
    sheet.append([_("导出单位：%(node)s　导出时间：%(at)s") % {"node": user.node_name or _("全部"), "at": at}])
    sheet.append(_header(sheet, [_(h) for h in CASE_HEADERS]))
    from complaints.models import Channel, Status

    channels, statuses = dict(Channel.choices), dict(Status.choices)
    rows = 0
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
            name,
            phone,
            accept_due,
            resolve_due,
            resolved,
            overdue,
            satisfaction,
            reopens,
        ) = r
        sheet.append(
            [
                number,
                timezone.localtime(received).replace(tzinfo=None),
                str(channels.get(channel, channel)),
                category,
                street or "",
                f"{estate or address} {unit}".strip(),
                str(statuses.get(status, status)),
                (name[:1] + "*" * (len(name) - 1)) if name else "",
                mask_mobile(phone),
                accept_due,
                resolve_due,
                timezone.localtime(resolved).replace(tzinfo=None) if resolved else None,
                _("是") if overdue else _("否"),
                satisfaction,
                reopens,
            ]
        )
        rows += 1
        if rows >= MAX_SHEET_ROWS:
            break
    sheet.append([_("合计"), f"{rows} 件"])
    book.save(handle)
    return rows


MEASURE_HEADERS = [
    ("label", gettext_noop("单位")),
    ("received", gettext_noop("受理量（件）")),
    ("accepted", gettext_noop("已受理（件）")),
    ("resolved", gettext_noop("已办结（件）")),
    ("resolved_rate", gettext_noop("办结率（%）")),
    ("on_time_rate", gettext_noop("按期办结率（%）")),
    ("reply_rate", gettext_noop("回复率（%）")),
    ("rated", gettext_noop("评价数（件）")),
    ("satisfied_rate", gettext_noop("满意率（%）")),
    ("satisfaction_avg", gettext_noop("平均满意度（分）")),
]


def write_measures(result: dict, handle, *, user, title: str) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("办理情况"))
    sheet.append(_title(sheet, title, len(MEASURE_HEADERS)))
    at = f"{timezone.localdate():%Y年%m月%d日}"
    sheet.append([_("填报单位：%(node)s　日期：%(at)s") % {"node": user.node_name or _("全部"), "at": at}])
    sheet.append(_header(sheet, [_(label) for _key, label in MEASURE_HEADERS]))
    for row in [*result["rows"], result["total"]]:
        sheet.append([row[key] for key, _label in MEASURE_HEADERS])
    sheet.append([])
    sheet.append([_("填报人："), None, None, _("审核人：")])
    book.save(handle)


def export_for_job(job, fileobj, progress):
    """The case-list export of a background job (core.exports): the job's
    filters re-applied through the requesting user's export scope."""
    from types import SimpleNamespace

    from django.http import QueryDict

    from accounts.scoping import Action
    from complaints import selectors
    from complaints.filtersets import ComplaintFilterSet

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
