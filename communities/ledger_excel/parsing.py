"""Reading an uploaded ledger workbook: find the header, check every cell,
keep the rows. No database access; the hostile-file defences are
core.xlsx_import's (bounded rows and columns, zip bombs, row limits)."""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from communities.ledger_excel.cells import RowError, cell_text, parse_row
from communities.ledger_excel.columns import (
    DECIMAL_LIMITS,
    HEADER_LOOKUP,
    HEADER_SEARCH_ROWS,
    IMPORT_COLUMNS,
    IMPORT_MAX_COLUMNS,
    normalize_header,
)
from core.xlsx_import import (
    FOOTER_ROWS,
    BoundedRows,
    ImportFileError,
    import_row_limit,
    open_import_workbook,
    too_many_rows,
)


@dataclass
class ParsedLedger:
    """What a file says, checked cell by cell, before anything is looked up.

    Pure: it depends on the file alone, so the preview keeps it and the
    commit resolves it again against the database without re-reading Excel.
    """

    rows: list = field(default_factory=list)  # (row number, street, community, values)
    errors: list = field(default_factory=list)  # RowError from the cells
    error_rows: set = field(default_factory=set)
    fields: list = field(default_factory=list)  # model fields present in the file
    total_rows: int = 0
    file_error: str = ""

    def to_json(self) -> str:
        return json.dumps(
            {
                "rows": [[n, st, c, {k: _jsonable(v) for k, v in values.items()}] for n, st, c, values in self.rows],
                "errors": [e.as_dict() for e in self.errors],
                "error_rows": sorted(self.error_rows),
                "fields": self.fields,
                "total_rows": self.total_rows,
                "file_error": self.file_error,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> "ParsedLedger":
        data = json.loads(text)
        decimals = {name for name in DECIMAL_LIMITS}
        rows = [
            (n, st, c, {k: (Decimal(v) if k in decimals and v is not None else v) for k, v in values.items()})
            for n, st, c, values in data["rows"]
        ]
        return cls(
            rows=rows,
            errors=[RowError(**e) for e in data["errors"]],
            error_rows=set(data["error_rows"]),
            fields=data["fields"],
            total_rows=data["total_rows"],
            file_error=data["file_error"],
        )


def _jsonable(value):
    return str(value) if isinstance(value, Decimal) else value


def parse_ledger(path_or_file) -> ParsedLedger:
    """Read the workbook and check every cell; no database access.

    Reads at most IMPORT_MAX_COLUMNS columns and the row limit (plus the rows
    above the header and a footer), whatever size the sheet declares, and
    refuses a file with more rows than that, or a zip bomb, as a whole."""
    parsed = ParsedLedger()
    try:
        _parse_ledger_rows(path_or_file, parsed)
    except ImportFileError as exc:
        parsed.file_error = exc.message
        parsed.rows, parsed.errors, parsed.error_rows = [], [], set()
    return parsed


def _parse_ledger_rows(path_or_file, parsed: ParsedLedger) -> None:
    limit = import_row_limit()
    with open_import_workbook(path_or_file) as workbook:
        sheet = workbook["小区台账"] if "小区台账" in workbook.sheetnames else workbook.worksheets[0]
        rows = BoundedRows(
            sheet, max_columns=IMPORT_MAX_COLUMNS, max_rows=HEADER_SEARCH_ROWS + limit + FOOTER_ROWS, limit=limit
        )
        header_row_number, columns = _find_header(rows)
        if columns is None:
            parsed.file_error = _("在前%(n)s行中没有找到表头（须包含“小区名称”“街道”“社区”“建成年份”等列）。") % {
                "n": HEADER_SEARCH_ROWS
            }
            return
        missing = [c.header for c in IMPORT_COLUMNS if c.required and c not in columns.values()]
        if missing:
            parsed.file_error = _("缺少必填列：%(cols)s。") % {"cols": "、".join(missing)}
            return
        rows.max_rows = header_row_number + limit + FOOTER_ROWS
        indexed = sorted(columns.items())
        parsed.fields = [c.field for _i, c in indexed if c.field not in ("street", "community")]
        for number, row in enumerate(rows, start=header_row_number + 1):
            if not any(v not in (None, "") for v in row):
                continue
            first = cell_text(next((v for v in row if v not in (None, "")), ""))
            # 合计, its footnote (合计数据按未经四舍五入的数据计算…) and the signatures
            if first.startswith(("合计", "填报人", "审核人")):
                continue
            parsed.total_rows += 1
            if parsed.total_rows > limit:
                raise too_many_rows(limit)
            errors, values = parse_row(number, row, indexed)
            if (values.get("longitude") is None) != (values.get("latitude") is None) and not any(
                e.column in ("经度", "纬度") for e in errors
            ):
                errors.append(RowError(number, "经度", _("经度和纬度须同时填写")))
            street, community = values.pop("street", ""), values.pop("community", "")
            if errors:
                parsed.errors.extend(errors)
                parsed.error_rows.add(number)
            parsed.rows.append((number, street, community, values))


def _find_header(rows):
    for number, row in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            break
        columns = {}
        for index, cell in enumerate(row):
            column = HEADER_LOOKUP.get(normalize_header(cell))
            if column is not None and column not in columns.values():
                columns[index] = column
        if any(c.field == "name" for c in columns.values()) and len(columns) >= 3:
            return number, columns
    return None, None
