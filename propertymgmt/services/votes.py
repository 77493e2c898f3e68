"""Owners' votes: the register of electors, one-time codes, paper and online
ballots, and the exact tally (area by home, heads by distinct owner)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action, get_scoped_object_or_404
from communities import selectors as ledger_selectors
from propertymgmt.models import Ballot, BallotChoice, OwnersVote, VoteElector, VoteStatus, VoteSubject, VoteThreshold
from propertymgmt.services.common import _estate


def _fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


@transaction.atomic
def open_vote(*, user, estate_id: int, subject: str, title: str, opens_on: date, closes_on: date) -> OwnersVote:
    """Put a matter to the owners. The eligible homes are the register as it stands now."""
    estate = _estate(user, estate_id)
    if subject not in VoteSubject.values:
        raise ValidationError({"subject": _("请选择表决事项类型。")})
    rule = VoteThreshold.objects.get(subject=subject)
    households = list(ledger_selectors.households_of(estate_id=estate.pk))
    if not households:
        raise ValidationError(_("该小区尚未建立房屋户籍，无法发起表决。"))
    vote = OwnersVote(
        estate=estate,
        subject=subject,
        title=title.strip(),
        opens_on=opens_on,
        closes_on=closes_on,
        quorum=_fraction_text(Fraction(rule.quorum_numerator, rule.quorum_denominator)),
        threshold=_fraction_text(Fraction(rule.pass_numerator, rule.pass_denominator)),
        threshold_inclusive=rule.pass_inclusive,
        eligible_area=sum((h.exclusive_area for h in households), Decimal("0")),
        eligible_heads=len({h.owner_key for h in households}),
        created_by=user,
    )
    vote.full_clean()
    vote.save()
    VoteElector.objects.bulk_create(
        VoteElector(vote=vote, household=h, owner_key=h.owner_key, owner_name=h.owner_name, area=h.exclusive_area)
        for h in households
    )
    return vote


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


@transaction.atomic
def issue_codes(*, user, vote_id: int) -> dict[int, str]:
    """One-time codes for online voting, one per home; only their hashes are kept.
    Returns {household id: code} for printing; issuing again replaces unused codes."""
    vote = get_scoped_object_or_404(OwnersVote.objects.select_for_update(), user, Action.CHANGE, pk=vote_id)
    _refuse_closed(vote)
    codes = {}
    electors = list(vote.electors.filter(code_used_at__isnull=True, ballot__isnull=True))
    alphabet = "ABCDEFGHJKLMNPQRTUWXY3456789"
    for elector in electors:
        code = "".join(secrets.choice(alphabet) for _i in range(10))
        elector.code_hash = _hash_code(code)
        codes[elector.household_id] = code
    VoteElector.objects.bulk_update(electors, ["code_hash"])
    return codes


def _refuse_closed(vote: OwnersVote) -> None:
    if vote.status == VoteStatus.CLOSED:
        raise ValidationError(_("表决已结束，结果不能更改。"))


def _check_owner_consistent(vote: OwnersVote, elector: VoteElector, choice: str) -> None:
    """One owner with several homes is one head: the owner's ballots must agree."""
    other = (
        Ballot.objects.filter(vote=vote, elector__owner_key=elector.owner_key)
        .exclude(elector=elector)
        .exclude(choice=choice)
        .exists()
    )
    if other:
        raise ValidationError(_("同一业主名下多套房屋的表决意见应一致（按一人计算人数）。"))


@transaction.atomic
def record_paper_ballot(*, user, vote_id: int, household_id: int, choice: str) -> Ballot:
    vote = get_scoped_object_or_404(OwnersVote.objects.select_for_update(), user, Action.CHANGE, pk=vote_id)
    _refuse_closed(vote)
    if choice not in BallotChoice.values:
        raise ValidationError({"choice": _("请选择同意、反对或弃权。")})
    elector = VoteElector.objects.filter(vote=vote, household_id=household_id).first()
    if elector is None:
        raise ValidationError({"household": _("该户不在本次表决的业主名册中。")})
    if Ballot.objects.filter(elector=elector).exists():
        raise ValidationError({"household": _("该户已经投票，不能重复投票。")})
    _check_owner_consistent(vote, elector, choice)
    return Ballot.objects.create(
        vote=vote, elector=elector, choice=choice, channel=Ballot.Channel.PAPER, recorded_by=user
    )


