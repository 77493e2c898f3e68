"""The one rounding rule for every figure the portal shows, written down once.

An official signs what the portal shows, so a figure must read the same on every
page, in every .xlsx and on both databases, to the fen. The rule:

1. Compute exactly. Money, areas and shares are ``Decimal`` (or ``Fraction`` for
   votes), never ``float``; sums come from the database as exact decimals
   (``core.db.ExactSum``), Python sums add ``Decimal``.
2. Round once, half up (四舍五入, as the statistics office does), when the figure is
   shown, to the unit of its column:

   ====================  ===========  ==============================
   unit                  places       function
   ====================  ===========  ==============================
   元                    0.01         ``yuan``
   万元, 万平方米        0.01         ``wan``
   ㎡                    0.01         ``yuan`` (same places)
   percentage, 个百分点  0.1          ``share``, ``points``
   counts (户, 栋, 件)   integer      ``count``
   ====================  ===========  ==============================

3. A 合计 is the rounded exact total, not the sum of the rounded rows; where the two
   differ the report says so (``TOTAL_FOOTNOTE``).

The functions here return numbers (``Decimal``/``int``); the ``format_*`` functions
and the template filters in ``core.templatetags.portal`` turn them into text with
thousands separators. Nothing here imports a domain app.
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext, gettext_lazy

TEN_THOUSAND = Decimal(10000)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

YUAN_PLACES = 2
WAN_PLACES = 2
AREA_PLACES = 2
PERCENT_PLACES = 1

TOTAL_FOOTNOTE = gettext_lazy("合计数据按未经四舍五入的数据计算，与分项之和可能略有差异。")


def exact(value) -> Decimal | Fraction | None:
    """The value as an exact number: ``Decimal`` (or ``Fraction`` as given).

    A float is read through its shortest repr, so ``0.1`` is 0.1 and not
    0.1000000000000000055511151231257827; ``None`` and ``""`` stay ``None``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, Decimal | Fraction):
        return value
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _unit(places: int) -> Decimal:
    return Decimal(1).scaleb(-int(places))


