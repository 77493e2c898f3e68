"""The shape and the writer of every .xlsx the portal makes, in one place.

Officials send reports upward in a fixed shape (CONVENTIONS.md "Report shape"):
a merged title row, a line with the reporting unit and date, Chinese headers
with their units, numbers as numbers, a 合计 row and a footer for 填报人/审核人.
Every export writes its tables with `ReportTable`, through xlsxwriter in
constant-memory mode, so memory stays flat however many rows follow:

    with new_workbook(handle) as book:
        table = book.table(name="按街道", title="…", unit_line="…", columns=[
            Column("街道", TEXT, 14),
            Column("户数（户）", COUNT, total=True),
            Column("建筑面积（万㎡）", WAN, total=True),
        ])
        for street, households, area in rows:
            table.append([street, households, area / TEN_THOUSAND])  # exact values
        table.write_totals()  # the rounded exact totals, and the footnote if the rows differ
        table.signature_footer()

Figures go in exact (Decimal, int, Fraction; a float is refused) and are
rounded once, half up, to their column's unit as they are written (cells.py).

Text typed by a user is never a formula: every str is written as a string, and
a formula the portal means to write must be wrapped in `Formula`. Only this
package makes writing workbooks (a test holds every other module to it);
openpyxl is for reading: imports go through core.xlsx_import, which bounds what
it reads.
"""

import tempfile

from django.http import FileResponse

from core.xlsx.book import (
    BOLD_FORMAT,
    HEADER_FORMAT,
    HEADER_ROWS,
    MAX_ROWS_PER_SHEET,
    TITLE_FORMAT,
    PlainSheet,
    ReportBook,
    ReportTable,
    column_letter,
    new_workbook,
    today_cn,
)
from core.xlsx.cells import (
    AREA,
    CODE,
    COORDINATE,
    COUNT,
    DATE,
    DATE_FORMAT,
    DATETIME,
    DATETIME_FORMAT,
    INTEGER,
    PERCENT,
    SHARE,
    TEXT,
    WAN,
    YUAN,
    Column,
    Formula,
    Kind,
    clean_text,
    column_for,
    decimal_kind,
    display_width,
    fitted_widths,
    rounded,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

__all__ = [
    "AREA",
    "CODE",
    "COORDINATE",
    "COUNT",
    "DATE",
    "DATETIME",
    "DATETIME_FORMAT",
    "BOLD_FORMAT",
    "DATE_FORMAT",
    "HEADER_FORMAT",
    "HEADER_ROWS",
    "INTEGER",
    "MAX_ROWS_PER_SHEET",
    "PERCENT",
    "SHARE",
    "TEXT",
    "TITLE_FORMAT",
    "WAN",
    "XLSX",
    "YUAN",
    "Column",
    "Formula",
    "Kind",
    "PlainSheet",
    "ReportBook",
    "ReportTable",
    "clean_text",
    "column_for",
    "column_letter",
    "decimal_kind",
    "display_width",
    "fitted_widths",
    "new_workbook",
    "rounded",
    "today_cn",
    "xlsx_download",
]


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