@transaction.atomic
def cast_online(*, vote_id: int, code: str, choice: str, now=None) -> Ballot:
    """An owner votes with the one-time code; the code is spent whatever follows."""
    now = now or timezone.now()
    vote = OwnersVote.objects.select_for_update().filter(pk=vote_id).first()
    if vote is None:
        raise ValidationError(_("没有找到该表决。"))
    _refuse_closed(vote)
    if not (vote.opens_on <= timezone.localdate(now) <= vote.closes_on):
        raise ValidationError(_("不在表决期限内。"))
    if choice not in BallotChoice.values:
        raise ValidationError({"choice": _("请选择同意、反对或弃权。")})
    elector = (
        VoteElector.objects.select_for_update().filter(vote=vote, code_hash=_hash_code(code or "")).first()
        if code
        else None
    )
    if elector is None or elector.code_used_at is not None:
        raise ValidationError({"code": _("表决码不正确或已使用。")})
    if Ballot.objects.filter(elector=elector).exists():
        raise ValidationError({"code": _("该户已经投票，不能重复投票。")})
    _check_owner_consistent(vote, elector, choice)
    elector.code_used_at = now
    elector.save(update_fields=["code_used_at"])
    return Ballot.objects.create(vote=vote, elector=elector, choice=choice, channel=Ballot.Channel.ONLINE, cast_at=now)


@dataclass(frozen=True)
class VoteResult:
    eligible_area: Decimal
    eligible_heads: int
    participating_area: Decimal
    participating_heads: int
    agreeing_area: Decimal
    agreeing_heads: int
    quorum: Fraction
    threshold: Fraction
    inclusive: bool

    @property
    def area_participation(self) -> Fraction:
        return Fraction(self.participating_area) / Fraction(self.eligible_area) if self.eligible_area else Fraction(0)

    @property
    def heads_participation(self) -> Fraction:
        return Fraction(self.participating_heads, self.eligible_heads) if self.eligible_heads else Fraction(0)

    @property
    def area_agreement(self) -> Fraction:
        return (
            Fraction(self.agreeing_area) / Fraction(self.participating_area) if self.participating_area else Fraction(0)
        )

    @property
    def heads_agreement(self) -> Fraction:
        return Fraction(self.agreeing_heads, self.participating_heads) if self.participating_heads else Fraction(0)

    @property
    def quorum_met(self) -> bool:
        return self.area_participation >= self.quorum and self.heads_participation >= self.quorum

    def _reaches(self, share: Fraction) -> bool:
        return share >= self.threshold if self.inclusive else share > self.threshold

    @property
    def passed(self) -> bool:
        return self.quorum_met and self._reaches(self.area_agreement) and self._reaches(self.heads_agreement)


def tally(vote: OwnersVote) -> VoteResult:
    """Count the ballots exactly: area by home, heads by distinct owner."""
    participating_area = Decimal("0")
    agreeing_area = Decimal("0")
    participating_owners = set()
    agreeing_owners = set()
    for owner_key, area, choice in Ballot.objects.filter(vote=vote).values_list(
        "elector__owner_key", "elector__area", "choice"
    ):
        participating_area += area
        participating_owners.add(owner_key)
        if choice == BallotChoice.AGREE:
            agreeing_area += area
            agreeing_owners.add(owner_key)
    return VoteResult(
        eligible_area=vote.eligible_area,
        eligible_heads=vote.eligible_heads,
        participating_area=participating_area,
        participating_heads=len(participating_owners),
        agreeing_area=agreeing_area,
        agreeing_heads=len(agreeing_owners),
        quorum=Fraction(vote.quorum),
        threshold=Fraction(vote.threshold),
        inclusive=vote.threshold_inclusive,
    )


@transaction.atomic
def close_vote(*, user, vote_id: int) -> OwnersVote:
    vote = get_scoped_object_or_404(OwnersVote.objects.select_for_update(), user, Action.CHANGE, pk=vote_id)
    _refuse_closed(vote)
    result = tally(vote)
    vote.participating_area = result.participating_area
    vote.participating_heads = result.participating_heads
    vote.agreeing_area = result.agreeing_area
    vote.agreeing_heads = result.agreeing_heads
    vote.quorum_met = result.quorum_met
    vote.passed = result.passed
    vote.status = VoteStatus.CLOSED
    vote.closed_at = timezone.now()
    vote.save()
    return vote
