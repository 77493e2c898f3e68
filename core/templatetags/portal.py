from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from core.validators import mask_mobile

register = template.Library()


@register.filter
def wan(value, places=2):
    """12345.6 m² → "1.23" (万平方米); the same for 元 → 万元."""
    if value in (None, ""):
        return ""
    amount = (Decimal(value) / Decimal(10000)).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    return intcomma(amount)


@register.filter
def thousands(value):
    """1234567.5 → 1,234,567.5 (the grouping is the same in both UI languages)."""
    if value in (None, ""):
        return ""
    if isinstance(value, (int, Decimal)):
        return f"{value:,}"
    return intcomma(value)


@register.filter
def masked(value):
    return mask_mobile(value or "")


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
