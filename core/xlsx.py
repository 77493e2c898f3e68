"""The shape of every report the portal writes to Excel, in one place.

Officials send reports upward in a fixed shape (CONVENTIONS.md "Report shape"):
a merged title row, a line with the reporting unit and date, Chinese headers
with their units, numbers as numbers, a 合计 row and a footer for 填报人/审核人.
Every export builds its sheets with these functions, in openpyxl's write-only
mode so that memory stays flat however many rows follow.

    workbook = new_workbook()
    sheet = report_sheet(workbook, name="按街道", title="…", unit_line="…", headers=[…])
    for row in rows:
        sheet.append(row)
    totals_row(sheet, ["合计", "", 12, Decimal("3.40")])
    signature_footer(sheet)
    workbook.save(handle)

Text typed by a user is never a formula. openpyxl writes any str that starts
with "=" as a formula (and "#N/A" and its kin as error values), so an estate
named `=HYPERLINK("http://…","x")` would become a live link in the clerk's
Excel. Every workbook the portal writes is made by `new_workbook()`, whose
sheets store every str as text, exactly as typed; a formula the portal means
to write must be wrapped in `Formula`, so none can appear by accident.

Imports read uploads through core.xlsx_import, which bounds what openpyxl reads.
"""

import tempfile
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from inspect import isgenerator

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

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


# --- Cells: text stays text -------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A formula the portal writes on purpose, e.g. `Formula("=SUM(D4:D20)")`.

    The only way a cell becomes a formula: a str never does, whatever it starts
    with. Never build one from user data."""

    text: str

    def __post_init__(self):
        if not self.text.startswith("=") or len(self.text) < 2:
            raise ValueError(f"a formula starts with '=': {self.text!r}")


class TextCell(Cell):
    """A cell that stores every str as text, exactly as typed.

    openpyxl infers the type from the value: "=…" becomes a formula and
    "#N/A", "#REF!"… error values. Here a str stays a string cell (Excel shows
    it as typed and never evaluates it); only a `Formula` is a formula. The
    few control characters XML cannot carry (not tab, CR or LF) are dropped,
    where openpyxl would refuse the whole export."""

    __slots__ = ()

    def _bind_value(self, value):
        if isinstance(value, Formula):
            self._value = value.text
            self.data_type = "f"
            return
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        super()._bind_value(value)
        if isinstance(value, str) and self.data_type != "s":
            self.data_type = "s"


def cell(sheet, value=None, *, font=None, fill=None, border=None, alignment=None, number_format=None) -> TextCell:
    """A styled cell for `sheet.append([...])`; text in it stays text."""
    made = TextCell(sheet, row=1, column=1, value=value)
    if font is not None:
        made.font = font
    if fill is not None:
        made.fill = fill
    if border is not None:
        made.border = border
    if alignment is not None:
        made.alignment = alignment
    if number_format is not None:
        made.number_format = number_format
    return made


def _text_cell(sheet, value):
    """What `append` writes for `value`: str and Formula in a TextCell, other
    values (numbers, dates, None) as they are. A cell made elsewhere might
    already hold a formula, so only TextCells are taken."""
    if isinstance(value, TextCell):
        return value
    if isinstance(value, Cell):
        raise TypeError("build cells with core.xlsx.cell(), so that text stays text")
    if isinstance(value, str):
        if value[:1] != "=" and value not in ERROR_CODES and not ILLEGAL_CHARACTERS_RE.search(value):
            return value  # openpyxl writes it as text already; a TextCell per value costs a fifth more time
        return TextCell(sheet, row=1, column=1, value=value)
    if isinstance(value, Formula):
        return TextCell(sheet, row=1, column=1, value=value)
    return value


class TextWriteOnlyWorksheet(WriteOnlyWorksheet):
    """A write-only sheet whose `append` stores text as text."""

    def append(self, row):
        if isinstance(row, list | tuple | range) or isgenerator(row):
            row = [_text_cell(self, value) for value in row]
        super().append(row)


class TextWorksheet(Worksheet):
    """A sheet kept in memory (templates with drop-downs and comments) in which
    every cell, however it is reached (`append`, `cell()`, `sheet["A1"]`), is a
    TextCell."""

    def _get_cell(self, row, column):
        if not 0 < row < 1048577:
            raise ValueError(f"Row numbers must be between 1 and 1048576. Row number supplied was {row}")
        if (row, column) not in self._cells:
            self._add_cell(TextCell(self, row=row, column=column))
        return self._cells[(row, column)]

    def append(self, iterable):
        if isinstance(iterable, dict):
            row = self._current_row + 1
            for column, value in iterable.items():
                if isinstance(column, str):
                    column = column_index_from_string(column)
                self._get_cell(row, column).value = value
            self._current_row = row
            return
        if isinstance(iterable, list | tuple | range) or isgenerator(iterable):
            # Every value in a cell of its own (None too), so that a later
            # `sheet.cell(…).value = text` finds a TextCell there.
            iterable = [
                _text_cell(self, value) if isinstance(value, Cell) else TextCell(self, row=1, column=1, value=value)
                for value in iterable
            ]
        super().append(iterable)


class TextWorkbook(Workbook):
    """A workbook whose sheets store text as text (see TextCell)."""

    def __init__(self, write_only=False, iso_dates=False):
        super().__init__(write_only=write_only, iso_dates=iso_dates)
        if not write_only:
            self._sheets[0] = TextWorksheet(self)

    def create_sheet(self, title=None, index=None):
        sheet = (TextWriteOnlyWorksheet if self.write_only else TextWorksheet)(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        return sheet


def new_workbook(*, write_only: bool = True) -> TextWorkbook:
    """The workbook every export and template starts from: write-only (memory
    stays flat) unless it needs drop-downs or comments."""
    return TextWorkbook(write_only=write_only)


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
    if not isinstance(workbook, TextWorkbook):
        raise TypeError("start the workbook with core.xlsx.new_workbook(), so that text stays text")
    headers = [str(header) for header in headers]
    sheet = workbook.create_sheet(title=name[:31])
    for index, width in enumerate(widths or fitted_widths(headers), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    last = get_column_letter(max(1, len(headers)))
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.merged_cells.add(f"A2:{last}2")
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{HEADER_ROWS + 1}"
    sheet.print_title_rows = f"{HEADER_ROWS}:{HEADER_ROWS}"
    sheet.append([cell(sheet, title, font=TITLE_FONT, alignment=TITLE_ALIGNMENT)])
    sheet.append([unit_line])
    sheet.append(
        [cell(sheet, header, font=HEADER_FONT, fill=HEADER_FILL, border=BORDER, alignment=CENTER) for header in headers]
    )
    return sheet


def totals_row(sheet, values) -> None:
    """The 合计 row: bold and boxed. `values` are the cells in column order,
    starting with the label."""
    sheet.append([cell(sheet, value, font=HEADER_FONT, border=BORDER) for value in values])


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
