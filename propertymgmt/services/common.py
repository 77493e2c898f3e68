"""What the property services share: the estate in the user's scope, the
estate's management mode kept through the ledger's own service, and the check
that a cited owners' vote decided the matter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.scoping import Action
from communities import selectors as ledger_selectors
from communities import services as ledger
from propertymgmt.models import VoteStatus

FEN = Decimal("0.01")


def _estate(user, estate_id, action=Action.CHANGE):
    return ledger_selectors.estate_for(user=user, estate_id=estate_id, action=action)


def _set_mode(*, user, estate, mode: str, since: date, note: str = "") -> None:
    """Change the estate's management mode through the ledger's own service, which
    closes the open ManagementPeriod and opens the next (the mode's history)."""
    estate = ledger_selectors.all_estates().get(pk=estate.pk)
    if estate.management_mode == mode:
        return
    ledger.update_estate(
        user=user,
        estate_id=estate.pk,
        data={"management_mode": mode},
        expected_version=estate.version,
        mode_since=since,
    )


def _check_decision(vote, *, estate, subjects: set[str], field: str) -> None:
    """A vote cited as the owners' decision must be this estate's, closed and passed, on the matter."""
    if vote is None:
        return
    if (
        vote.estate_id != estate.pk
        or vote.status != VoteStatus.CLOSED
        or not vote.passed
        or vote.subject not in subjects
    ):
        raise ValidationError({field: _("所引用的表决须是本小区已通过的、事项相符的业主共同决定。")})
