"""The units reports use: areas in 万平方米 and money in 万元."""

from decimal import ROUND_HALF_UP, Decimal

TEN_THOUSAND = Decimal(10000)
CENT = Decimal("0.01")


def wan(value) -> Decimal:
    """元 or ㎡ → 万, two places, rounded half up as the statistics office does."""
    return (Decimal(value or 0) / TEN_THOUSAND).quantize(CENT, rounding=ROUND_HALF_UP)
