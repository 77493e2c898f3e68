"""How a case's status and ratings are shown on the staff and public pages."""

from django import template
from django.utils.translation import gettext as _

from complaints.choices import STATUS_BADGES, Satisfaction

register = template.Library()


@register.filter
def status_badge(status) -> str:
    """The badge colour of a status family (grey for an unknown status)."""
    return STATUS_BADGES.get(status, "text-bg-secondary")


@register.filter
def satisfaction(rating) -> str:
    """A 1–5 rating with its meaning and the scale: "5分（非常满意，满分5分）"."""
    if rating in (None, ""):
        return ""
    try:
        label = Satisfaction(int(rating)).label
    except ValueError:
        return str(rating)
    return _("%(n)s分（%(label)s，满分5分）") % {"n": int(rating), "label": label}
