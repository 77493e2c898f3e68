"""The ledger export: the report shape officials send upward, streamed."""

from decimal import Decimal

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action
from communities import selectors
from communities.ledger_excel.columns import EXPORT_HEADERS
from communities.models import Enclosure, FundHolder, FundStatus, ManagementMode, OwnersBody
from core.xlsx import MAX_ROWS_PER_SHEET, new_workbook, report_sheet, signature_footer, totals_row

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
TOTAL_COLUMNS = {
    "楼栋数（栋）",
    "户数（户）",
    "建筑面积（㎡）",
    "建筑面积（万㎡）",
    "维修资金余额（元）",
    "停车位（个）",
    "机动车数（辆）",
    "C/D级危房（栋）",
    "待拆违建（㎡）",
}
PROGRESS_EVERY = 2000


def export_filename(user) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    unit = user.node_name if user.node_name else _("全部")
    return f"小区台账_{unit}_{stamp}.xlsx"


def write_ledger(queryset, fileobj, *, user, progress=None) -> int:
    """Stream the ledger to .xlsx in the shape officials send upward: a merged
    title, the reporting unit and date, Chinese headers with units, one row per
    estate, a 合计 row and a footer for 填报人/审核人.

    Rows come from a server-side cursor and go straight to openpyxl's write-only
    sheet, so memory stays flat whatever the row count.
    """
    cutoff = settings.OLD_ESTATE_CUTOFF_YEAR
    labels = {
        "enclosure": dict(Enclosure.choices),
        "management_mode": dict(ManagementMode.choices),
        "owners_body": dict(OwnersBody.choices),
        "fund_status": dict(FundStatus.choices),
        "fund_holder": dict(FundHolder.choices),
    }
    labels = {key: {code: str(label) for code, label in mapping.items()} for key, mapping in labels.items()}
    enclosure, mode, owners, fund_status, fund_holder = (
        labels["enclosure"],
        labels["management_mode"],
        labels["owners_body"],
        labels["fund_status"],
        labels["fund_holder"],
    )
    yes, no = "是", "否"

    workbook = new_workbook()
    rows = selectors.with_row_figures(queryset).values_list(*EXPORT_VALUES).iterator(chunk_size=PROGRESS_EVERY)
    title = f"{user.node_name or settings.PORTAL_TITLE}老旧小区台账"
    made_at = timezone.localtime()
    unit_line = _("填报单位：%(unit)s　　导出时间：%(at)s　　建成年份不晚于%(cutoff)s年的为老旧小区") % {
        "unit": user.node_name or _("全部"),
        "at": made_at.strftime("%Y年%m月%d日 %H:%M"),
        "cutoff": cutoff,
    }

    def new_sheet(number):
        return report_sheet(
            workbook,
            name="小区台账" if number == 1 else f"小区台账（{number}）",
            title=title,
            unit_line=unit_line,
            headers=[header for header, _width in EXPORT_HEADERS],
            widths=[width for _header, width in EXPORT_HEADERS],
            frozen_columns=4,  # 序号, 街道, 社区, 小区名称 stay in view
        )

    sheet_number = 0
    sheet = None
    count = 0
    in_sheet = 0
    totals = [0, 0, Decimal(0), Decimal(0), 0, 0, 0, Decimal(0)]
    for (
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
    ) in rows:
        if sheet is None or in_sheet >= MAX_ROWS_PER_SHEET:
            sheet_number += 1
            sheet = new_sheet(sheet_number)
            in_sheet = 0
        count += 1
        in_sheet += 1
        wan = round(float(area) / 10000, 4)
        sheet.append(
            (
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
                wan,
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
        )
        totals[0] += buildings
        totals[1] += households
        totals[2] += area
        if balance is not None:
            totals[3] += balance
        totals[4] += parking or 0
        totals[5] += vehicles or 0
        totals[6] += dangerous
        totals[7] += illegal
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    if sheet is None:
        sheet = new_sheet(1)
    # The 合计 row (on the last sheet) adds up every row written.
    buildings, households, area, balance, parking, vehicles, dangerous, illegal = totals
    summed = {
        "楼栋数（栋）": buildings,
        "户数（户）": households,
        "建筑面积（㎡）": area,
        "建筑面积（万㎡）": round(float(area) / 10000, 2),
        "维修资金余额（元）": balance,
        "停车位（个）": parking,
        "机动车数（辆）": vehicles,
        "C/D级危房（栋）": dangerous,
        "待拆违建（㎡）": illegal,
    }
    totals_row(sheet, ["合计", *(summed.get(header) for header, _width in EXPORT_HEADERS[1:])])
    signature_footer(sheet)
    workbook.save(fileobj)
    if progress is not None:
        progress(count)
    return count


def export_for_job(job, fileobj, progress):
    """The ledger export of a background job: the job's filters, re-applied
    through the requesting user's export scope."""
    user = job.requested_by
    _filterset, queryset = selectors.filter_estates(
        user=user, params=QueryDict(job.params.get("query", "")), action=Action.EXPORT
    )
    rows = write_ledger(queryset, fileobj, user=user, progress=progress)
    return rows, job.params.get("filename") or export_filename(user)
