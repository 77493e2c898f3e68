"""The ledger in Excel: the import template, the import (preview, then commit)
and the export. One column list serves all three, so a file the portal exports
can be edited and imported back.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.scoping import Action, scoped
from communities import selectors
from communities.models import (
    EARLIEST_YEAR,
    Community,
    Enclosure,
    Estate,
    FundHolder,
    FundStatus,
    ManagementMode,
    ManagementPeriod,
    OwnersBody,
    StreetOffice,
)
from core.xlsx import (
    BORDER,
    CENTER,
    HEADER_FILL,
    HEADER_FONT,
    MAX_ROWS_PER_SHEET,
    new_workbook,
    report_sheet,
    signature_footer,
    totals_row,
)
from core.xlsx_import import (
    FOOTER_ROWS,
    BoundedRows,
    ImportFileError,
    import_row_limit,
    open_import_workbook,
    too_many_rows,
)

YES = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "无", "n", "no", "false", "0", "×", ""}


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str  # text | int | decimal | year | choice | bool | street | community | computed
    width: int = 12
    required: bool = False
    max_length: int = 0
    choices: tuple = ()
    aliases: tuple = ()
    importable: bool = True
    note: str = ""


def _choice(choices_cls):
    return tuple((str(label), value) for value, label in choices_cls.choices)


# Import columns, in template order. Headers carry their units.
IMPORT_COLUMNS = (
    Column("街道", "street", "street", 14, required=True, aliases=("街道办事处", "街道（乡镇）")),
    Column("社区", "community", "community", 14, required=True, aliases=("社区（居委会）", "居委会")),
    Column("小区名称", "name", "text", 20, required=True, max_length=100, aliases=("小区",)),
    Column("地址", "address", "text", 28, max_length=200),
    Column("建成年份", "year_built", "year", 10, required=True, aliases=("建成年代",)),
    Column("楼栋数（栋）", "building_count", "int", 10, aliases=("楼栋数",)),
    Column("户数（户）", "households", "int", 10, aliases=("户数",)),
    Column(
        "建筑面积（㎡）",
        "floor_area",
        "decimal",
        14,
        aliases=("建筑面积", "建筑面积（平方米）", "建筑面积（m²）", "建筑面积（m2）"),
    ),
    Column("开放形式", "enclosure", "choice", 10, choices=_choice(Enclosure)),
    Column("管理模式", "management_mode", "choice", 18, choices=_choice(ManagementMode)),
    Column("业主组织", "owners_body", "choice", 12, choices=_choice(OwnersBody)),
    Column("维修资金归集", "fund_status", "choice", 12, choices=_choice(FundStatus)),
    Column("维修资金余额（元）", "fund_balance", "decimal", 16, aliases=("维修资金余额",)),
    Column("维修资金持有方", "fund_holder", "choice", 16, choices=_choice(FundHolder)),
    Column("停车位（个）", "parking_spaces", "int", 10, aliases=("停车位",)),
    Column("机动车数（辆）", "vehicles", "int", 10, aliases=("机动车数",)),
    Column("有视频监控", "has_surveillance", "bool", 10),
    Column("消防通道堵塞", "fire_passage_blocked", "bool", 10),
    Column("计划征收拆迁", "expropriation_planned", "bool", 10),
    Column("棚户区改造", "shantytown", "bool", 10),
    Column("经度", "longitude", "decimal", 12),
    Column("纬度", "latitude", "decimal", 12),
    Column("备注", "remarks", "text", 30, max_length=2000),
)

DECIMAL_LIMITS = {
    "floor_area": (Decimal("0"), Decimal("9999999999.99"), 2),
    "fund_balance": (Decimal("0"), Decimal("999999999999.99"), 2),
    "longitude": (Decimal("73"), Decimal("136"), 6),
    "latitude": (Decimal("3"), Decimal("54"), 6),
}
INT_MAX = 2_000_000_000
IMPORT_FIELDS = [c.field for c in IMPORT_COLUMNS if c.field not in ("street", "community")]
FIELD_DEFAULTS = {
    "address": "",
    "building_count": 0,
    "households": 0,
    "floor_area": Decimal("0"),
    "enclosure": Enclosure.OPEN,
    "management_mode": ManagementMode.NONE,
    "owners_body": OwnersBody.NONE,
    "fund_status": FundStatus.UNKNOWN,
    "fund_balance": None,
    "fund_holder": FundHolder.NONE,
    "parking_spaces": None,
    "vehicles": None,
    "has_surveillance": False,
    "fire_passage_blocked": False,
    "expropriation_planned": False,
    "shantytown": False,
    "longitude": None,
    "latitude": None,
    "remarks": "",
}


def _normalize_header(text) -> str:
    if text is None:
        return ""
    text = str(text).strip().replace("(", "（").replace(")", "）").replace("*", "").replace("＊", "")
    text = text.replace("m²", "㎡").replace("m2", "㎡").replace("平方米", "㎡")
    return re.sub(r"\s+", "", text).replace("（必填）", "")


HEADER_LOOKUP = {}
for _column in IMPORT_COLUMNS:
    for _name in (_column.header, *_column.aliases):
        HEADER_LOOKUP[_normalize_header(_name)] = _column


# --- Reading cells ----------------------------------------------------------------


class CellError(ValueError):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _int(value, *, minimum=0, maximum=INT_MAX):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(_("应为整数"))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("应为整数，而不是 %(v)s") % {"v": value})
        number = int(value)
    else:
        text = str(value).strip().replace(",", "").replace("，", "")
        text = re.sub(r"(年|栋|户|个|辆)$", "", text)
        if not re.fullmatch(r"-?\d+", text):
            raise CellError(_("应为整数，而不是“%(v)s”") % {"v": value})
        number = int(text)
    if number < minimum:
        raise CellError(_("不能小于 %(m)s") % {"m": minimum})
    if number > maximum:
        raise CellError(_("不能大于 %(m)s") % {"m": maximum})
    return number


def _decimal(value, field_name):
    if value is None or value == "":
        return None
    low, high, places = DECIMAL_LIMITS[field_name]
    if isinstance(value, bool):
        raise CellError(_("应为数字"))
    try:
        number = (
            Decimal(str(value).strip().replace(",", "").replace("，", ""))
            if not isinstance(value, (int, float))
            else Decimal(repr(value))
        )
    except InvalidOperation as exc:
        raise CellError(_("应为数字，而不是“%(v)s”") % {"v": value}) from exc
    if not number.is_finite():
        raise CellError(_("应为数字"))
    if number < low or number > high:
        raise CellError(_("应在 %(low)s 到 %(high)s 之间") % {"low": low, "high": high})
    return number.quantize(Decimal(1).scaleb(-places))


def _bool(value):
    text = _text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(_("请填“是”或“否”，而不是“%(v)s”") % {"v": value})


def _choice_value(value, column):
    text = _text(value)
    if not text:
        return None
    for label, code in column.choices:
        if text in (label, code):
            return code
    raise CellError(
        _("“%(v)s”不是可选值；可填：%(options)s")
        % {"v": text, "options": "、".join(label for label, _c in column.choices)}
    )


# --- Import ---------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    total_rows: int = 0
    to_create: list = field(default_factory=list)
    to_update: list = field(default_factory=list)
    unchanged: int = 0
    errors: list = field(default_factory=list)
    error_rows: int = 0
    file_error: str = ""

    @property
    def ok(self):
        return not self.errors and not self.file_error

    def summary(self):
        return {
            "total_rows": self.total_rows,
            "create": len(self.to_create),
            "update": len(self.to_update),
            "unchanged": self.unchanged,
            "error_rows": self.error_rows,
            "errors": len(self.errors),
            "file_error": self.file_error,
        }


HEADER_SEARCH_ROWS = 10
# Columns read from an import: the export's (it imports back) and a margin
# for a few columns the clerk added; cells further right are never read.
COLUMN_MARGIN = 10


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
        import json

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
        import json

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
            first = _text(next((v for v in row if v not in (None, "")), ""))
            if first == "合计" or first.startswith(("填报人", "审核人")):
                continue
            parsed.total_rows += 1
            if parsed.total_rows > limit:
                raise too_many_rows(limit)
            errors, values = _parse_row(number, row, indexed)
            if (values.get("longitude") is None) != (values.get("latitude") is None) and not any(
                e.column in ("经度", "纬度") for e in errors
            ):
                errors.append(RowError(number, "经度", _("经度和纬度须同时填写")))
            street, community = values.pop("street", ""), values.pop("community", "")
            if errors:
                parsed.errors.extend(errors)
                parsed.error_rows.add(number)
            parsed.rows.append((number, street, community, values))


def resolve_ledger(parsed: ParsedLedger, *, user) -> ImportResult:
    """Match parsed rows against the ledger within the user's scope: each row
    becomes a new estate, an update of the estate with the same community and
    name, an unchanged row, or row errors. Writes nothing; looks up only the
    names the file mentions, in a few queries."""
    result = ImportResult(total_rows=parsed.total_rows, file_error=parsed.file_error)
    if parsed.file_error:
        return result
    errors = {}
    for error in parsed.errors:
        errors.setdefault(error.row, []).append(error)
    street_names = {street for _n, street, _c, _v in parsed.rows if street}
    community_names = {community for _n, _s, community, _v in parsed.rows if community}
    communities = {
        (c.street.name, c.name): c
        for c in scoped(Community.objects.select_related("street"), user)
        .filter(name__in=community_names, street__name__in=street_names)
        .order_by()
    }
    streets_in_scope = set(
        scoped(StreetOffice.objects.all(), user).filter(name__in=street_names).values_list("name", flat=True)
    )
    names = {values.get("name") for _n, _s, _c, values in parsed.rows if values.get("name")}
    existing = {
        (e.community_id, e.name): e
        for e in scoped(Estate.objects.all(), user, Action.CHANGE)
        .filter(community__in=list(communities.values()), name__in=names)
        .order_by()
    }
    seen_in_file = {}
    fields_in_file = set(parsed.fields)
    for number, street, community_name, values in parsed.rows:
        row_errors = errors.get(number, [])
        community = None
        if street and community_name:
            community = communities.get((street, community_name))
            if community is None:
                if street not in streets_in_scope:
                    row_errors.append(
                        RowError(number, "街道", _("“%(s)s”不在您的管辖范围内，或名称有误") % {"s": street})
                    )
                else:
                    row_errors.append(
                        RowError(number, "社区", _("“%(c)s”不是“%(s)s”下的社区") % {"c": community_name, "s": street})
                    )
        if community is not None and values.get("name"):
            key = (community.pk, values["name"])
            if key in seen_in_file:
                row_errors.append(
                    RowError(
                        number,
                        "小区名称",
                        _("与第%(r)s行重复（同一社区内小区名称不能重复）") % {"r": seen_in_file[key]},
                    )
                )
            else:
                seen_in_file[key] = number
        if row_errors:
            result.errors.extend(sorted(row_errors, key=_column_order))
            result.error_rows += 1
            continue
        estate = existing.get((community.pk, values["name"]))
        if estate is None:
            data = {**FIELD_DEFAULTS, **{k: v for k, v in values.items() if v is not None}}
            result.to_create.append((number, community, data))
        else:
            changed = {k: v for k, v in values.items() if k in fields_in_file and _differs(estate, k, v)}
            if changed:
                result.to_update.append((number, estate, changed))
            else:
                result.unchanged += 1
    return result


COLUMN_ORDER = {column.header: index for index, column in enumerate(IMPORT_COLUMNS)}


def _column_order(error):
    return COLUMN_ORDER.get(error.column, 99)


def read_ledger(path_or_file, *, user) -> ImportResult:
    """Parse and resolve an uploaded ledger, writing nothing (the preview)."""
    return resolve_ledger(parse_ledger(path_or_file), user=user)


def _find_header(rows):
    for number, row in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            break
        columns = {}
        for index, cell in enumerate(row):
            column = HEADER_LOOKUP.get(_normalize_header(cell))
            if column is not None and column not in columns.values():
                columns[index] = column
        if any(c.field == "name" for c in columns.values()) and len(columns) >= 3:
            return number, columns
    return None, None


def _differs(estate, name, value):
    current = getattr(estate, name)
    if value is None:
        value = FIELD_DEFAULTS.get(name)
    return current != value


def _parse_row(number, row, indexed):
    errors, values = [], {}
    this_year = timezone.localdate().year
    for index, column in indexed:
        raw = row[index] if index < len(row) else None
        try:
            if column.kind in ("text", "street", "community"):
                value = _text(raw)
                if column.max_length and len(value) > column.max_length:
                    raise CellError(_("不能超过%(n)s个字") % {"n": column.max_length})
                if column.required and not value:
                    raise CellError(_("必填"))
            elif column.kind == "year":
                value = _int(raw, minimum=EARLIEST_YEAR, maximum=this_year)
                if value is None and column.required:
                    raise CellError(_("必填"))
            elif column.kind == "int":
                value = _int(raw)
            elif column.kind == "decimal":
                value = _decimal(raw, column.field)
            elif column.kind == "choice":
                value = _choice_value(raw, column)
            elif column.kind == "bool":
                value = _bool(raw)
            else:  # pragma: no cover - every column kind is handled above
                raise AssertionError(column.kind)
        except CellError as exc:
            errors.append(RowError(number, column.header, str(exc)))
            continue
        values[column.field] = value
    return errors, values


def commit_ledger(parsed: ParsedLedger, *, user) -> ImportResult:
    """Resolve again and write every row, or none.

    The rows are matched against the ledger again at commit time, because it
    may have changed since the preview; any error now means nothing is written.
    """
    result = resolve_ledger(parsed, user=user)
    if not result.ok:
        return result
    now = timezone.now()
    today = timezone.localdate()
    reason = _("Excel导入")
    try:
        with transaction.atomic():
            new_estates = [Estate(community=community, **data) for _number, community, data in result.to_create]
            created = bulk_create_with_history(
                new_estates,
                Estate,
                batch_size=2000,
                default_user=user,
                default_change_reason=reason,
                default_date=now,
            )
            ManagementPeriod.objects.bulk_create(
                [
                    ManagementPeriod(estate=e, mode=e.management_mode, started_on=today, recorded_by=user, note=reason)
                    for e in created
                ],
                batch_size=2000,
            )
            updated, mode_changes, fields = [], [], set()
            for _number, estate, changed in result.to_update:
                if "management_mode" in changed and changed["management_mode"] != estate.management_mode:
                    mode_changes.append(estate)
                for name, value in changed.items():
                    setattr(estate, name, value if value is not None else FIELD_DEFAULTS.get(name))
                    fields.add(name)
                estate.version += 1
                estate.updated_at = now
                updated.append(estate)
            if updated:
                bulk_update_with_history(
                    updated,
                    Estate,
                    sorted(fields | {"version", "updated_at"}),
                    batch_size=2000,
                    default_user=user,
                    default_change_reason=reason,
                    default_date=now,
                )
            if mode_changes:
                ManagementPeriod.objects.filter(estate__in=mode_changes, ended_on__isnull=True).update(ended_on=today)
                ManagementPeriod.objects.bulk_create(
                    [
                        ManagementPeriod(
                            estate=e, mode=e.management_mode, started_on=today, recorded_by=user, note=reason
                        )
                        for e in mode_changes
                    ]
                )
    except IntegrityError as exc:
        result.file_error = _(
            "写入时数据库拒绝了数据（可能有人同时新增了同名小区），未导入任何行，请重新上传预览：%(e)s"
        ) % {"e": str(exc).splitlines()[0][:200]}
        result.to_create, result.to_update = [], []
    return result


# --- Template -----------------------------------------------------------------------

# The template's header looks like the export's (core.xlsx), with required columns in red.
REQUIRED_FONT = Font(bold=True, color="C00000")


def write_template(fileobj, *, user) -> None:
    """The import template: Chinese headers, drop-down lists, the user's own
    streets and communities, and a sheet of instructions."""
    workbook = new_workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "小区台账"
    options = workbook.create_sheet("可选值")
    guide = workbook.create_sheet("填写说明")

    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = CENTER
        if column.required:
            cell.comment = Comment(_("必填"), "oldestate")
        sheet.column_dimensions[get_column_letter(index)].width = column.width + 2
    sheet.freeze_panes = "D2"

    communities = list(selectors.communities_for(user=user))
    option_columns = [("街道", sorted({c.street.name for c in communities})), ("社区", [c.name for c in communities])]
    option_columns += [(c.header, [label for label, _code in c.choices]) for c in IMPORT_COLUMNS if c.kind == "choice"]
    option_columns.append(("是/否", ["是", "否"]))
    ranges = {}
    for index, (title, values) in enumerate(option_columns, start=1):
        letter = get_column_letter(index)
        options.cell(row=1, column=index, value=title).font = HEADER_FONT
        for offset, value in enumerate(values, start=2):
            options.cell(row=offset, column=index, value=value)
        ranges[title] = f"'可选值'!${letter}$2:${letter}${max(2, len(values) + 1)}"
        options.column_dimensions[letter].width = 22

    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        source = None
        if column.kind in ("street", "community") or column.kind == "choice":
            source = ranges[column.header]
        elif column.kind == "bool":
            source = ranges["是/否"]
        if source:
            validation = DataValidation(type="list", formula1=f"={source}", allow_blank=not column.required)
            validation.error = _("请从下拉列表中选择。")
            validation.errorTitle = column.header
            sheet.add_data_validation(validation)
            letter = get_column_letter(index)
            validation.add(f"{letter}2:{letter}5000")

    guide.column_dimensions["A"].width = 20
    guide.column_dimensions["B"].width = 80
    guide.append([_("列"), _("填写要求")])
    for cell in guide[1]:
        cell.font = HEADER_FONT
    for column in IMPORT_COLUMNS:
        guide.append([column.header, _column_help(column)])
    guide.append([])
    guide.append(
        [_("重复导入"), _("同一社区内小区名称相同的行会更新已有小区，不会重复新增；留空的列在更新时恢复为默认值。")]
    )
    guide.append([_("全部或全不"), _("上传后先预览；有任何一行出错都不会写入，改正后重新上传。确认导入时全部写入。")])
    workbook.save(fileobj)


def _column_help(column):
    parts = [_("必填") if column.required else _("选填")]
    if column.kind == "year":
        parts.append(_("4位年份，例如 1985"))
    elif column.kind == "int":
        parts.append(_("不小于0的整数"))
    elif column.kind == "decimal":
        low, high, places = DECIMAL_LIMITS[column.field]
        parts.append(_("数字，%(low)s 至 %(high)s，最多%(p)s位小数") % {"low": low, "high": high, "p": places})
    elif column.kind == "choice":
        parts.append(_("可选：") + "、".join(label for label, _c in column.choices))
    elif column.kind == "bool":
        parts.append(_("填“是”或“否”"))
    elif column.kind == "street":
        parts.append(_("街道办事处全称，须在您的管辖范围内"))
    elif column.kind == "community":
        parts.append(_("社区全称，须属于同一行的街道"))
    if column.max_length:
        parts.append(_("不超过%(n)s字") % {"n": column.max_length})
    return "；".join(parts)


# --- Export -------------------------------------------------------------------------------

EXPORT_HEADERS = (
    ("序号", 7),
    ("街道", 14),
    ("社区", 14),
    ("小区名称", 20),
    ("地址", 28),
    ("建成年份", 10),
    ("老旧小区", 9),
    ("楼栋数（栋）", 10),
    ("户数（户）", 10),
    ("建筑面积（㎡）", 14),
    ("建筑面积（万㎡）", 12),
    ("开放形式", 10),
    ("管理模式", 18),
    ("业主组织", 12),
    ("维修资金归集", 12),
    ("维修资金余额（元）", 16),
    ("维修资金持有方", 16),
    ("停车位（个）", 10),
    ("机动车数（辆）", 10),
    ("有视频监控", 10),
    ("消防通道堵塞", 10),
    ("计划征收拆迁", 10),
    ("棚户区改造", 10),
    ("C/D级危房（栋）", 12),
    ("待拆违建（㎡）", 12),
    ("经度", 12),
    ("纬度", 12),
    ("备注", 30),
)
IMPORT_MAX_COLUMNS = max(len(IMPORT_COLUMNS), len(EXPORT_HEADERS)) + COLUMN_MARGIN
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
TOTAL_COLUMNS = {
    "楼栋数（栋）",
    "户数（户）",
    "建筑面积（㎡）",
    "建筑面积（万㎡）",
    "维修资金余额（元）",
    "停车位（个）",
    "机动车数（辆）",
    "C/D级危房（栋）",
    "待拆违建（㎡）",
}
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
    labels = {
        "enclosure": dict(Enclosure.choices),
        "management_mode": dict(ManagementMode.choices),
        "owners_body": dict(OwnersBody.choices),
        "fund_status": dict(FundStatus.choices),
        "fund_holder": dict(FundHolder.choices),
    }
    labels = {key: {code: str(label) for code, label in mapping.items()} for key, mapping in labels.items()}
    enclosure, mode, owners, fund_status, fund_holder = (
        labels["enclosure"],
        labels["management_mode"],
        labels["owners_body"],
        labels["fund_status"],
        labels["fund_holder"],
    )
    yes, no = "是", "否"

    workbook = new_workbook()
    rows = selectors.with_row_figures(queryset).values_list(*EXPORT_VALUES).iterator(chunk_size=PROGRESS_EVERY)
    title = f"{user.node_name or settings.PORTAL_TITLE}老旧小区台账"
    made_at = timezone.localtime()
    unit_line = _("填报单位：%(unit)s　　导出时间：%(at)s　　建成年份不晚于%(cutoff)s年的为老旧小区") % {
        "unit": user.node_name or _("全部"),
        "at": made_at.strftime("%Y年%m月%d日 %H:%M"),
        "cutoff": cutoff,
    }

    def new_sheet(number):
        return report_sheet(
            workbook,
            name="小区台账" if number == 1 else f"小区台账（{number}）",
            title=title,
            unit_line=unit_line,
            headers=[header for header, _width in EXPORT_HEADERS],
            widths=[width for _header, width in EXPORT_HEADERS],
            frozen_columns=4,  # 序号, 街道, 社区, 小区名称 stay in view
        )

    sheet_number = 0
    sheet = None
    count = 0
    in_sheet = 0
    totals = [0, 0, Decimal(0), Decimal(0), 0, 0, 0, Decimal(0)]
    for (
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
    ) in rows:
        if sheet is None or in_sheet >= MAX_ROWS_PER_SHEET:
            sheet_number += 1
            sheet = new_sheet(sheet_number)
            in_sheet = 0
        count += 1
        in_sheet += 1
        wan = round(float(area) / 10000, 4)
        sheet.append(
            (
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
                wan,
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
        )
        totals[0] += buildings
        totals[1] += households
        totals[2] += area
        if balance is not None:
            totals[3] += balance
        totals[4] += parking or 0
        totals[5] += vehicles or 0
        totals[6] += dangerous
        totals[7] += illegal
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    if sheet is None:
        sheet = new_sheet(1)
    # The 合计 row (on the last sheet) adds up every row written.
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
    totals_row(sheet, ["合计", *(summed.get(header) for header, _width in EXPORT_HEADERS[1:])])
    signature_footer(sheet)
    workbook.save(fileobj)
    if progress is not None:
        progress(count)
    return count


def export_for_job(job, fileobj, progress):
    """The ledger export of a background job: the job's filters, re-applied
    through the requesting user's export scope."""
    from django.http import QueryDict

    user = job.requested_by
    _filterset, queryset = selectors.filter_estates(
        user=user, params=QueryDict(job.params.get("query", "")), action=Action.EXPORT
    )
    rows = write_ledger(queryset, fileobj, user=user, progress=progress)
    return rows, job.params.get("filename") or export_filename(user)
