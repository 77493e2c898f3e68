"""The workbook every export writes, with xlsxwriter, and the report table in it.

`ReportBook` is the only place a writing workbook is made. Its options make
xlsxwriter's generic `write()` store every str as a string (never a formula, URL
or number), and its sheets write text through `_write_text`, which also steps
round xlsxwriter's one raw path: a string that starts with "<r>" and ends with
"</r>" is taken for rich-text XML and copied into the file unescaped, so a
resident could smuggle a formula cell in through an estate name. Such text is
written as a rich string of plain runs instead, escaped like any other.

Every workbook is streamed (xlsxwriter's constant_memory): one row is kept in
memory, so rows are written top to bottom, each once.
"""

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from core.figures import TOTAL_FOOTNOTE
from core.xlsx.cells import DATE_FORMAT, DATETIME_FORMAT, Column, Formula, Kind, clean_text, column_for, display_width

MAX_ROWS_PER_SHEET = 1_000_000  # an .xlsx sheet holds 1,048,576 rows; leave room for title and totals
HEADER_ROWS = 3  # title, unit line, headers
MIN_WIDTH, MAX_WIDTH = 6, 60
LANDSCAPE_WIDTH = 100  # characters: a wider table prints landscape
A4 = 9

OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": False,
    "constant_memory": True,  # one row in memory; strings written in line, never shared
}
TITLE_FORMAT = {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}
HEADER_FORMAT = {
    "bold": True,
    "bg_color": "#DDEBF7",
    "border": 1,
    "border_color": "#999999",
    "align": "center",
    "valign": "vcenter",
    "text_wrap": True,
}
TOTALS_FORMAT = {"bold": True, "border": 1, "border_color": "#999999"}
PLAIN_FORMAT = {"align": "left"}  # the unit line and notes: text, whatever the column's number format
BOLD_FORMAT = {"bold": True}


def column_letter(index: int) -> str:
    """A column's letters from its index: 0 → A, 26 → AA."""
    return xl_col_to_name(index)


def today_cn() -> str:
    """2026年3月5日, as CONVENTIONS.md shows dates (no leading zeros)."""
    day = timezone.localdate()
    return f"{day.year}年{day.month}月{day.day}日"


def _write_text(worksheet, row: int, col: int, text: str, cell_format=None) -> None:
    """A str into a cell as a string, exactly as typed (see the module's docstring)."""
    if text.startswith("<r>") and text.endswith("</r>"):
        # Three plain runs (xlsxwriter wants more than two fragments); each is escaped.
        worksheet.write_rich_string(row, col, text[:1], text[1:2], text[2:], *([cell_format] if cell_format else []))
    else:
        worksheet.write_string(row, col, text, cell_format)


EXCEL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")


class _Worksheet(Worksheet):
    """xlsxwriter's worksheet, but a carriage return in text is written as the XML
    character reference `&#13;` rather than Excel's `_x000D_` escape: Excel reads
    both, openpyxl (our imports) only the first, so an exported remark typed in a
    browser (CRLF) imports back exactly as it is stored. The other control
    characters never get here (clean_text drops them). The two overrides are
    xlsxwriter's own (3.3.1, pinned), less the CR."""

    @staticmethod
    def _escape_control_characters(data):
        try:
            return EXCEL_ESCAPE.sub(r"_x005F\1", data)  # a typed "_x0041_" stays text in Excel
        except TypeError:
            return data

    def _escape_data(self, data):
        data = super()._escape_data(data)
        if data.__class__ is str and "\r" in data:
            data = data.replace("\r", "&#13;")
        return data


class ReportBook:
    """An .xlsx being written into `fileobj`; `close()` (or the `with` block) finishes it."""

    def __init__(self, fileobj):
        self._book = xlsxwriter.Workbook(fileobj, OPTIONS)
        self._formats = {}

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is None:
            self.close()
        else:
            self._book.fileclosed = True  # nothing to save; no destructor warning either

    def close(self) -> None:
        self._book.close()

    def format(self, **properties):
        """A cell format, made once per set of properties."""
        key = tuple(sorted(properties.items()))
        made = self._formats.get(key)
        if made is None:
            made = self._formats[key] = self._book.add_format(properties)
        return made

    def _worksheet(self, name: str):
        return self._book.add_worksheet(name[:31], worksheet_class=_Worksheet)

    def sheet(self, name: str, *, widths=()) -> "PlainSheet":
        """A sheet of free rows: a cover, a template, a list of options."""
        return PlainSheet(self, self._worksheet(name), widths=widths)

    def table(
        self,
        *,
        name: str,
        title: str,
        unit_line: str,
        columns,
        frozen_columns: int = 0,
        max_rows: int | None = None,
    ) -> "ReportTable":
        """A table in the report shape, its sheet (and its continuations) made now."""
        return ReportTable(
            self,
            name=name,
            title=title,
            unit_line=unit_line,
            columns=columns,
            frozen_columns=frozen_columns,
            max_rows=max_rows or MAX_ROWS_PER_SHEET,
        )


