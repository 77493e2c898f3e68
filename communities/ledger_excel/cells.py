"""Reading one cell of an imported ledger: text, whole numbers, decimals,
yes/no and choices, each refused with a message the clerk can act on."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from communities.ledger_excel.columns import DECIMAL_LIMITS, INT_MAX
from communities.models import EARLIEST_YEAR

YES = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "无", "n", "no", "false", "0", "×", ""}


class CellError(ValueError):
    pass


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def cell_int(value, *, minimum=0, maximum=INT_MAX):
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


def cell_decimal(value, field_name):
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


def cell_bool(value):
    text = cell_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(_("请填“是”或“否”，而不是“%(v)s”") % {"v": value})


def cell_choice(value, column):
    text = cell_text(value)
    if not text:
        return None
    for label, code in column.choices:
        if text in (label, code):
            return code
    raise CellError(
        _("“%(v)s”不是可选值；可填：%(options)s")
        % {"v": text, "options": "、".join(label for label, _c in column.choices)}
    )


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


def parse_row(number, row, indexed):
    errors, values = [], {}
    this_year = timezone.localdate().year
    for index, column in indexed:
        raw = row[index] if index < len(row) else None
        try:
            if column.kind in ("text", "street", "community"):
                value = cell_text(raw)
                if column.max_length and len(value) > column.max_length:
                    raise CellError(_("不能超过%(n)s个字") % {"n": column.max_length})
                if column.required and not value:
                    raise CellError(_("必填"))
            elif column.kind == "year":
                value = cell_int(raw, minimum=EARLIEST_YEAR, maximum=this_year)
                if value is None and column.required:
                    raise CellError(_("必填"))
            elif column.kind == "int":
                value = cell_int(raw)
            elif column.kind == "decimal":
                value = cell_decimal(raw, column.field)
            elif column.kind == "choice":
                value = cell_choice(raw, column)
            elif column.kind == "bool":
                value = cell_bool(raw)
            else:  # pragma: no cover - every column kind is handled above
                raise AssertionError(column.kind)
        except CellError as exc:
            errors.append(RowError(number, column.header, str(exc)))
            continue
        values[column.field] = value
    return errors, values
