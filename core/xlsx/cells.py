"""What a cell of an export holds: text that stays text, and figures typed, rounded
once and formatted by the kind of their column.

A column declares its kind (`Column("户数（户）", COUNT, total=True)`); the kind
decides how each value is written:

- text (`TEXT`) and codes made of digits (`CODE`: credit codes, phone numbers,
  account and administrative codes) are written as strings, whatever they look
  like: "=1+1" is text, "0100" keeps its zero;
- figures are numbers rounded half up to the column's unit (core.figures: 元, 万元
  and 万㎡ to 0.01, percentages to 0.1, counts whole) and shown with thousands
  separators; a float is refused, since no figure may pass through one;
- dates are real Excel dates shown 2026年3月5日.

The exact values go in; the rounding happens here, once, when the cell is
written (`Kind.shown`), so a 合计 can be the rounded exact total.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils import timezone

from core.figures import round_to

# XML 1.0 cannot carry these (tab, LF and CR it can): they are dropped, as the
# export always did, rather than refusing the whole file.
ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

UNITS = {places: Decimal(1).scaleb(-places) for places in range(10)}
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'


@dataclass(frozen=True)
class Formula:
    """A formula the portal writes on purpose, e.g. `Formula("=SUM(D4:D20)")`.

    The only way a cell becomes a formula: a str never does, whatever it starts
    with. Never build one from user data."""

    text: str

    def __post_init__(self):
        if not self.text.startswith("=") or len(self.text) < 2:
            raise ValueError(f"a formula starts with '=': {self.text!r}")


def clean_text(value) -> str:
    """`value` as the text a cell stores: a str with the characters XML cannot
    carry removed. Most text is printable and passes untouched (one C call)."""
    if value.__class__ is not str:
        value = str(value)
    if not value.isprintable():
        value = ILLEGAL_CHARACTERS.sub("", value)
    return value


@dataclass(frozen=True)
class Kind:
    """How a column's cells are written and shown.

    `places` is the unit figures are rounded to (half up, once): 2 for 元, 万元
    and 万㎡, 1 for a percentage, 0 for a count; `number_format` is Excel's."""

    name: str
    number_format: str | None = None
    places: int | None = None
    text: bool = False
    date: bool = False

    @property
    def unit(self) -> Decimal | None:
        return None if self.places is None else Decimal(1).scaleb(-self.places)

    def shown(self, value):
        """The value as the cell shows it: a figure rounded half up to the unit
        (an int for places 0), a date as a local date or naive datetime, text
        cleaned. None and "" stay None (an empty cell)."""
        if value is None or value == "":
            return None
        if self.text:
            return clean_text(value)
        if self.date:
            return _local_date(value, with_time=self.number_format == DATETIME_FORMAT)
        return rounded(value, self.places)


def rounded(value, places: int):
    """A figure rounded half up to `places` (core.figures.round_to), refusing
    what is not exact: a float already lost the figure."""
    cls = value.__class__
    if cls is Decimal and places > 0 and value.is_finite():
        # round_to's own Decimal branch, inlined: the exports round every figure
        result = value.quantize(UNITS[places], rounding=ROUND_HALF_UP)
        return result if result else abs(result)
    if cls is int:
        return value
    if isinstance(value, float | bool):
        raise TypeError(f"figures are exact (Decimal, int, Fraction), not {type(value).__name__}: {value!r}")
    if not isinstance(value, Decimal | int | Fraction):
        raise TypeError(f"not a figure: {value!r}")
    if isinstance(value, int) and places >= 0:
        return value
    result = round_to(value, places)
    return int(result) if places == 0 else result


def _local_date(value, *, with_time: bool):
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value if with_time else value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"not a date: {value!r}")


def decimal_kind(places: int, *, grouped: bool = False, name: str = "") -> Kind:
    """A figure with `places` decimals: coordinates (6), scores (2), factors (3)."""
    digits = "0" if places == 0 else "0." + "0" * places
    return Kind(name or f"decimal{places}", f"#,##{digits}" if grouped else digits, places)


TEXT = Kind("text", text=True)
CODE = Kind("code", "@", text=True)  # digits that are a name, not a quantity
INTEGER = Kind("integer", "0", 0)  # 序号, a year, a number of months: no separators
COUNT = Kind("count", "#,##0", 0)  # 户, 栋, 个, 件
YUAN = Kind("yuan", "#,##0.00", 2)
WAN = Kind("wan", "#,##0.00", 2)  # 万元 and 万㎡, the value already in 万 (exact)
AREA = Kind("area", "#,##0.00", 2)  # ㎡
PERCENT = Kind("percent", "0.0", 1)  # a value in percent under a header saying （%）
SHARE = Kind("share", "0.0%", 3)  # a fraction, shown as a percentage: 0.7 → 70.0%
COORDINATE = decimal_kind(6, name="coordinate")
DATE = Kind("date", DATE_FORMAT, date=True)
DATETIME = Kind("datetime", DATETIME_FORMAT, date=True)

# Additive kinds: a 合计 adds their rows (a percentage or a code does not add up).
ADDITIVE = frozenset({COUNT.name, YUAN.name, WAN.name, AREA.name})


@dataclass(frozen=True)
class Column:
    """A column of a report: its header (with the unit), the kind of its cells,
    its width in characters (fitted to the header when None) and whether the
    合计 row adds it up."""

    header: str
    kind: Kind = TEXT
    width: float | None = None
    total: bool = False


# The unit in a header's last （…） → the kind of the column, for reports whose
# headers are built at run time (the report workbook, the street report).
UNIT_KINDS = {
    "万元": WAN,
    "万㎡": WAN,
    "万平方米": WAN,
    "元": YUAN,
    "㎡": AREA,
    "平方米": AREA,
    "%": PERCENT,
    "公里": decimal_kind(2, grouped=True, name="km"),
    "分": decimal_kind(2, name="points"),
    "元/㎡·年": YUAN,
}
COUNT_UNITS = frozenset({"个", "栋", "户", "件", "笔", "部", "辆", "人", "次", "项", "家"})
LAST_UNIT = re.compile(r"（([^（）]+)）$")
INTEGER_HEADERS = frozenset({"序号", "建成年份", "年度", "月数"})


def column_for(header, *, width: float | None = None) -> Column:
    """The column a header declares by its unit: （万元） two places, （%） one,
    （户） a count, 序号 a plain integer, anything else text. Counts and amounts
    add up in the 合计 row; percentages, scores and rates do not."""
    text = str(header)
    if text in INTEGER_HEADERS:
        return Column(text, INTEGER, width)
    found = LAST_UNIT.search(text)
    unit = found.group(1) if found else ""
    if unit in COUNT_UNITS:
        return Column(text, COUNT, width, total=True)
    kind = UNIT_KINDS.get(unit)
    if kind is None:
        return Column(text, TEXT, width)
    additive = kind.name in ADDITIVE or kind.name == "km"
    return Column(text, kind, width, total=additive and "/" not in unit)


def display_width(value) -> int:
    """Columns a value takes in Excel's default font: CJK characters count two."""
    if value is None:
        return 0
    if isinstance(value, Decimal | float):
        text = f"{value:,.2f}"
    else:
        text = str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


MIN_WIDTH, MAX_WIDTH = 6, 60


def fitted_widths(headers, rows=(), *, sample: int = 2000) -> list[float]:
    """Column widths that fit the headers and the first `sample` rows."""
    widths = [display_width(header) for header in headers]
    for number, row in enumerate(rows):
        if number >= sample:
            break
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], display_width(value))
    return [min(MAX_WIDTH, max(MIN_WIDTH, width + 2)) for width in widths]
