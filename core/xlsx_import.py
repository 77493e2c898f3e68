"""Reading an uploaded .xlsx for an import, no further than the limits allow.

openpyxl reads what a file says: a sheet declaring A1:XFD1048576, a cell at
XFD1048576, rows of 16,384 cells, a million shared strings or cell formats, a
zip bomb. Each held a worker for seconds to minutes on a small upload. Here
the archive is checked before openpyxl inflates it (`check_archive`), the
parts openpyxl parses on opening are bounded, the shared strings are read as
the cells need them, and a sheet is read through `BoundedRows`: at most as
wide as the importer asks, refused at the first row past the limit, at a long
run of blank rows, or when its XML swells past what the rows read justify.

    with open_import_workbook(upload) as workbook:
        rows = BoundedRows(workbook.worksheets[0], max_columns=30, max_rows=limit + 10, limit=limit)
        for row in rows:
            ...

Every refusal is an ImportFileError whose message is for the clerk.
"""

import re
import zipfile
from contextlib import contextmanager

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

IMPORT_MAX_UNZIPPED_BYTES = 512 * 1024 * 1024  # a 100,000-row ledger written by openpyxl unzips to ~140 MB
IMPORT_MAX_MEMBER_BYTES = 256 * 1024 * 1024  # one part of the archive (a sheet, the shared strings)
# A real sheet compresses 5–20 times (150 with the same long remark on every row); a bomb, thousands.
IMPORT_MAX_RATIO = 500
RATIO_CHECKED_FROM = 1024 * 1024  # small parts may compress as they like
IMPORT_MAX_MEMBERS = 1000
# The parts openpyxl parses whole when it opens a file, before any row: 500,000
# cell formats in styles.xml (a 441 KB upload) took 46 s. Excel's own limit is
# 64,000 formats; an ordinary file's styles are a few KB.
IMPORT_MAX_PART_BYTES = 1024 * 1024
PARSED_ON_OPENING = re.compile(
    r"^(\[Content_Types\]\.xml|.*\.rels|docProps/.*|xl/(workbook|styles)\.xml|xl/theme/.*|xl/externalLinks/.*)$"
)
FOOTER_ROWS = 20  # rows past the data an exported file carries: 合计, blank lines, 填报人/审核人
# Blank rows in a row: openpyxl parses each, so a sheet of a million `<row r="n"/>`
# (2.5 MB zipped, hardly compressible) took seconds even stopped at the row limit.
IMPORT_MAX_BLANK_ROWS = 10_000
# Sheet XML per row read, on average. A ledger row at every maximum length is
# about 20 KB as openpyxl writes it (each Chinese character as &#22791;). A row
# of 16,384 cells is 400 KB, compresses 9:1, and openpyxl parses every cell
# however few it is asked for: 100 of them took 44 s.
IMPORT_MAX_ROW_BYTES = 64 * 1024
ROW_BYTES_SLACK = 256 * 1024  # the parser reads ahead 16 KB at a time; what precedes the rows is small


class ImportFileError(Exception):
    """A file refused as a whole; the message tells the clerk why."""

    @property
    def message(self) -> str:
        return str(self.args[0])


def import_row_limit() -> int:
    return settings.IMPORT_MAX_ROWS


def too_many_rows(limit: int | None = None) -> ImportFileError:
    limit = import_row_limit() if limit is None else limit
    return ImportFileError(_("文件超过 %(n)s 行，请分批导入。") % {"n": limit})


