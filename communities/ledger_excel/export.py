"""The ledger export: the report shape officials send upward, streamed."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Max
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action
from communities import selectors
from communities.ledger_excel.columns import EXPORT_HEADERS
from communities.models import Enclosure, FundHolder, FundStatus, ManagementMode, OwnersBody
from core.figures import TEN_THOUSAND
from core.xlsx import AREA, COORDINATE, COUNT, INTEGER, TEXT, WAN, YUAN, Column, new_workbook
from core.xlsx.rows import queryset_rows

EXPORT_VALUES = (
    "community__street__name",
    "community__name",
    "name",
    "address",
    "year_built",
    "building_count",
    "households",
    "floor_area",
    "enclosure",
    "management_mode",
    "owners_body",
    "fund_status",
    "fund_balance",
    "fund_holder",
    "parking_spaces",
    "vehicles",
    "has_surveillance",
    "fire_passage_blocked",
    "expropriation_planned",
    "shantytown",
    "dangerous_buildings",
    "illegal_area_pending",
    "longitude",
    "latitude",
    "remarks",
)
PROGRESS_EVERY = 2000
MAX_ROWS_PER_SHEET = 1_000_000  # a sheet holds 1,048,576 rows; the 合计 goes on the last one

# The kind of each export column that is not text, and whether the 合计 adds it up.
FIGURES = {
    "序号": (INTEGER, False),
    "建成年份": (INTEGER, False),
    "楼栋数（栋）": (COUNT, True),
    "户数（户）": (COUNT, True),
    "建筑面积（㎡）": (AREA, True),
    "建筑面积（万㎡）": (WAN, True),
    "维修资金余额（元）": (YUAN, True),
    "停车位（个）": (COUNT, True),
    "机动车数（辆）": (COUNT, True),
    "C/D级危房（栋）": (COUNT, True),
    "待拆违建（㎡）": (AREA, True),
    "经度": (COORDINATE, False),
    "纬度": (COORDINATE, False),
}


def _export_column(header: str, width: int) -> Column:
    kind, total = FIGURES.get(header, (TEXT, False))
    return Column(header, kind, width, total)


EXPORT_COLUMNS = tuple(_export_column(header, width) for header, width in EXPORT_HEADERS)


def export_filename(user) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    unit = user.node_name if user.node_name else _("全部")
    return f"小区台账_{unit}_{stamp}.xlsx"


def write_ledger(queryset, fileobj, *, user, filterset=None, progress=None) -> int:
    """Stream the ledger to .xlsx in the shape officials send upward: a title
    naming the filter, the reporting unit and date, Chinese headers with units,
    one row per estate, a 合计 row (the rounded exact totals, with the footnote
    when the rounded rows add up otherwise) and a footer for 填报人/审核人.

    Rows come from a server-side cursor, fetched while the previous ones are
    written, and go straight to a streamed sheet, so memory stays flat whatever
    the row count. Figures are written exact and
    rounded as each cell is written (core.xlsx).
    """
    cutoff = settings.OLD_ESTATE_CUTOFF_YEAR
    labels = _code_labels()
    newest = queryset.order_by().aggregate(newest=Max("year_built"))["newest"]
    title = ledger_title(user, filters=describe_filters(filterset), all_old=newest is not None and newest <= cutoff)
    # Fetched in a thread, a few chunks ahead of the writer (core.xlsx.rows).
    rows = queryset_rows(selectors.with_row_figures(queryset).values_list(*EXPORT_VALUES), chunk=PROGRESS_EVERY)
    count = 0
    with new_workbook(fileobj) as book:
        table = book.table(
            name="小区台账",
            title=title,
            unit_line=_unit_line(user, cutoff),
            columns=EXPORT_COLUMNS,
            frozen_columns=4,  # 序号, 街道, 社区, 小区名称 stay in view
            max_rows=MAX_ROWS_PER_SHEET,
        )
        append = table.append
        for row in rows:
            count += 1
            append(_export_row(count, row, labels, cutoff))
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
        table.write_totals()  # on the last sheet: the exact sums of every row written, rounded
        table.signature_footer()
    if progress is not None:
        progress(count)
    return count


def ledger_title(user, *, filters: str, all_old: bool) -> str:
    """东城区老旧小区台账 only when every row is an old estate; otherwise 小区台账,
    and the filter it shows, e.g. 东城区小区台账（筛选：老旧小区=否；街道=和平里街道）."""
    name = _("老旧小区台账") if all_old else _("小区台账")
    title = f"{user.node_name or settings.PORTAL_TITLE}{name}"
    return _("%(title)s（筛选：%(filters)s）") % {"title": title, "filters": filters} if filters else title


def describe_filters(filterset) -> str:
    """The filters of the export as officials read them: 老旧小区=否；街道=和平里街道."""
    if filterset is None or not filterset.is_bound or not filterset.is_valid():
        return ""
    form = filterset.form
    parts = []
    for name, value in form.cleaned_data.items():
        if name == "sort" or value is None or value == "" or value == [] or value == ():
            continue
        field = form.fields[name]
        parts.append(f"{field.label}={_filter_value(field, value)}")
    return "；".join(parts)


def _filter_value(field, value) -> str:
    if isinstance(value, bool):
        return YES_TEXT if value else NO_TEXT
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    choices = {str(key): str(label) for key, label in getattr(field, "choices", ()) if key != ""}
    if isinstance(value, list | tuple):
        return "、".join(choices.get(str(item), str(item)) for item in value)
    if hasattr(value, "pk"):
        return str(value)
    return choices.get(str(value), str(value))


def _unit_line(user, cutoff: int) -> str:
    at = timezone.localtime()
    return _("填报单位：%(unit)s　　导出时间：%(at)s　　建成年份不晚于%(cutoff)s年的为老旧小区") % {
        "unit": user.node_name or _("全部"),
        "at": f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}",
        "cutoff": cutoff,
    }


YES_TEXT, NO_TEXT = "是", "否"


def _code_labels() -> tuple[dict, dict, dict, dict, dict]:
    """The labels of the coded columns (enclosure, management mode, owners'
    body, fund status, fund holder) as text, looked up once per export."""
    return tuple(
        {code: str(label) for code, label in choices.choices}
        for choices in (Enclosure, ManagementMode, OwnersBody, FundStatus, FundHolder)
    )


def _export_row(count: int, row: tuple, labels: tuple, cutoff: int) -> tuple:
    """One estate's cells, in EXPORT_HEADERS order, from its EXPORT_VALUES: exact
    values (the 万㎡ are the ㎡ divided exactly), rounded as the cells are written."""
    (
        street,
        community,
        name,
        address,
        year,
        buildings,
        households,
        area,
        encl,
        mgmt,
        body,
        fstatus,
        balance,
        holder,
        parking,
        vehicles,
        surveillance,
        fire,
        expro,
        shanty,
        dangerous,
        illegal,
        lon,
        lat,
        remarks,
    ) = row
    enclosure, mode, owners, fund_status, fund_holder = labels
    yes, no = YES_TEXT, NO_TEXT
    return (
        count,
        street,
        community,
        name,
        address,
        year,
        yes if year <= cutoff else no,
        buildings,
        households,
        area,
        area / TEN_THOUSAND,
        enclosure[encl],
        mode[mgmt],
        owners[body],
        fund_status[fstatus],
        balance,
        fund_holder[holder],
        parking,
        vehicles,
        yes if surveillance else no,
        yes if fire else no,
        yes if expro else no,
        yes if shanty else no,
        dangerous,
        illegal,
        lon,
        lat,
        remarks,
    )


def export_for_job(job, fileobj, progress):
    """The ledger export of a background job: the job's filters, re-applied
    through the requesting user's export scope."""
    user = job.requested_by
    filterset, queryset = selectors.filter_estates(
        user=user, params=QueryDict(job.params.get("query", "")), action=Action.EXPORT
    )
    rows = write_ledger(queryset, fileobj, user=user, filterset=filterset, progress=progress)
    return rows, job.params.get("filename") or export_filename(user)