def round_to(value, places: int) -> Decimal | None:
    """``value`` rounded half up (away from zero on a tie) to ``places`` decimals.

    Exact for ``Fraction`` too (a vote share of 2/3 rounds without passing through a
    float). ``-0.00`` becomes ``0.00``. ``None`` stays ``None``.
    """
    number = exact(value)
    if number is None:
        return None
    places = int(places)
    if isinstance(number, Fraction):
        scaled = abs(number) * 10**places
        whole = int(scaled)  # floor, since scaled >= 0
        if scaled - whole >= Fraction(1, 2):
            whole += 1
        rounded = Decimal(whole).scaleb(-places)
        if number < 0:
            rounded = -rounded
    else:
        rounded = number.quantize(_unit(places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return rounded


def yuan(value) -> Decimal | None:
    """元 to the fen: ``1658647`` → ``Decimal("1658647.00")``."""
    return round_to(value, YUAN_PLACES)


def area(value) -> Decimal | None:
    """㎡ to two places."""
    return round_to(value, AREA_PLACES)


def wan(value, places: int = WAN_PLACES) -> Decimal:
    """元 → 万元 or ㎡ → 万平方米, two places, half up: ``1658647`` → ``165.86``.

    ``None`` counts as zero (an estate with no area adds nothing to a total).
    """
    number = exact(value) or Decimal(0)
    if isinstance(number, Fraction):
        return round_to(number / 10000, places)
    return round_to(number / TEN_THOUSAND, places)


def count(value) -> int | None:
    """A count of units (户, 栋, 部, 件) as an integer: ``Decimal("5.00")`` → ``5``.

    A count is never fractional; a non-integral value (an average, say) is rounded
    half up rather than truncated.
    """
    number = exact(value)
    if number is None:
        return None
    return int(round_to(number, 0))


def ratio(numerator, denominator) -> Fraction | None:
    """numerator / denominator exactly, or ``None`` when there is no denominator."""
    if numerator.__class__ is int and denominator.__class__ is int:  # counts: one gcd, not three Fractions
        return Fraction(numerator, denominator) if denominator else None
    top, bottom = exact(numerator), exact(denominator)
    if top is None or not bottom:
        return None
    return Fraction(top) / Fraction(bottom)


def rounded_ratio(numerator, denominator, places: int) -> Decimal | None:
    """round_to(ratio(numerator, denominator), places): an average score, say.
    Counts (ints) take integer arithmetic, with the same result to the digit."""
    if numerator.__class__ is int and denominator.__class__ is int and numerator >= 0 and denominator > 0:
        whole, rest = divmod(numerator * 10 ** int(places), denominator)
        if 2 * rest >= denominator:  # half up
            whole += 1
        return Decimal(whole).scaleb(-int(places))
    return round_to(ratio(numerator, denominator), places)


def share(numerator, denominator, places: int = PERCENT_PLACES) -> Decimal | None:
    """numerator as a percentage of denominator, 0.1, half up: ``share(5, 7)`` → ``71.4``.

    ``None`` when the denominator is zero or missing: a share of nothing is not 0%.
    """
    if numerator.__class__ is int and denominator.__class__ is int and numerator >= 0 and denominator > 0:
        return rounded_ratio(numerator * 100, denominator, places)
    exact_ratio = ratio(numerator, denominator)
    if exact_ratio is None:
        return None
    return round_to(exact_ratio * 100, places)


def percent(value, places: int = PERCENT_PLACES) -> Decimal | None:
    """A value already in percent, rounded to 0.1: ``71.42857`` → ``71.4``."""
    return round_to(value, places)


def points(delta, places: int = PERCENT_PLACES) -> Decimal | None:
    """A change of a percentage, in percentage points (个百分点), 0.1, half up.

    ``delta`` is the difference of two exact shares (not of two rounded ones), so
    ``points(share_now - share_before)``, where both are exact, e.g. ``ratio(a, b) * 100``.
    """
    return round_to(delta, places)


# Units of things counted one by one: a quantity in these is a count, shown without
# decimals (5 部, not 5.00 部). Measured units (㎡, 公里, 米, 吨) keep two places.
COUNT_UNITS = frozenset("个部件栋户台处套座辆棵盏根家只间所组项笔份起人次")


def is_count_unit(unit: str) -> bool:
    return (unit or "").strip() in COUNT_UNITS


def _grouped(number: Decimal | int) -> str:
    return f"{number:,}"


def format_money(value, places: int = YUAN_PLACES) -> str:
    """``1658647`` → ``"1,658,647.00"``; ``None`` → ``""``."""
    rounded = round_to(value, places)
    return "" if rounded is None else _grouped(rounded)


def format_wan(value, places: int = WAN_PLACES) -> str:
    """``1658647`` (元 or ㎡) → ``"165.86"`` (万); ``None`` → ``""``."""
    if exact(value) is None:
        return ""
    return _grouped(wan(value, places))


def format_count(value) -> str:
    """``Decimal("1234.00")`` → ``"1,234"``; ``None`` → ``""``."""
    number = count(value)
    return "" if number is None else _grouped(number)


def format_percent(value, places: int = PERCENT_PLACES) -> str:
    """A percentage value → ``"71.4%"``; ``None`` → ``""``."""
    rounded = percent(value, places)
    return "" if rounded is None else f"{_grouped(rounded)}%"


def format_points(delta, places: int = PERCENT_PLACES) -> str:
    """A change of a percentage → ``"+71.4 个百分点"`` (``"-3.0 个百分点"``, ``"0.0 个百分点"``)."""
    rounded = points(delta, places)
    if rounded is None:
        return ""
    sign = "+" if rounded > 0 else ""
    return gettext("%(sign)s%(points)s 个百分点") % {"sign": sign, "points": _grouped(rounded)}


def format_quantity(value, unit: str = "") -> str:
    """A quantity in its unit: a count without decimals when the unit counts things
    (``5.00`` 部 → ``"5"``), else two places (``1234.5`` ㎡ → ``"1,234.50"``). A count
    that is not whole (2.5 部, a typing slip) keeps its decimals rather than be rounded away."""
    number = exact(value)
    if number is None:
        return ""
    if is_count_unit(unit) and number == int(number):
        return format_count(number)
    return format_money(number)
