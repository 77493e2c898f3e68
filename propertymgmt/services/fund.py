"""The maintenance fund: used only on a passed owners' vote, never beyond the balance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from communities.models import Estate
from propertymgmt.models import FundWithdrawal, OwnersVote, VoteStatus, VoteSubject
from propertymgmt.services.common import _estate


@transaction.atomic
def withdraw_fund(
    *, user, estate_id: int, vote_id: int | None, amount: Decimal, purpose: str, withdrawn_on: date
) -> FundWithdrawal:
    """Use the maintenance fund: only on a passed owners' vote of this estate about
    using (or raising) the fund, and never beyond the balance."""
    estate = _estate(user, estate_id)
    vote = OwnersVote.objects.filter(pk=vote_id, estate=estate).first() if vote_id else None
    if vote is None or vote.status != VoteStatus.CLOSED or not vote.passed or vote.subject != VoteSubject.FUND_USE:
        raise ValidationError({"vote": _("使用维修资金须经业主共同决定（已通过的“使用维修资金”表决）。")})
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("金额须大于0。")})
    locked = Estate.objects.select_for_update().get(pk=estate.pk)
    if locked.fund_balance is None or locked.fund_balance < amount:
        raise ValidationError({"amount": _("金额超过维修资金余额（%(b)s元）。") % {"b": locked.fund_balance or 0}})
    withdrawal = FundWithdrawal(
        estate=estate, vote=vote, amount=amount, purpose=purpose.strip(), withdrawn_on=withdrawn_on, recorded_by=user
    )
    withdrawal._history_user = user
    withdrawal.full_clean()
    withdrawal.save()
    locked.fund_balance -= amount  # the row is locked: no lost update
    locked.version += 1
    locked._history_user = user
    locked._change_reason = _("维修资金使用：%(p)s") % {"p": purpose[:50]}
    locked.save(update_fields=["fund_balance", "version"])
    return withdrawal


# --- Subsidies ------------------------------------------------------------------------------------------------------
#
# A run writes payments with one INSERT … SELECT per batch of estates, keyed by
# (estate, period, tranche) with ON CONFLICT DO NOTHING: a retry, a second beat
# process or two officials pressing the button at once add nothing. Each batch is
# one transaction, so a failure half-way leaves whole payments (and the next run
# completes the rest), never a partial one. Amounts are computed by PostgreSQL's
# exact numeric arithmetic and rounded half up to the fen:
#   full    = round(area × rate × months / 12, 2)
#   advance = round(full × advance share, 2)                      (70% by default)
