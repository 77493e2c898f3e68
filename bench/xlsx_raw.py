"""The baseline of the export benchmarks: xlsxwriter alone, in constant-memory
mode with the same options, writing the same cells from tuples already in
memory — the figures already rounded and typed as the export writes them, each
column in its number format — and nothing else (no title, no totals)."""

import resource
import tempfile
import time
from pathlib import Path

import xlsxwriter

from core.xlsx.book import OPTIONS


def cells_as_written(rows, columns) -> list[tuple]:
    """The exact rows as the export's cells hold them (done before the clock starts)."""
    return [
        tuple(
            value if value is None or isinstance(value, str) else column.kind.shown(value)
            for column, value in zip(columns, row, strict=True)
        )
        for row in rows
    ]


def write_raw(sheets) -> float:
    """Seconds xlsxwriter takes to write `sheets`: [(name, columns, rows of cells)]."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as handle:
        book = xlsxwriter.Workbook(handle, OPTIONS)
        formats = {}
        for name, columns, rows in sheets:
            sheet = book.add_worksheet(name[:31])
            for index, column in enumerate(columns):
                number_format = column.kind.number_format
                if number_format and number_format not in formats:
                    formats[number_format] = book.add_format({"num_format": number_format})
                sheet.set_column(index, index, column.width or 10, formats.get(number_format))
            for number, row in enumerate(rows):
                sheet.write_row(number, 0, row)
        book.close()
    return time.perf_counter() - started


def peak_mb() -> float:
    """This process's peak resident memory since it started, in MB.

    /proc/self/status's VmHWM belongs to the process's own address space, which
    exec() replaces; ru_maxrss would also count the parent's resident set at the
    moment it spawned the measured process (Linux carries it across exec), so a
    parent holding the baseline's tuples would inflate the child's figure."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
