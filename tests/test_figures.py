"""core.figures: the one rounding rule (half up, once, at display) and the filters
that show its figures. Property-based: the rule must hold for any amount, not only
for the ones someone thought of."""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core import figures

pytestmark = pytest.mark.figures

# Amounts as the ledger stores them: up to 14 digits before the point, two after.
fen = st.integers(min_value=-(10**16), max_value=10**16).map(lambda n: Decimal(n).scaleb(-2))
exact_amounts = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6, allow_nan=False, allow_infinity=False
)
positive = st.integers(min_value=1, max_value=10**9)


def half_up_reference(value: Fraction, places: int) -> Decimal:
    """Half up by hand: add half a unit to the magnitude and cut."""
    scaled = abs(value) * 10**places + Fraction(1, 2)
    rounded = Decimal(scaled.numerator // scaled.denominator).scaleb(-places)
    return -rounded if value < 0 and rounded else rounded


@given(exact_amounts, st.integers(min_value=0, max_value=4))
def test_round_to_is_half_up_away_from_zero(value, places):
    assert figures.round_to(value, places) == half_up_reference(Fraction(value), places)


@given(st.integers(min_value=-(10**9), max_value=10**9), st.integers(min_value=0, max_value=3))
def test_a_tie_rounds_away_from_zero(units, places):
    tie = (Decimal(units) + Decimal("0.5")).scaleb(-places)
    rounded = figures.round_to(tie, places)
    assert abs(rounded) == (abs(Decimal(units)) + (1 if units >= 0 else 0)).scaleb(-places)


@given(st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**6), st.integers(0, 3))
def test_fractions_round_exactly(value, places):
    assert figures.round_to(value, places) == half_up_reference(value, places)


