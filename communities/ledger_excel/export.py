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
    labels = _code_labels()
    workbook = new_workbook()
    rows = selectors.with_row_figures(queryset).values_list(*EXPORT_VALUES).iterator(chunk_size=PROGRESS_EVERY)
    sheets = _LedgerSheets(workbook, user=user, cutoff=cutoff)
    count = 0
    totals = [0, 0, Decimal(0), Decimal(0), 0, 0, 0, Decimal(0)]
    for row in rows:
        sheet = sheets.for_next_row()
        count += 1
        sheet.append(_export_row(count, row, labels, cutoff))
        _add_to_totals(totals, row)
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    sheet = sheets.last()
    # The 合计 row (on the last sheet) adds up every row written.
    totals_row(sheet, _totals_cells(totals))
    signature_footer(sheet)
    workbook.save(fileobj)
    if progress is not None:
        progress(count)
    return count


YES_TEXT, NO_TEXT = "是", "否"


def _code_labels() -> tuple[dict, dict, dict, dict, dict]:
    """The labels of the coded columns (enclosure, management mode, owners'
    body, fund status, fund holder) as text, looked up once per export."""
    return tuple(
        {code: str(label) for code, label in choices.choices}
        for choices in (Enclosure, ManagementMode, OwnersBody, FundStatus, FundHolder)
    )


class _LedgerSheets:
    """The export's sheets, all in the report shape: the first one when the
    first row comes, another every MAX_ROWS_PER_SHEET rows."""

    def __init__(self, workbook, *, user, cutoff: int):
        self.workbook = workbook
        self.title = f"{user.node_name or settings.PORTAL_TITLE}老旧小区台账"
        made_at = timezone.localtime()
        self.unit_line = _("填报单位：%(unit)s　　导出时间：%(at)s　　建成年份不晚于%(cutoff)s年的为老旧小区") % {
            "unit": user.node_name or _("全部"),
            "at": made_at.strftime("%Y年%m月%d日 %H:%M"),
            "cutoff": cutoff,
        }
        self.number = 0
        self.sheet = None
        self.in_sheet = 0

    def _new_sheet(self, number: int):
        return report_sheet(
            self.workbook,
            name="小区台账" if number == 1 else f"小区台账（{number}）",
            title=self.title,
            unit_line=self.unit_line,
            headers=[header for header, _width in EXPORT_HEADERS],
            widths=[width for _header, width in EXPORT_HEADERS],
            frozen_columns=4,  # 序号, 街道, 社区, 小区名称 stay in view
        )

    def for_next_row(self):
        if self.sheet is None or self.in_sheet >= MAX_ROWS_PER_SHEET:
            self.number += 1
            self.sheet = self._new_sheet(self.number)
            self.in_sheet = 0
        self.in_sheet += 1
        return self.sheet

    def last(self):
        """The sheet the 合计 goes on (an empty first sheet when there were no rows)."""
        if self.sheet is None:
            self.sheet = self._new_sheet(1)
        return self.sheet


def _export_row(count: int, row: tuple, labels: tuple, cutoff: int) -> tuple:
    """One estate's cells, in EXPORT_HEADERS order, from its EXPORT_VALUES."""
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
        round(float(area) / 10000, 4),
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


def _add_to_totals(totals: list, row: tuple) -> None:
    """Add one estate's summed figures (positions in EXPORT_VALUES) to the running totals."""
    buildings, households, area = row[5:8]  # building_count, households, floor_area
    balance, _holder, parking, vehicles = row[12:16]  # fund_balance, fund_holder, parking_spaces, vehicles
    dangerous, illegal = row[20:22]  # dangerous_buildings, illegal_area_pending
    totals[0] += buildings
    totals[1] += households
    totals[2] += area
    if balance is not None:
        totals[3] += balance
    totals[4] += parking or 0
    totals[5] += vehicles or 0
    totals[6] += dangerous
    totals[7] += illegal


def _totals_cells(totals: list) -> list:
    """The 合计 row's cells: the running totals under their columns, blanks elsewhere."""
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
    return ["合计", *(summed.get(header) for header, _width in EXPORT_HEADERS[1:])]


def export_for_job(job, fileobj, progress):
    """The ledger export of a background job: the job's filters, re-applied
    through the requesting user's export scope."""
    user = job.requested_by
    _filterset, queryset = selectors.filter_estates(
        user=user, params=QueryDict(job.params.get("query", "")), action=Action.EXPORT
    )
    rows = write_ledger(queryset, fileobj, user=user, progress=progress)
    return rows, job.params.get("filename") or export_filename(user)