def check_archive(fileobj) -> None:
    """Refuse a zip bomb before openpyxl inflates anything: the sizes the archive
    declares for its parts (zipfile never inflates a part past its declared
    size: the rest fails the CRC check), their sum and how far each is
    compressed. Leaves `fileobj` at its start."""
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise unreadable(exc) from exc
    finally:
        fileobj.seek(0)
    total_limit = getattr(settings, "IMPORT_MAX_UNZIPPED_BYTES", IMPORT_MAX_UNZIPPED_BYTES)
    member_limit = getattr(settings, "IMPORT_MAX_MEMBER_BYTES", IMPORT_MAX_MEMBER_BYTES)
    ratio = getattr(settings, "IMPORT_MAX_RATIO", IMPORT_MAX_RATIO)
    bomb = _("文件解压后异常庞大（%(part)s），疑似“压缩炸弹”，已拒绝。请用导入模板重新填写后上传。")
    if len(members) > IMPORT_MAX_MEMBERS:
        raise ImportFileError(bomb % {"part": _("%(n)s 个部件") % {"n": len(members)}})
    if sum(member.file_size for member in members) > total_limit:
        raise ImportFileError(bomb % {"part": _("超过 %(mb)s MB") % {"mb": total_limit // (1024 * 1024)}})
    part_limit = getattr(settings, "IMPORT_MAX_PART_BYTES", IMPORT_MAX_PART_BYTES)
    for member in members:
        if PARSED_ON_OPENING.match(member.filename) and member.file_size > part_limit:
            raise ImportFileError(
                _(
                    "文件中的“%(part)s”异常庞大（超过 %(kb)s KB，常见于格式过多的表格），"
                    "请把数据粘贴到导入模板后重新上传。"
                )
                % {"part": member.filename, "kb": part_limit // 1024}
            )
        if member.file_size > member_limit:
            raise ImportFileError(
                bomb % {"part": f"{member.filename} " + _("超过 %(mb)s MB") % {"mb": member_limit // (1024 * 1024)}}
            )
        if member.file_size > RATIO_CHECKED_FROM and member.file_size > ratio * max(1, member.compress_size):
            raise ImportFileError(
                bomb
                % {
                    "part": f"{member.filename} "
                    + _("压缩比 %(r)s:1") % {"r": member.file_size // max(1, member.compress_size)}
                }
            )


def unreadable(exc) -> ImportFileError:
    return ImportFileError(
        _("无法读取该文件，请确认是 .xlsx 格式（可用导入模板重新填写）：%(e)s") % {"e": type(exc).__name__}
    )


class _UnsizedSheet(ReadOnlyWorksheet):
    """A read-only sheet that does not look for its size when opened: the size
    it declares is ignored anyway (BoundedRows), and with none declared openpyxl
    parses the whole sheet to find out (a million blank rows: 8 s)."""

    def _get_size(self):
        pass


class _ImportReader(ExcelReader):
    """openpyxl's read-only reader with two changes: the shared strings are read
    as the cells need them (see _LazyStrings) instead of all at once before the
    first row, and sheets are opened without looking for their size. Charts
    are skipped (an import reads values only)."""

    def read_strings(self):
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            self.shared_strings = _LazyStrings(self.archive, part.PartName[1:])

    def read_worksheets(self):
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            worksheet = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


def load_workbook(fileobj):
    """The workbook of an upload, read-only, values rather than formulas."""
    reader = _ImportReader(fileobj, read_only=True, data_only=True)
    reader.read()
    return reader.wb


@contextmanager
def open_import_workbook(fileobj):
    """The uploaded workbook, read-only, once its archive passed `check_archive`.
    Raises ImportFileError with the clerk's message."""
    check_archive(fileobj)
    try:
        workbook = load_workbook(fileobj)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise unreadable(exc) from exc
    try:
        yield workbook
    finally:
        workbook.close()


class BoundedRows:
    """The rows of a read-only sheet, each exactly `max_columns` values wide,
    refusing the file at the first row past `max_rows` (a row counts whether
    blank or not) or past IMPORT_MAX_BLANK_ROWS blank rows in a row.

    The size the sheet declares (`<dimension ref="A1:XFD1048576"/>`) is
    ignored, and openpyxl is asked for no more columns than `max_columns`. It
    pads every row to the width it is asked for and fills in every missing row
    before a far one: a 10 KB file with a cell at XFD1048576 made it hand over
    a million rows of 16,384 values each, and held a worker for a minute.
    `max_rows` may be narrowed once the header row is found; `read` counts the
    rows taken from openpyxl.

    The sheet's XML is metered as openpyxl reads it: past IMPORT_MAX_ROW_BYTES
    a row on average (rows of thousands of cells nobody asked for) the file is
    refused."""

    def __init__(self, sheet, *, max_columns: int, max_rows: int, limit: int | None = None):
        """`limit` is the row limit the refusal names (the data rows allowed)."""
        sheet.reset_dimensions()
        self.strings = sheet._shared_strings
        open_source = sheet._get_source  # openpyxl 3.1: the sheet's XML, opened for each pass
        sheet._get_source = lambda: _MeteredSource(open_source(), self)
        self.max_row_bytes = getattr(settings, "IMPORT_MAX_ROW_BYTES", IMPORT_MAX_ROW_BYTES)
        self._rows = sheet.iter_rows(min_row=1, max_col=max_columns, values_only=True)
        self.max_rows = max_rows
        self.limit = limit  # the row limit named in the refusal
        self.max_blank = getattr(settings, "IMPORT_MAX_BLANK_ROWS", IMPORT_MAX_BLANK_ROWS)
        self.read = 0
        self.blank = 0  # blank rows just read, in a row

    def __iter__(self):
        return self

    def __next__(self):
        try:
            row = next(self._rows)
        except (StopIteration, ImportFileError):
            raise
        except Exception as exc:  # a damaged sheet (a string index past the table, bad XML) is refused, not a 500
            raise unreadable(exc) from exc
        self.read += 1
        if self.read > self.max_rows:
            # Past the limit counting blank rows; the data rows alone are checked by the importer.
            limit = import_row_limit() if self.limit is None else self.limit
            raise ImportFileError(_("文件超过 %(n)s 行（空行也计算在内），请删除多余的空行或分批导入。") % {"n": limit})
        if any(value is not None and value != "" for value in row):
            self.blank = 0
        else:
            self.blank += 1
            if self.blank > self.max_blank:
                raise ImportFileError(
                    _(
                        "第%(row)s行起连续超过%(n)s行为空（其下远处可能还有内容），"
                        "请删除多余的空行和远处的单元格后重新上传。"
                    )
                    % {"row": self.read - self.blank + 1, "n": self.max_blank}
                )
        return row


class _MeteredSource:
    """A sheet's XML stream that refuses to be read much further than the rows
    taken from it justify (see BoundedRows)."""

    def __init__(self, stream, rows: BoundedRows):
        self._stream = stream
        self._rows = rows
        self.taken = 0

    def read(self, size=-1):
        data = self._stream.read(size)
        self.taken += len(data)
        if isinstance(self._rows.strings, _LazyStrings):
            self._rows.strings.sheet_bytes += len(data)
        if self.taken > ROW_BYTES_SLACK + self._rows.read * self._rows.max_row_bytes:
            raise ImportFileError(
                _("第%(row)s行附近的数据异常庞大（平均每行超过%(kb)s KB），请检查文件后重新上传。")
                % {"row": self._rows.read + 1, "kb": self._rows.max_row_bytes // 1024}
            )
        return data

    def close(self):
        self._stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


IMPORT_STRINGS_SLACK = 10_000  # shared strings read before any budget is earned
SHEET_BYTES_PER_STRING = 16  # a cell that uses a shared string, <c t="s"><v>7</v></c>, is longer


class _LazyStrings:
    """The shared string table, read only as far as the cells read so far need.

    openpyxl reads the whole table before the first row: a million short
    strings (a 2.6 MB upload) took 40 s here, and nothing in the sheet need use
    them. Excel numbers its strings in the order the cells first use them, so
    a real file never asks for a string much further on than the cells read so
    far; past SHEET_BYTES_PER_STRING bytes of sheet read per string (and a
    slack) the file is refused."""

    TAG = f"{{{SHEET_MAIN_NS}}}si"

    def __init__(self, archive, path):
        self._source = archive.open(path)
        self._nodes = iterparse(self._source)
        self._strings = []
        self.sheet_bytes = 0  # bytes of sheet XML read so far (_MeteredSource adds them)

    def __getitem__(self, index):
        if index < 0:
            raise IndexError(index)
        while index >= len(self._strings):
            if len(self._strings) >= IMPORT_STRINGS_SLACK + self.sheet_bytes // SHEET_BYTES_PER_STRING:
                raise ImportFileError(
                    _("单元格引用的共享字符串（第%(n)s个之后）远超已读的数据，文件可能已损坏，请检查文件后重新上传。")
                    % {"n": len(self._strings)}
                )
            self._strings.append(self._next())
        return self._strings[index]

    def _next(self) -> str:
        for _event, node in self._nodes:
            if node.tag == self.TAG:
                text = Text.from_tree(node).content.replace("x005F_", "")
                node.clear()
                return text
        self._source.close()
        raise IndexError("no more shared strings")
