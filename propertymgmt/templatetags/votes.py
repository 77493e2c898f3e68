"""How an owners' vote shows its shares: a percentage, with the exact basis on hover."""

from django import template
from django.utils.html import format_html

from core import figures

register = template.Library()


@register.simple_tag
def vote_share(part, whole, *, area: bool = False) -> str:
    """`part` as a share of `whole`: "31.3%", with "513.47 ÷ 1,640.06" (㎡) or "8 ÷ 24"
    (heads) as the tooltip. The share is rounded half up to 0.1% for reading only:
    whether a vote passes is decided on the exact fractions, so a share shown as
    66.7% may still fall short of 2/3, and the tooltip shows why."""
    shown = figures.format_percent(figures.share(part, whole))
    if area:
        basis = f"{figures.format_money(part)} ÷ {figures.format_money(whole)} ㎡"
    else:
        basis = f"{figures.format_count(part)} ÷ {figures.format_count(whole)}"
    return format_html('<span class="vote-share" title="{}">{}</span>', basis, shown or "—")
