from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from core.figures import points

register = template.Library()


@register.filter
def figure(value):
    """A headline number: 12,345 for counts, 1,234.56 for 万㎡ and 万元, — when unknown."""
    if value is None:
        return "—"
    if isinstance(value, float):  # rates in %
        return f"{value:,.1f}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if value.as_tuple().exponent <= -2 else f"{value:,}"
    return f"{value:,}"


@register.filter
def change(value):
    """The change against an earlier figure: +12, −3.5, 持平, or — when unknown."""
    if value is None:
        return "—"
    if value == 0:
        return _("持平")
    sign = "+" if value > 0 else "−"
    return f"{sign}{figure(abs(value))}"


@register.filter
def change_points(value):
    """The change of a share, rounded once to 0.1: +1.3 个百分点, −0.4 个百分点, 持平, or —."""
    if value is None:
        return "—"
    rounded = points(value)
    if rounded == 0:
        return _("持平")
    sign = "+" if rounded > 0 else "−"
    return _("%(sign)s%(points)s 个百分点") % {"sign": sign, "points": f"{abs(rounded):,}"}


@register.filter
def split_words(value):
    return value.split()


@register.filter
def lookup(mapping, key):
    return mapping[key]
