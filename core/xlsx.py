"""The shape of every report the portal writes to Excel, in one place.

Officials send reports upward in a fixed shape (CONVENTIONS.md "Report shape"):
a merged title row, a line with the reporting unit and date, Chinese headers
with their units, numbers as numbers, a 合计 row and a footer for 填报人/审核人.
Every export builds its sheets with these functions, in openpyxl's write-only
mode so that memory stays flat however many rows follow.

    workbook = Workbook(write_only=True)
    sheet = report_sheet(workbook, name="按街道", title="…", unit_line="…", headers=[…])
    for row in rows:
        sheet.append(row)
    totals_row(sheet, ["合计", "", 12, Decimal("3.40")])
    signature_footer(sheet)
    workbook.save(handle)
"""

import tempfile
import unicodedata
from decimal import Decimal

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS_PER_SHEET = 1_000_000  # an .xlsx sheet holds 1,048,576 rows; leave room for title and totals
HEADER_ROWS = 3  # title, unit line, headers

TITLE_FONT = Font(bold=True, size=16)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
TITLE_ALIGNMENT = Alignment(horizontal="center", vertical="center")

MIN_WIDTH, MAX_WIDTH = 6, 60


def display_width(value) -> int:
    """Columns a value takes in Excel's default font: CJK characters count two."""
    if value is None:
        return 0
    if isinstance(value, Decimal | float):
        text = f"{value:,.2f}"
    else:
        text = str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def fitted_widths(headers, rows=(), *, sample: int = 2000) -> list[float]:
    """Column widths that fit the headers and the first `sample` rows."""
    widths = [display_width(header) for header in headers]
    for number, row in enumerate(rows):
        if number >= sample:
            break
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], display_width(value))
    return [min(MAX_WIDTH, max(MIN_WIDTH, width + 2)) for width in widths]


def today_cn() -> str:
    """2026年3月5日, as CONVENTIONS.md shows dates (no leading zeros)."""
    day = timezone.localdate()
    return f"{day.year}年{day.month}月{day.day}日"


def report_sheet(workbook, *, name: str, title: str, unit_line: str, headers, widths=None, frozen_columns: int = 0):
    """A new write-only sheet with the title, unit line and header rows written,
    column widths set (fitted to the headers unless `widths` is given), the
    header rows frozen together with `frozen_columns` label columns, and the
    header repeated on every printed page."""
    headers = [str(header) for header in headers]
    sheet = workbook.create_sheet(title=name[:31])
    for index, width in enumerate(widths or fitted_widths(headers), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    last = get_column_letter(max(1, len(headers)))
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.merged_cells.add(f"A2:{last}2")
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{HEADER_ROWS + 1}"
    sheet.print_title_rows = f"{HEADER_ROWS}:{HEADER_ROWS}"
    title_cell = WriteOnlyCell(sheet, value=title)
    title_cell.font = TITLE_FONT
    title_cell.alignment = TITLE_ALIGNMENT
    sheet.append([title_cell])
    sheet.append([unit_line])
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = CENTER
        cells.append(cell)
    sheet.append(cells)
    return sheet


def totals_row(sheet, values) -> None:
    """The 合计 row: bold and boxed. `values` are the cells in column order,
    starting with the label."""
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = HEADER_FONT
        cell.border = BORDER
        cells.append(cell)
    sheet.append(cells)


def signature_footer(sheet) -> None:
    """A blank row, then 填报人 / 审核人 / 填报日期 for the signatures."""
    sheet.append([])
    sheet.append([_("填报人：") + "　" * 10 + _("审核人：") + "　" * 10 + _("填报日期：") + today_cn()])


def approval_footer(sheet) -> None:
    """The footer of a list that pays out money: 审批人 signs as well."""
    sheet.append([])
    sheet.append(
        [
            _("填报人：")
            + "　" * 10
            + _("审核人：")
            + "　" * 10
            + _("审批人：")
            + "　" * 10
            + _("填报日期：")
            + today_cn()
        ]
    )


def sum_columns(rows, first_numeric: int, width: int, label=None) -> list:
    """A 合计 row for `rows`: the label, blanks up to `first_numeric`, then the
    sum of every column whose values are all numbers (blank otherwise)."""
    totals = [label or _("合计")] + [""] * (first_numeric - 1)
    for index in range(first_numeric, width):
        values = [row[index] for row in rows if row[index] is not None and row[index] != ""]
        if values and all(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in values):
            totals.append(sum(values, Decimal(0) if any(isinstance(v, Decimal) for v in values) else 0))
        else:
            totals.append(0 if not rows else "")
    return totals


def xlsx_download(write, *, filename: str) -> FileResponse:
    """Write a workbook into a temporary file and send it with an RFC 5987
    Chinese file name. `write(handle)` writes the .xlsx into `handle`."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    try:
        write(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)
