"""The household register (户) in Excel: template, import (preview, then commit).

Reuses the ledger import's machinery (cell readers, header normalising, row
errors, the ImportBatch with its parsed rows kept for the commit) and gives the
same guarantees: the preview writes nothing, every error names its row and
column, and the commit writes every row or none.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from communities.ledger_excel import (
    COLUMN_MARGIN,
    HEADER_SEARCH_ROWS,
    CellError,
    ImportResult,
    RowError,
    cell_text,
    normalize_header,
)
from communities.models import Building, Household
from core.validators import validate_contact_phone
from core.xlsx import BOLD_FORMAT, new_workbook
from core.xlsx_import import (
    FOOTER_ROWS,
    BoundedRows,
    ImportFileError,
    import_row_limit,
    open_import_workbook,
    too_many_rows,
)

# (header, field, required, max length)
COLUMNS = (
    ("楼号", "building", True, 30),
    ("单元", "unit", False, 20),
    ("房号", "room", True, 20),
    ("专有部分面积（㎡）", "exclusive_area", True, 0),
    ("业主姓名", "owner_name", True, 100),
    ("联系电话", "owner_phone", False, 20),
    ("备注", "remarks", False, 200),
)
HEADERS = {normalize_header(h): (h, f, r, n) for h, f, r, n in COLUMNS}
HEADERS[normalize_header("专有面积（㎡）")] = COLUMNS[3]
HEADERS[normalize_header("楼栋")] = COLUMNS[0]
CHANGEABLE = ("exclusive_area", "owner_name", "owner_phone", "remarks")
AREA_MAX = Decimal("9999999.99")
MAX_COLUMNS = len(COLUMNS) + COLUMN_MARGIN  # cells further right are never read


@dataclass
class ParsedRegister:
    rows: list = field(default_factory=list)  # (row number, values)
    errors: list = field(default_factory=list)
    total_rows: int = 0
    file_error: str = ""

    def to_json(self) -> str:
        import json

        return json.dumps(
            {
                "rows": [
                    [n, {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}]
                    for n, values in self.rows
                ],
                "errors": [e.as_dict() for e in self.errors],
                "total_rows": self.total_rows,
                "file_error": self.file_error,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> "ParsedRegister":
        import json

        data = json.loads(text)
        rows = [(n, {**values, "exclusive_area": Decimal(values["exclusive_area"])}) for n, values in data["rows"]]
        return cls(
            rows=rows,
            errors=[RowError(**e) for e in data["errors"]],
            total_rows=data["total_rows"],
            file_error=data["file_error"],
        )


def _area(value) -> Decimal:
    if value is None or value == "":
        raise CellError(_("必填"))
    try:
        number = (
            Decimal(repr(value)) if isinstance(value, (int, float)) else Decimal(str(value).strip().replace(",", ""))
        )
    except InvalidOperation as exc:
        raise CellError(_("应为数字，而不是“%(v)s”") % {"v": value}) from exc
    if not number.is_finite() or number <= 0 or number > AREA_MAX:
        raise CellError(_("应为大于0的面积（㎡）"))
    return number.quantize(Decimal("0.01"))


def parse_register(path_or_file) -> ParsedRegister:
    """Read the workbook and check every cell; no database access. Reads no more
    than the template's columns (and a margin) and the row limit, whatever the
    sheet declares; a longer file or a zip bomb is refused as a whole."""
    parsed = ParsedRegister()
    try:
        _parse_register_rows(path_or_file, parsed)
    except ImportFileError as exc:
        parsed.file_error = exc.message
        parsed.rows, parsed.errors = [], []
    return parsed


def _parse_register_rows(path_or_file, parsed: ParsedRegister) -> None:
    limit = import_row_limit()
    with open_import_workbook(path_or_file) as workbook:
        rows = BoundedRows(
            workbook.worksheets[0],
            max_columns=MAX_COLUMNS,
            max_rows=HEADER_SEARCH_ROWS + limit + FOOTER_ROWS,
            limit=limit,
        )
        header_number, columns = None, None
        for number, row in enumerate(rows, start=1):
            found = {i: HEADERS[normalize_header(c)] for i, c in enumerate(row) if normalize_header(c) in HEADERS}
            if len(found) >= 3:
                header_number, columns = number, found
                break
            if number >= HEADER_SEARCH_ROWS:
                break
        if columns is None:
            parsed.file_error = _("在前%(n)s行中没有找到表头（须包含“楼号”“房号”“专有部分面积（㎡）”“业主姓名”）。") % {
                "n": HEADER_SEARCH_ROWS
            }
            return
        present = {column[1] for column in columns.values()}
        missing = [header for header, name, required, _n in COLUMNS if required and name not in present]
        if missing:
            parsed.file_error = _("缺少必填列：%(cols)s。") % {"cols": "、".join(missing)}
            return
        rows.max_rows = header_number + limit + FOOTER_ROWS
        for number, row in enumerate(rows, start=header_number + 1):
            if not any(v not in (None, "") for v in row):
                continue
            parsed.total_rows += 1
            if parsed.total_rows > limit:
                raise too_many_rows(limit)
            values, errors = {}, []
            for index, (header, name, required, max_length) in columns.items():
                raw = row[index] if index < len(row) else None
                try:
                    if name == "exclusive_area":
                        value = _area(raw)
                    else:
                        value = cell_text(raw)
                        if required and not value:
                            raise CellError(_("必填"))
                        if max_length and len(value) > max_length:
                            raise CellError(_("不能超过%(n)s个字") % {"n": max_length})
                        if name == "owner_phone" and value:
                            try:
                                validate_contact_phone(value)
                            except ValidationError as exc:
                                raise CellError(exc.messages[0]) from exc
                except CellError as exc:
                    errors.append(RowError(number, header, str(exc)))
                    continue
                values[name] = value
            if errors:
                parsed.errors.extend(errors)
            parsed.rows.append((number, values))


def _key(building_id, unit, room):
    return (building_id, re.sub(r"\s+", "", unit or ""), re.sub(r"\s+", "", room or ""))


def resolve_register(parsed: ParsedRegister, *, estate) -> ImportResult:
    """Match rows against the estate's register: new homes, changed ones, unchanged
    ones, or row errors (unknown building, the same home twice). Writes nothing."""
    result = ImportResult(total_rows=parsed.total_rows, file_error=parsed.file_error)
    result.errors = list(parsed.errors)
    if parsed.file_error:
        return result
    buildings = {b.number: b for b in Building.objects.filter(estate=estate)}
    existing = {_key(h.building_id, h.unit, h.room): h for h in Household.objects.filter(estate=estate)}
    seen = {}
    error_rows = {e.row for e in parsed.errors}
    for number, values in parsed.rows:
        if number in error_rows:
            continue
        building = buildings.get(values.get("building", ""))
        if building is None:
            result.errors.append(
                RowError(
                    number, "楼号", _("本小区没有楼号“%(b)s”，请先在台账中登记该楼栋") % {"b": values.get("building")}
                )
            )
            error_rows.add(number)
            continue
        key = _key(building.pk, values.get("unit"), values.get("room"))
        if key in seen:
            result.errors.append(RowError(number, "房号", _("与第%(n)s行是同一户") % {"n": seen[key]}))
            error_rows.add(number)
            continue
        seen[key] = number
        data = {name: values.get(name, "") for name in CHANGEABLE}
        home = existing.get(key)
        if home is None:
            result.to_create.append(
                (number, building, {**data, "unit": values.get("unit", ""), "room": values["room"]})
            )
        else:
            changed = [name for name in CHANGEABLE if getattr(home, name) != data[name]]
            if changed:
                result.to_update.append((number, home, {name: data[name] for name in changed}))
            else:
                result.unchanged += 1
    result.error_rows = len(error_rows)
    result.errors.sort(key=lambda e: e.row)
    return result


def commit_register(parsed: ParsedRegister, *, estate, user) -> ImportResult:
    """Resolve again (the register may have changed since the preview) and write every row, or none."""
    result = resolve_register(parsed, estate=estate)
    if not result.ok:
        return result
    with transaction.atomic():
        new = [Household(estate=estate, building=b, **data) for _n, b, data in result.to_create]
        for home in new:
            home.full_clean(exclude=["estate", "building"], validate_unique=False, validate_constraints=False)
        bulk_create_with_history(
            new, Household, batch_size=2000, default_user=user, default_change_reason=_("Excel导入")
        )
        changed = []
        for _n, home, data in result.to_update:
            for name, value in data.items():
                setattr(home, name, value)
            home.version += 1
            changed.append(home)
        if changed:
            bulk_update_with_history(
                changed,
                Household,
                [*CHANGEABLE, "version"],
                batch_size=2000,
                default_user=user,
                default_change_reason=_("Excel导入"),
            )
    return result


TEMPLATE_WIDTHS = (10, 8, 8, 18, 12, 16, 20)
CODE_COLUMNS = ("building", "unit", "room", "owner_phone")  # digits that are names: typed in as text


def write_template(fileobj) -> None:
    """The register's template: the headers and one example row. 楼号, 单元, 房号
    and 联系电话 are text columns, so 0101 or a phone number keeps its digits."""
    with new_workbook(fileobj) as book:
        sheet = book.sheet("房屋户籍")
        text = book.format(num_format="@")
        for index, ((_h, name, _r, _n), width) in enumerate(zip(COLUMNS, TEMPLATE_WIDTHS, strict=True)):
            sheet.worksheet.set_column(index, index, width, text if name in CODE_COLUMNS else None)
        sheet.append([h for h, _f, _r, _n in COLUMNS], book.format(**BOLD_FORMAT))
        sheet.append(["1号楼", "1单元", "101", Decimal("56.32"), "张三", "13812345678", ""])