def new_workbook(fileobj) -> ReportBook:
    """The workbook every export and template starts from, streamed: memory stays
    flat, and each sheet is written top to bottom, each row once."""
    return ReportBook(fileobj)


class PlainSheet:
    """Rows written one after another, each value typed by what it is: str as
    text, Decimal and int as numbers, dates as dates, `Formula` as a formula."""

    def __init__(self, book: ReportBook, worksheet, *, widths=()):
        self.book = book
        self.worksheet = worksheet
        self.row = 0
        for index, width in enumerate(widths):
            worksheet.set_column(index, index, width)

    def write(self, row: int, col: int, value, cell_format=None) -> None:
        sheet = self.worksheet
        if value is None or value == "":
            if cell_format is not None:
                sheet.write_blank(row, col, None, cell_format)
        elif isinstance(value, str):
            _write_text(sheet, row, col, clean_text(value), cell_format)
        elif isinstance(value, Formula):
            sheet.write_formula(row, col, value.text, cell_format)
        elif isinstance(value, bool | float):
            raise TypeError(f"write figures as Decimal or int, not {value!r}")
        elif isinstance(value, Decimal | int):
            sheet.write_number(row, col, value, cell_format)
        elif isinstance(value, date):
            if isinstance(value, datetime) and timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            number_format = DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
            sheet.write_datetime(row, col, value, cell_format or self.book.format(num_format=number_format))
        else:  # lazy translations and the like
            _write_text(sheet, row, col, clean_text(value), cell_format)

    def append(self, values=(), cell_format=None) -> int:
        """Write `values` on the next row (an empty row for none); returns its index."""
        row = self.row
        for col, value in enumerate(values):
            self.write(row, col, value, cell_format)
        self.row += 1
        return row


