"""The maintenance fund: used only on a passed owners' vote, never beyond the balance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from communities import services as ledger
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
    withdrawal = FundWithdrawal(
        estate=estate, vote=vote, amount=amount, purpose=purpose.strip(), withdrawn_on=withdrawn_on, recorded_by=user
    )
    withdrawal._history_user = user
    withdrawal.full_clean()
    # The ledger locks the estate's row and checks the balance: no lost update, never below zero.
    ledger.draw_from_fund(
        user=user, estate_id=estate.pk, amount=amount, reason=_("维修资金使用：%(p)s") % {"p": purpose[:50]}
    )
    withdrawal.save()
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
