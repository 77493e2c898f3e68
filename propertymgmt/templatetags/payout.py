"""Where a subsidy payment stands, for the payment lists (selectors.with_payout_state rows)."""

from django import template

from propertymgmt import selectors

register = template.Library()


@register.filter
def payout(payment) -> str:
    return selectors.payout_label(payment)