class ReportTable:
    """A table in the report shape officials send upward (CONVENTIONS.md): a
    merged title row, the unit line (填报单位, 日期), bold headers with their units,
    one row per item, a 合计 row, the footnote when the rounded rows do not add
    up to it, and the 填报人/审核人 footer. Past `max_rows` rows it goes on in a
    further sheet named after the first, （2）, （3）…, each with the same head.

    Rows hold exact values; each cell is rounded by its column's kind as it is
    written. For the columns declared `total=True` the table adds up the exact
    values (`sums`) and the rounded ones, so the 合计 is the rounded exact total
    and the footnote says so when the shown rows add up to something else.

    Printed, a table fits one page wide (landscape when wide), the header row
    repeats on every page, and the panes are frozen under it.
    """

    def __init__(self, book: ReportBook, *, name, title, unit_line, columns, frozen_columns, max_rows):
        self.book = book
        self.columns = [column if isinstance(column, Column) else column_for(column) for column in columns]
        self.name, self.title, self.unit_line = str(name), str(title), str(unit_line)
        self.frozen_columns = frozen_columns
        self.max_rows = max_rows
        self.widths = [
            column.width or min(MAX_WIDTH, max(MIN_WIDTH, display_width(column.header) + 2)) for column in self.columns
        ]
        self.sheets = 0
        self.rows = 0  # data rows written, on every sheet
        self.summed = tuple(column.total for column in self.columns)
        self.sums = [(Decimal(0) if column.kind.places else 0) if column.total else None for column in self.columns]
        self.shown_sums = list(self.sums)
        self.footnoted = False
        self._column_formats = [
            book.format(num_format=column.kind.number_format) if column.kind.number_format else None
            for column in self.columns
        ]
        self._new_sheet()

    # --- the head of each sheet ------------------------------------------------------------

    def _new_sheet(self) -> None:
        self.sheets += 1
        name = self.name if self.sheets == 1 else f"{self.name}（{self.sheets}）"
        sheet = self.book._worksheet(name)
        for index, (width, column_format) in enumerate(zip(self.widths, self._column_formats, strict=True)):
            sheet.set_column(index, index, width, column_format)
        last = len(self.columns) - 1
        sheet.set_row(0, 30)
        self._merged(sheet, 0, last, self.title, self.book.format(**TITLE_FORMAT))
        self._merged(sheet, 1, last, self.unit_line, self.book.format(**PLAIN_FORMAT))
        header = self.book.format(**HEADER_FORMAT)
        for col, column in enumerate(self.columns):
            _write_text(sheet, 2, col, clean_text(column.header), header)
        self._print_setup(sheet)
        self.worksheet = sheet
        self.row = HEADER_ROWS
        self.in_sheet = 0
        self._writers = [self._writer(sheet, column.kind) for column in self.columns]

    def _merged(self, sheet, row: int, last: int, text: str, cell_format) -> None:
        if last > 0:
            sheet.merge_range(row, 0, row, last, "", cell_format)
        _write_text(sheet, row, 0, clean_text(text), cell_format)

    def _print_setup(self, sheet) -> None:
        sheet.set_paper(A4)
        if sum(self.widths) > LANDSCAPE_WIDTH:
            sheet.set_landscape()
        sheet.fit_to_pages(1, 0)  # one page wide, as many long as it takes
        sheet.repeat_rows(HEADER_ROWS - 1)
        sheet.freeze_panes(HEADER_ROWS, self.frozen_columns)
        sheet.hide_gridlines(0)  # print the grid: data cells have no borders of their own
        sheet.center_horizontally()
        sheet.set_footer("&C" + _("第 &P 页，共 &N 页"))

    @staticmethod
    def _writer(sheet, kind: Kind):
        """The function that writes one value of `kind` and returns it as shown.
        The ledger export calls it for every cell, so the common cases (text,
        int, Decimal) take a few lines and xlsxwriter's undecorated methods (the
        public ones only convert "A1" notation first; pinned in requirements.txt);
        the column's format is the cell's."""
        write_string = getattr(sheet, "_write_string", sheet.write_string)
        write_number = getattr(sheet, "_write_number", sheet.write_number)
        if kind.text:

            def put_text(row, col, value):
                if value.__class__ is not str:
                    if isinstance(value, Formula):
                        sheet.write_formula(row, col, value.text)
                        return None
                    value = str(value)
                if not value.isprintable():
                    value = clean_text(value)
                if value.startswith("<r>") and value.endswith("</r>"):
                    _write_text(sheet, row, col, value)
                else:
                    write_string(row, col, value)
                return value

            return put_text
        if kind.date:

            def put_date(row, col, value):
                value = kind.shown(value)
                sheet.write_datetime(row, col, value)
                return value

            return put_date
        unit, places = kind.unit, kind.places

        def put_number(row, col, value):
            cls = value.__class__
            if cls is Decimal and places:
                value = value.quantize(unit, rounding=ROUND_HALF_UP)
                if not value:
                    value = abs(value)  # -0.00 shows as 0.00
            elif cls is not int:
                if isinstance(value, Formula):
                    sheet.write_formula(row, col, value.text)
                    return None
                value = kind.shown(value)
            write_number(row, col, value)
            return value

        return put_number

    # --- rows ------------------------------------------------------------------------------

    def append(self, values) -> None:
        """One row of exact values in column order (None or "" for an empty cell)."""
        if self.in_sheet >= self.max_rows:
            self._new_sheet()
        row, writers, summed, sums, shown_sums = self.row, self._writers, self.summed, self.sums, self.shown_sums
        for col, value in enumerate(values):
            if value is None or (value.__class__ is str and not value):
                continue
            shown = writers[col](row, col, value)
            if summed[col]:
                sums[col] += value
                shown_sums[col] += shown
        self.row = row + 1
        self.in_sheet += 1
        self.rows += 1

    def sums_row(self, cells: dict | None = None, *, label=None) -> list:
        """The 合计 row's exact values: the label, each total column's exact sum,
        blanks elsewhere, then `cells` ({column index: value}) over them."""
        values = [label or _("合计"), *self.sums[1:]]
        for index, value in (cells or {}).items():
            values[index] = value
        return values

    def write_totals(self, values=None) -> None:
        """The 合计 row, bold and boxed: `values` (exact, in column order, starting
        with the label) or `sums_row()`. Each figure is rounded like the rows; where
        a total column's rounded rows add up to something else than its rounded
        total, the customary footnote follows the row."""
        values = list(self.sums_row() if values is None else values)
        values += [None] * (len(self.columns) - len(values))
        sheet, row = self.worksheet, self.row
        for col, (column, value) in enumerate(zip(self.columns, values, strict=True)):
            kind = column.kind
            number_format = {"num_format": kind.number_format} if kind.number_format else {}
            cell_format = self.book.format(**TOTALS_FORMAT, **number_format)
            if value is None or (isinstance(value, str) and not value):
                sheet.write_blank(row, col, None, cell_format)
                continue
            if isinstance(value, str) or kind.text:
                _write_text(sheet, row, col, clean_text(value), cell_format)
                continue
            shown = kind.shown(value)
            if kind.date:
                sheet.write_datetime(row, col, shown, cell_format)
            else:
                sheet.write_number(row, col, shown, cell_format)
            if column.total and self.rows and shown != self.shown_sums[col]:
                self.footnoted = True
        self.row += 1
        if self.footnoted:
            self.note(TOTAL_FOOTNOTE)

    def note(self, text) -> None:
        """A line of text under the table (a footnote)."""
        _write_text(self.worksheet, self.row, 0, clean_text(text), self.book.format(**PLAIN_FORMAT))
        self.row += 1

    def signature_footer(self) -> None:
        """A blank row, then 填报人 / 审核人 / 填报日期 for the signatures."""
        self._footer(_("填报人："), _("审核人："))

    def approval_footer(self) -> None:
        """The footer of a list that pays out money: 审批人 signs as well."""
        self._footer(_("填报人："), _("审核人："), _("审批人："))

    def _footer(self, *roles) -> None:
        self.row += 1
        blank = "　" * 10
        self.note(blank.join(roles) + blank + _("填报日期：") + today_cn())
