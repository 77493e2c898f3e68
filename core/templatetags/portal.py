import datetime
from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import formats, timezone

from core import figures
from core.pagination import PAGE_SIZES
from core.validators import mask_account_number, mask_mobile

register = template.Library()

# The figure filters: each rounds once, half up, to the unit of its column (see
# core/figures.py and docs/figures.md) and groups thousands the same in both UI
# languages. None or "" shows as an empty cell.


@register.filter
def money(value, places=2):
    """1658647 → "1,658,647.00" (元, to the fen)."""
    return figures.format_money(value, int(places))


@register.filter
def wan(value, places=2):
    """1658647 元 → "165.86" (万元); the same for ㎡ → 万平方米."""
    return figures.format_wan(value, int(places))


@register.filter
def count(value):
    """A count of units (户, 栋, 部, 件): Decimal("1234.00") → "1,234", never decimals."""
    return figures.format_count(value)


@register.filter
def quantity(value, unit=""):
    """A work quantity in its unit: 5.00|quantity:"部" → "5"; 1234.5|quantity:"㎡" → "1,234.50"."""
    return figures.format_quantity(value, unit)


@register.filter
def percent(value, places=1):
    """A value already in percent: 71.428 → "71.4%"."""
    return figures.format_percent(value, int(places))


@register.filter
def share(numerator, denominator):
    """numerator as a percentage of denominator: 5|share:7 → "71.4%"; "—" when the denominator is 0."""
    value = figures.share(numerator, denominator)
    return "—" if value is None else figures.format_percent(value)


@register.filter
def points(value, places=1):
    """A change of a percentage: 71.43 → "+71.4 个百分点"."""
    return figures.format_points(value, int(places))


@register.filter
def cn_date(value):
    """A date as reports show it: 2026年3月5日 (in the English UI: 5 Mar 2026).

    A datetime is first moved to the local time zone, so a case filed at 23:30 in
    Beijing is dated that day, not the UTC one.
    """
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return formats.date_format(value, "DATE_FORMAT")


@register.filter
def thousands(value):
    """1234567.5 → 1,234,567.5 (the grouping is the same in both UI languages)."""
    if value in (None, ""):
        return ""
    if isinstance(value, float):
        value = figures.exact(value)
    if isinstance(value, (int, Decimal)):
        return f"{value:,}"
    return intcomma(value)


@register.filter
def masked(value):
    return mask_mobile(value or "")


@register.filter
def account_mask(value):
    """A bank account number as lists show it: 6222 **** **** 1234."""
    return mask_account_number(value or "")


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (page reset)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    if "page" not in changes:
        params.pop("page", None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_link(context, field):
    """Sort by `field`; clicking the current sort reverses it."""
    current = context["request"].GET.get("sort", "")
    target = f"-{field}" if current == field else field
    return query_with(context, sort=target)


@register.simple_tag(takes_context=True)
def sort_mark(context, field):
    current = context["request"].GET.get("sort", "")
    if current == field:
        return "▲"
    if current == f"-{field}":
        return "▼"
    return ""


@register.simple_tag
def page_size_choices():
    """The sizes the pagination's 每页 selector offers (core.pagination.PAGE_SIZES):
    from the template itself, so no list view can leave the selector empty."""
    return PAGE_SIZES
