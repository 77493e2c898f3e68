"""Helpers to build .xlsx files the way clerks fill them in."""

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from communities.ledger_excel import IMPORT_COLUMNS
from core.figures import round_to

HEADERS = [c.header for c in IMPORT_COLUMNS]


def ledger_row(street, community, name, **values):
    row = {
        "街道": street,
        "社区": community,
        "小区名称": name,
        "建成年份": 1990,
        "户数（户）": 100,
        "建筑面积（㎡）": 8000,
        "管理模式": "业主自治",
    }
    row.update(values)
    return row


def xlsx_bytes(rows, headers=HEADERS, title_rows=()):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "小区台账"
    for title in title_rows:
        sheet.append([title])
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_xlsx(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    return workbook


# --- reading exports back ---------------------------------------------------------------

FOOTNOTE = "合计数据按未经四舍五入的数据计算，与分项之和可能略有差异。"


def content_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@dataclass
class ReadReport:
    """A report sheet read back with openpyxl: its cells, not only their values."""

    sheet: object
    title: str
    unit: str
    headers: list
    data: list  # rows of cells between the headers and the 合计
    totals: list  # the 合计 row's cells
    after: list  # rows of cells under the 合计

    def column(self, header) -> list:
        index = self.headers.index(header)
        return [row[index].value for row in self.data]

    def total(self, header):
        return self.totals[self.headers.index(header)].value

    @property
    def footnoted(self) -> bool:
        return any(cell.value == FOOTNOTE for row in self.after for cell in row)

    @property
    def signed_by(self) -> str:
        return " ".join(str(cell.value) for row in self.after for cell in row if cell.value)


def read_report(content, sheet_name=None) -> ReadReport:
    book = load_workbook(io.BytesIO(content)) if isinstance(content, bytes) else content
    sheet = book[sheet_name] if sheet_name else book.active
    rows = [list(row) for row in sheet.iter_rows()]
    end = next(i for i, row in enumerate(rows) if row[0].value == "合计")
    width = len([c for c in rows[2] if c.value is not None])
    return ReadReport(
        sheet=sheet,
        title=rows[0][0].value,
        unit=rows[1][0].value,
        headers=[c.value for c in rows[2][:width]],
        data=[row[:width] + [None] * (width - len(row)) for row in rows[3:end]],
        totals=rows[end][:width],
        after=rows[end + 1 :],
    )


def as_decimal(value) -> Decimal:
    """A number read back from the sheet as the Decimal Excel shows."""
    return Decimal(str(value))


def assert_report_shape(report: ReadReport, *, landscape: bool, frozen_columns: int = 0) -> None:
    """Merged title and unit line, header repeated on every page, panes frozen under
    it, one page wide (landscape when wide), the 合计 bold and boxed."""
    sheet = report.sheet
    last = get_column_letter(len(report.headers))
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert f"A1:{last}1" in merged and f"A2:{last}2" in merged, merged
    assert sheet.freeze_panes == f"{get_column_letter(frozen_columns + 1)}4"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == ("landscape" if landscape else "portrait")
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1) and int(sheet.page_setup.fitToHeight) == 0
    assert report.totals[0].value == "合计" and report.totals[0].font.b


def assert_cells_typed(report: ReadReport, columns) -> None:
    """Every cell is what its column's kind says: numbers are numbers in the kind's
    format and rounded to its unit, dates real dates, codes and text strings."""
    assert [str(c.header) for c in columns] == [str(h) for h in report.headers]
    for row in [*report.data, report.totals]:
        for cell, column in zip(row, columns, strict=True):
            if cell is None or cell.value is None:
                continue
            kind, where = column.kind, f"{column.header} {cell.coordinate}"
            if isinstance(cell.value, str):
                assert cell.data_type == "s", where
                assert kind.text or row is report.totals, (where, cell.value)
                if kind.number_format and row is not report.totals:
                    assert cell.number_format == kind.number_format, where  # a code stays text when edited
            elif kind.date:
                assert isinstance(cell.value, datetime), where
                assert cell.number_format == kind.number_format, where
            else:
                assert not kind.text, (where, cell.value)
                assert cell.data_type == "n" and isinstance(cell.value, int | float), where
                assert cell.number_format == kind.number_format, where
                assert as_decimal(cell.value) == round_to(as_decimal(cell.value), kind.places), where


def assert_total_is_rounded_exact_sum(report: ReadReport, header, exact, places: int = 2) -> None:
    """The 合计 of `header` is the exact total rounded once; where the shown rows add
    up to something else, the footnote says so."""
    total = report.total(header)
    assert as_decimal(total) == round_to(exact, places), (header, total, exact)
    shown = sum((as_decimal(v) for v in report.column(header) if v is not None), Decimal(0))
    if shown != as_decimal(total):
        assert report.footnoted, (header, shown, total)