@given(exact_amounts)
def test_a_float_is_read_by_its_shortest_repr(value):
    as_float = float(value)
    assert figures.yuan(as_float) == Decimal(repr(as_float)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_float_noise_disappears_at_the_fen():
    assert figures.yuan(2563282.7400000001) == Decimal("2563282.74")
    assert figures.yuan(0.1 + 0.2) == Decimal("0.30")
    assert figures.yuan(Decimal("1790041.20000000")) == Decimal("1790041.20")
    assert str(figures.yuan(-0.001)) == "0.00"


@given(st.lists(fen, max_size=50))
def test_a_total_is_the_rounded_exact_sum_not_the_sum_of_rounded_rows(rows):
    assert figures.wan(sum(rows, Decimal(0))) == half_up_reference(Fraction(sum(rows, Decimal(0))) / 10000, 2)


@given(st.lists(exact_amounts, min_size=1, max_size=30))
def test_rounded_rows_differ_from_the_total_by_at_most_half_a_fen_each(rows):
    total = figures.yuan(sum(rows, Decimal(0)))
    of_rounded = sum((figures.yuan(row) for row in rows), Decimal(0))
    assert abs(total - of_rounded) <= Decimal("0.005") * (len(rows) + 1)


@given(fen)
def test_wan_is_yuan_over_ten_thousand_rounded_once(value):
    assert figures.wan(value) == half_up_reference(Fraction(value) / 10000, 2)


def test_wan_examples():
    assert figures.wan(1658647) == Decimal("165.86")
    assert figures.wan(None) == Decimal("0.00")
    assert figures.wan(Decimal("225600.5")) == Decimal("22.56")
    assert figures.wan(50) == Decimal("0.01")  # 0.005 万 rounds up


@given(st.integers(min_value=0, max_value=10**9), positive)
def test_share_is_an_exact_percentage_to_one_decimal(numerator, denominator):
    assert figures.share(numerator, denominator) == half_up_reference(Fraction(numerator * 100, denominator), 1)


def test_share_of_nothing_is_no_share():
    assert figures.share(5, 0) is None
    assert figures.share(5, None) is None
    assert figures.share(5, 7) == Decimal("71.4")
    assert figures.share(2, 3) == Decimal("66.7")
    assert figures.share(1, 8) == Decimal("12.5")


@given(st.integers(0, 1000), positive, st.integers(0, 1000), positive)
def test_points_round_the_exact_difference_once(a, b, c, d):
    exact_delta = figures.ratio(a, b) * 100 - figures.ratio(c, d) * 100
    assert figures.points(exact_delta) == half_up_reference(exact_delta, 1)


@given(st.integers(min_value=0, max_value=10**12))
def test_counts_are_integers_with_separators(n):
    assert figures.count(Decimal(n).quantize(Decimal("0.01"))) == n
    assert figures.format_count(Decimal(n).quantize(Decimal("0.01"))) == f"{n:,}"


@given(fen)
def test_money_text_has_separators_and_exactly_two_decimals(value):
    text = figures.format_money(value)
    whole, _, cents = text.lstrip("-").partition(".")
    assert len(cents) == 2
    assert whole.replace(",", "").isdigit()
    assert all(len(group) == 3 for group in whole.split(",")[1:])
    assert Decimal(text.replace(",", "")) == value


def render(source, **context):
    return Template("{% load portal %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("source", "value", "expected"),
    [
        ("{{ v|money }}", Decimal("1658647"), "1,658,647.00"),
        ("{{ v|money }}", 2563282.74000000001, "2,563,282.74"),
        ("{{ v|money }}", None, ""),
        ("{{ v|wan }}", Decimal("1658647"), "165.86"),
        ("{{ v|wan }}", Decimal("123456789012"), "12,345,678.90"),
        ("{{ v|count }}", Decimal("57.00"), "57"),
        ("{{ v|count }}", 1234, "1,234"),
        ("{{ v|percent }}", Decimal("71.4286"), "71.4%"),
        ("{{ v|points }}", Decimal("71.43"), "+71.4 个百分点"),
        ("{{ v|points }}", Decimal("-3"), "-3.0 个百分点"),
        ("{{ v|points }}", Decimal("0.04"), "0.0 个百分点"),
        ("{{ v|cn_date }}", datetime.date(2026, 3, 5), "2026年3月5日"),
    ],
)
def test_filters(source, value, expected):
    with translation.override("zh-hans"):
        assert render(source, v=value) == expected


def test_cn_date_takes_the_local_day_of_a_datetime(settings):
    utc_late = datetime.datetime(2026, 3, 4, 16, 30, tzinfo=datetime.UTC)  # 00:30 on the 5th in Beijing
    with translation.override("zh-hans"):
        assert render("{{ v|cn_date }}", v=utc_late) == "2026年3月5日"


def test_points_in_english():
    with translation.override("en"):
        assert render("{{ v|points }}", v=Decimal("1.25")) == "+1.3 percentage points"


def test_a_change_of_a_share_is_shown_in_points_from_the_exact_rates():
    """Dashboard: 5/7 this month against 2/3 last month is +4.8 个百分点 (71.428… − 66.666…),
    not 71.4 − 66.7 = +4.7, and not a bare +4.8."""
    from dashboard.board import Figure
    from dashboard.templatetags.dashboard import change_points

    now, before = figures.ratio(5, 7) * 100, figures.ratio(2, 3) * 100
    rate = Figure(
        "rate", "按期办结率", figures.share(5, 7), "%", "/", last_month=figures.share(2, 3), exact=(now, before, None)
    )
    assert rate.is_share
    with translation.override("zh-hans"):
        assert change_points(rate.vs_last_month) == "+4.8 个百分点"
        assert change_points(Decimal("-0.04")) == "持平"
        assert change_points(Decimal("-1.25")) == "−1.3 个百分点"
        assert change_points(None) == "—"
    assert Figure("n", "件", 12, "件", "/", last_month=10).vs_last_month == 2


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal("5.00"), "部", "5"),
        (Decimal("57.00"), "个", "57"),
        (Decimal("1234.5"), "㎡", "1,234.50"),
        (Decimal("2.50"), "部", "2.50"),
        (Decimal("12.30"), "公里", "12.30"),
    ],
)
def test_quantities_of_counted_things_have_no_decimals(value, unit, expected):
    assert render("{{ v|quantity:u }}", v=value, u=unit) == expected


def test_share_filter():
    assert render("{{ a|share:b }}", a=Decimal("0.85"), b=1) == "85.0%"
    assert render("{{ a|share:b }}", a=5, b=0) == "—"
