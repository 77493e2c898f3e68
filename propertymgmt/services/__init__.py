"""Writes of the property app: contracts, fees, assessments, votes, the fund,
committees and their reminders, and subsidies. Views, the API, Celery tasks and
commands call these; each checks the user's scope, validates and writes inside
one transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import Action, can, get_scoped_object_or_404, scoped, user_scope
from propertymgmt.models import (
    BODY_MODE,
    Assessment,
    Ballot,
    BallotChoice,
    CompanyStatus,
    Contract,
    ExitOrder,
    FeeCollection,
    FundWithdrawal,
    OwnersVote,
    PropertyCompany,
    ScoringScheme,
    VoteElector,
    VoteStatus,
    VoteSubject,
    VoteThreshold,
)

FEN = Decimal("0.01")


def _estate(user, estate_id, action=Action.CHANGE):
    from communities.models import Estate

    return get_scoped_object_or_404(Estate.objects.select_related("community__street"), user, action, pk=estate_id)


def _set_mode(*, user, estate, mode: str, since: date, note: str = "") -> None:
    """Change the estate's management mode through the ledger's own service, which
    closes the open ManagementPeriod and opens the next (the mode's history)."""
    from communities.models import Estate
    from communities.services import update_estate

    estate = Estate.objects.get(pk=estate.pk)
    if estate.management_mode == mode:
        return
    update_estate(
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


# --- Companies ----------------------------------------------------------------------------------------------------


@transaction.atomic
def save_company(*, user, data: dict, company_id: int | None = None) -> PropertyCompany:
    """Companies are registered by the district (they work across streets)."""
    fields = ("name", "credit_code", "contact_person", "contact_phone", "address")
    if company_id is None:
        if not can(user, Action.CREATE, PropertyCompany) or user.district_id is None and not user.is_superuser:
            raise ValidationError(_("物业服务企业由区级管理人员登记。"))
        company = PropertyCompany(district_id=data.get("district_id") or user.district_id)
    else:
        company = get_scoped_object_or_404(PropertyCompany.objects, user, Action.CHANGE, pk=company_id)
    for name in fields:
        if name in data:
            setattr(company, name, (data[name] or "").strip())
    company.credit_code = company.credit_code.upper()
    company._history_user = user
    company.full_clean()
    company.save()
    return company


# --- Contracts ------------------------------------------------------------------------------------------------------

CONTRACT_FIELDS = (
    "body",
    "company",
    "rights_unit",
    "starts_on",
    "ends_on",
    "service_level",
    "fee_standard",
    "full_service",
    "cleaning",
    "security",
    "greening",
    "repairs",
    "vote",
)


@transaction.atomic
def start_contract(*, user, estate_id: int, data: dict) -> Contract:
    """Record a new contract for an estate. The estate's active contract, if any,
    ends the day the new one starts; the estate's management mode follows the new
    managing body, with history kept by the ledger."""
    estate = _estate(user, estate_id)
    contract = Contract(estate=estate, created_by=user, **{k: v for k, v in data.items() if k in CONTRACT_FIELDS})
    _check_decision(contract.vote, estate=estate, subjects={VoteSubject.HIRE_COMPANY}, field="vote")
    company = contract.company if contract.company_id else None
    if company is not None:
        if company.district_id != estate.community.street.district_id:
            raise ValidationError({"company": _("请选择本区登记的物业服务企业。")})
        if company.status == CompanyStatus.ORDERED_OUT:
            raise ValidationError({"company": _("该企业已被责令退出，不能签订新合同。")})
        if company.status == CompanyStatus.WITHDRAWN:
            raise ValidationError({"company": _("该企业已撤出，不能签订新合同。")})
    if contract.full_service:
        contract.cleaning = contract.security = contract.greening = contract.repairs = False
    contract.full_clean(exclude=["estate"], validate_constraints=False)
    current = Contract.objects.select_for_update().filter(estate=estate, ended_on__isnull=True).first()
    if current is not None:
        if contract.starts_on < current.starts_on:
            raise ValidationError({"starts_on": _("新合同开始日期不能早于现行合同的开始日期。")})
        current.ended_on = contract.starts_on
        current.end_reason = _("由新合同接替")
        current._history_user = user
        current.save(update_fields=["ended_on", "end_reason"])
    contract.full_clean()
    contract._history_user = user
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError as exc:  # a concurrent clerk started one first
        raise ValidationError(_("该小区已有执行中的合同，请先结束原合同。")) from exc
    _set_mode(user=user, estate=estate, mode=BODY_MODE[contract.body], since=contract.starts_on)
    return contract


@transaction.atomic
def end_contract(*, user, contract_id: int, ended_on: date, reason: str, vote_id: int | None = None) -> Contract:
    """End a contract; the estate is unmanaged (无人管理) until the next one starts.

    When the owners dismissed the manager (解聘), the passed vote on hiring or dismissing
    the manager is cited and kept with the contract: it must be this estate's, closed and
    passed, decided during the contract, and not the vote that hired it."""
    contract = get_scoped_object_or_404(
        Contract.objects.select_for_update(of=("self",)).select_related("estate"), user, Action.CHANGE, pk=contract_id
    )
    if contract.ended_on is not None:
        raise ValidationError(_("该合同已经结束。"))
    if not reason.strip():
        raise ValidationError({"end_reason": _("请填写结束原因。")})
    if ended_on < contract.starts_on:
        raise ValidationError({"ended_on": _("结束日期不能早于合同开始日期。")})
    vote = None
    if vote_id:
        vote = OwnersVote.objects.filter(pk=vote_id).first()
        if vote is None:
            raise ValidationError({"vote": _("没有找到所引用的解聘表决。")})
        _check_decision(vote, estate=contract.estate, subjects={VoteSubject.HIRE_COMPANY}, field="vote")
        if vote.pk == contract.vote_id:
            raise ValidationError({"vote": _("选聘该管理人的表决不能作为解聘的依据，请引用解聘表决。")})
        if vote.closes_on < contract.starts_on:
            raise ValidationError({"vote": _("解聘表决须在合同开始之后作出。")})
        if vote.closes_on > ended_on:
            raise ValidationError({"ended_on": _("合同结束日期不能早于解聘表决的截止日期。")})
    contract.ended_on = ended_on
    contract.end_reason = reason.strip()[:200]
    contract.end_vote = vote
    contract._history_user = user
    contract.save(update_fields=["ended_on", "end_reason", "end_vote"])
    _set_mode(user=user, estate=contract.estate, mode="none", since=ended_on, note=reason)
    return contract


@transaction.atomic
def record_fee_collection(
    *, user, estate_id: int, period_start: date, period_end: date, billed: Decimal, collected: Decimal
) -> FeeCollection:
    estate = _estate(user, estate_id)
    contract = Contract.objects.filter(estate=estate, ended_on__isnull=True).first()
    row = FeeCollection(
        estate=estate,
        contract=contract,
        period_start=period_start,
        period_end=period_end,
        billed=billed,
        collected=collected,
    )
    row.full_clean()
    row.save()
    return row


# --- Assessments and the exit rule ------------------------------------------------------------------------------


def _upheld_complaints(company_id: int | None, month: date) -> int:
    """Complaints resolved against the company during the month (the complaints app counts them)."""
    if company_id is None:
        return 0
    from complaints.selectors import upheld_counts_by_company

    last_day = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return upheld_counts_by_company(start=month, end=last_day).get(company_id, 0)


def score_of(*, scheme: ScoringScheme, item_scores: dict, complaints_upheld: int) -> Decimal:
    """The scheme's items summed, less the scheme's deduction per upheld complaint, never below 0."""
    total = Decimal("0")
    for item in scheme.items:
        value = Decimal(str(item_scores.get(item["code"], 0)))
        if value < 0 or value > Decimal(str(item["points"])):
            raise ValidationError(
                {"item_scores": _("“%(name)s”得分应在0至%(max)s之间。") % {"name": item["name"], "max": item["points"]}}
            )
        total += value
    total -= scheme.complaint_deduction * complaints_upheld
    return max(total, Decimal("0")).quantize(FEN)


@transaction.atomic
def record_assessment(
    *,
    user,
    contract_id: int,
    month: date,
    item_scores: dict,
    satisfaction: Decimal,
    security_incidents: int,
    remarks: str = "",
    scheme: ScoringScheme | None = None,
) -> Assessment:
    contract = get_scoped_object_or_404(Contract.objects, user, Action.CHANGE, pk=contract_id)
    scheme = scheme or ScoringScheme.objects.get(is_default=True)
    month = month.replace(day=1)
    upheld = _upheld_complaints(contract.company_id, month)
    assessment = Assessment(
        contract=contract,
        estate_id=contract.estate_id,
        company_id=contract.company_id,
        month=month,
        scheme=scheme,
        item_scores={k: str(v) for k, v in item_scores.items()},
        complaints_upheld=upheld,
        score=score_of(scheme=scheme, item_scores=item_scores, complaints_upheld=upheld),
        satisfaction=satisfaction,
        security_incidents=security_incidents,
        remarks=remarks,
        recorded_by=user,
    )
    assessment._history_user = user
    assessment.full_clean()
    assessment.save()
    return assessment


@transaction.atomic
def order_out(*, user, company_id: int, street_id: int, reason: str, today: date | None = None) -> ExitOrder:
    """The street office orders a company on its exit list out: its contracts in
    that street end with the reason, and the order keeps the evidence."""
    from communities.models import StreetOffice
    from propertymgmt.selectors import exit_list

    today = today or timezone.localdate()
    street = get_scoped_object_or_404(StreetOffice.objects, user, Action.VIEW, pk=street_id)
    if not can(user, Action.CHANGE, Contract) or user_scope(user).level == "community":
        raise ValidationError(_("责令退出由街道办事处决定。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写责令退出的原因。")})
    listed = [row for row in exit_list(user=user, today=today) if row["company_id"] == company_id]
    listed = [row for row in listed if row["street_id"] == street.pk]
    if not listed:
        raise ValidationError(_("该企业不在本街道的退出名单上，不能责令退出。"))
    company = PropertyCompany.objects.select_for_update().get(pk=company_id)
    evidence = {
        "incidents": listed[0]["incidents"],
        "satisfaction": str(listed[0]["satisfaction"]) if listed[0]["satisfaction"] is not None else None,
        "month": listed[0]["month"].isoformat(),
        "reasons": listed[0]["reasons"],
    }
    order = ExitOrder.objects.create(
        company=company,
        street=street,
        reason=reason.strip()[:300],
        evidence=evidence,
        ordered_on=today,
        ordered_by=user,
    )
    ended = scoped(Contract.objects, user, Action.CHANGE).filter(
        company=company, ended_on__isnull=True, estate__community__street=street
    )
    for contract in ended:
        end_contract(user=user, contract_id=contract.pk, ended_on=today, reason=_("责令退出：%(r)s") % {"r": reason})
    company.status = CompanyStatus.ORDERED_OUT
    company._history_user = user
    company.save(update_fields=["status"])
    return order


@transaction.atomic
def withdraw_company(*, user, company_id: int, withdrawn_on: date, reason: str) -> PropertyCompany:
    """A company leaves the district (撤出): its active contracts end that day with the
    reason, so every estate it managed shows as unmanaged until the next contract,
    and it can sign no new ones. Recorded by the district, which registers companies."""
    company = get_scoped_object_or_404(PropertyCompany.objects.select_for_update(), user, Action.CHANGE, pk=company_id)
    if company.status == CompanyStatus.WITHDRAWN:
        raise ValidationError(_("该企业已登记撤出。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写撤出原因。")})
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": _("撤出日期不能晚于今天。")})
    active = Contract.objects.filter(company=company, ended_on__isnull=True).order_by("pk")
    for contract in active:
        if contract.starts_on > withdrawn_on:
            raise ValidationError(
                {"withdrawn_on": _("撤出日期早于%(estate)s合同的开始日期。") % {"estate": contract.estate.name}}
            )
        end_contract(
            user=user,
            contract_id=contract.pk,
            ended_on=withdrawn_on,
            reason=_("企业撤出：%(r)s") % {"r": reason.strip()},
        )
    company.status = CompanyStatus.WITHDRAWN
    company._history_user = user
    company.save(update_fields=["status"])
    return company


# --- Owners' votes ------------------------------------------------------------------------------------------------


def _fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


@transaction.atomic
def open_vote(*, user, estate_id: int, subject: str, title: str, opens_on: date, closes_on: date) -> OwnersVote:
    """Put a matter to the owners. The eligible homes are the register as it stands now."""
    from communities.models import Household

    estate = _estate(user, estate_id)
    if subject not in VoteSubject.values:
        raise ValidationError({"subject": _("请选择表决事项类型。")})
    rule = VoteThreshold.objects.get(subject=subject)
    households = list(Household.objects.filter(estate=estate))
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


# --- Maintenance fund ------------------------------------------------------------------------------------------


@transaction.atomic
def withdraw_fund(
    *, user, estate_id: int, vote_id: int | None, amount: Decimal, purpose: str, withdrawn_on: date
) -> FundWithdrawal:
    """Use the maintenance fund: only on a passed owners' vote of this estate about
    using (or raising) the fund, and never beyond the balance."""
    from communities.models import Estate

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
#   balance = round((full − advance) × factor(score), 2)          (factor from ScoreFactor)
# "Already paid" is computed per batch in Python from a range scan of the unique index,
# not with NOT EXISTS in the INSERT: with statistics taken before the run the planner
# chose to re-scan every row written so far for each batch (>10 s a batch nationally).

SUBSIDY_BATCH = 20_000


def quarter_of(day: date) -> tuple[date, date]:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + 2
    end = (date(day.year, end_month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start, end


def ensure_period(*, district_id: int, day: date):
    """The subsidy period (a quarter) that contains `day`, created once."""
    from propertymgmt.models import SubsidyPeriod

    start, end = quarter_of(day)
    period, _created = SubsidyPeriod.objects.get_or_create(
        district_id=district_id,
        starts_on=start,
        defaults={"ends_on": end, "label": _quarter_label(start)},
    )
    return period


def _quarter_label(start: date) -> str:
    return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"


def ensure_periods(*, day: date) -> date:
    """Every district's period containing `day`, created once, in one statement."""
    from django.db import connection

    if connection.vendor != "postgresql":  # the demo's SQLite: same rows, portable statements
        from propertymgmt import portable_runs

        return portable_runs.ensure_periods(day=day)
    start, end = quarter_of(day)
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO propertymgmt_subsidyperiod (district_id, starts_on, ends_on, label, advance_share)
               SELECT d.id, %s, %s, %s, 0.700 FROM communities_district d
               ON CONFLICT (district_id, starts_on) DO NOTHING""",
            [start, end, _quarter_label(start)],
        )
    return start


def _id_batches(table: str, batch: int, where: str = "", params=()):
    from django.db import connection

    with connection.cursor() as cursor:
        # table and where are fixed strings of this module, never user input
        cursor.execute(f"SELECT min(id), max(id) FROM {table} {where}", list(params))
        low, high = cursor.fetchone()
    if low is None:
        return
    for start in range(low, high + 1, batch):
        yield start, min(start + batch, high + 1)


MONTHS_SQL = (
    "((date_part('year', p.ends_on) - date_part('year', p.starts_on)) * 12"
    " + date_part('month', p.ends_on) - date_part('month', p.starts_on) + 1)::int"
)

# Per batch of ids, three statements with plans that do not depend on fresh
# statistics: the candidates, those already paid (a range scan of the unique
# index), and an INSERT of the difference only (`= ANY` on the primary key).
# A second run stops after the first two: nothing to insert.

ADVANCE_CANDIDATES_SQL = """
SELECT e.id FROM communities_estate e
JOIN communities_community c ON c.id = e.community_id
JOIN communities_streetoffice s ON s.id = c.street_id
WHERE e.id >= %(low)s AND e.id < %(high)s AND s.district_id = ANY(%(districts)s::bigint[])
  AND e.year_built <= %(cutoff)s AND e.management_mode <> 'none' AND e.floor_area > 0
"""

PAID_SQL = """
SELECT x.estate_id FROM propertymgmt_subsidypayment x
WHERE x.estate_id >= %(low)s AND x.estate_id < %(high)s AND x.tranche = %(tranche)s
  AND x.period_id = ANY(%(periods)s::bigint[])
"""

ADVANCE_SQL = f"""
INSERT INTO propertymgmt_subsidypayment
    (period_id, tranche, estate_id, street_id, management_mode, area, rate, months, share, score, factor,
     amount, status, created_at)
SELECT p.id, 'advance', e.id, c.street_id, e.management_mode, e.floor_area, r.rate, {MONTHS_SQL}, p.advance_share,
       NULL, 1, round(round(e.floor_area * r.rate * {MONTHS_SQL} / 12, 2) * p.advance_share, 2), 'proposed', now()
FROM communities_estate e
JOIN communities_community c ON c.id = e.community_id
JOIN communities_streetoffice s ON s.id = c.street_id
JOIN propertymgmt_subsidyperiod p ON p.district_id = s.district_id AND p.starts_on = %(start)s
JOIN LATERAL (
    SELECT rate FROM propertymgmt_subsidyrate sr
    WHERE sr.management_mode = e.management_mode AND (sr.district_id = s.district_id OR sr.district_id IS NULL)
    ORDER BY sr.district_id IS NULL LIMIT 1
) r ON true
WHERE e.id >= %(low)s AND e.id < %(high)s AND e.id = ANY(%(todo)s::bigint[])
  AND (%(period)s::bigint IS NULL OR p.id = %(period)s::bigint)
  AND e.year_built <= %(cutoff)s AND e.management_mode <> 'none' AND e.floor_area > 0 AND r.rate > 0
ON CONFLICT (estate_id, period_id, tranche) DO NOTHING
"""

BALANCE_CANDIDATES_SQL = """
SELECT a.estate_id FROM propertymgmt_subsidypayment a
WHERE a.estate_id >= %(low)s AND a.estate_id < %(high)s AND a.tranche = 'advance' AND a.status = 'approved'
  AND a.period_id = ANY(%(periods)s::bigint[])
"""

BALANCE_SQL = """
INSERT INTO propertymgmt_subsidypayment
    (period_id, tranche, estate_id, street_id, management_mode, area, rate, months, share, score, factor,
     amount, status, created_at)
SELECT a.period_id, 'balance', a.estate_id, a.street_id, a.management_mode, a.area, a.rate, a.months,
       1 - a.share, sc.score, f.factor,
       round((round(a.area * a.rate * a.months / 12, 2) - a.amount) * f.factor, 2), 'proposed', now()
FROM propertymgmt_subsidypayment a
JOIN propertymgmt_subsidyperiod p ON p.id = a.period_id AND p.starts_on = %(start)s
JOIN LATERAL (
    SELECT round(avg(x.score), 2) AS score FROM propertymgmt_assessment x
    WHERE x.estate_id = a.estate_id AND x.month >= p.starts_on AND x.month <= p.ends_on
) sc ON sc.score IS NOT NULL
JOIN LATERAL (
    SELECT factor FROM propertymgmt_scorefactor sf WHERE sf.min_score <= sc.score ORDER BY sf.min_score DESC LIMIT 1
) f ON true
WHERE a.estate_id >= %(low)s AND a.estate_id < %(high)s AND a.estate_id = ANY(%(todo)s::bigint[])
  AND a.tranche = 'advance' AND a.status = 'approved'
  AND (%(period)s::bigint IS NULL OR a.period_id = %(period)s::bigint)
ON CONFLICT (estate_id, period_id, tranche) DO NOTHING
"""


def _run(*, candidates_sql: str, insert_sql: str, tranche: str, params: dict, batches, on_batch=None) -> int:
    """Each batch in its own transaction: whole payments or none, and a failure
    half-way leaves earlier batches written for the next run to skip."""
    from django.db import connection

    from propertymgmt.models import SubsidyPeriod

    periods = SubsidyPeriod.objects.filter(starts_on=params["start"])
    if params.get("period") is not None:
        periods = periods.filter(pk=params["period"])
    pairs = list(periods.values_list("pk", "district_id"))
    if not pairs:
        return 0
    params = {
        **params,
        "periods": "{" + ",".join(str(pk) for pk, _d in pairs) + "}",
        "districts": "{" + ",".join(str(d) for _pk, d in pairs) + "}",
    }
    created = 0
    for low, high in batches:
        bounds = {**params, "low": low, "high": high, "tranche": tranche}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(candidates_sql, bounds)
            todo = {row[0] for row in cursor.fetchall()}
            if todo:
                cursor.execute(PAID_SQL, bounds)
                todo -= {row[0] for row in cursor.fetchall()}
            if todo:
                # One array constant ('{1,2,…}'), which PostgreSQL hashes, not ARRAY[…] of parameters.
                todo_array = "{" + ",".join(map(str, sorted(todo))) + "}"
                cursor.execute(insert_sql, {**bounds, "todo": todo_array})
                created += max(cursor.rowcount, 0)
            if on_batch is not None:
                on_batch(low, high)
    return created


def run_advance(
    *, period_id: int | None = None, start: date | None = None, batch: int = SUBSIDY_BATCH, on_batch=None
) -> int:
    """Propose the advance (70%) for every eligible estate: of one period, or of every
    district's period starting on `start`. Returns how many payments were added."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":  # the demo's SQLite: same rules, portable code
        from propertymgmt import portable_runs

        return portable_runs.run_advance(period_id=period_id, start=start, batch=batch, on_batch=on_batch)
    from propertymgmt.models import SubsidyPeriod

    if period_id is not None:
        start = SubsidyPeriod.objects.get(pk=period_id).starts_on
    params = {"period": period_id, "start": start, "cutoff": settings.OLD_ESTATE_CUTOFF_YEAR}
    return _run(
        candidates_sql=ADVANCE_CANDIDATES_SQL,
        insert_sql=ADVANCE_SQL,
        tranche="advance",
        params=params,
        batches=_id_batches("communities_estate", batch),
        on_batch=on_batch,
    )


def run_balance(
    *,
    period_id: int | None = None,
    start: date | None = None,
    batch: int = SUBSIDY_BATCH,
    today: date | None = None,
) -> int:
    """Propose the balance (30%) scaled by the period's assessment score, for estates whose
    advance was approved and who were assessed in the period. Only after the period ends.
    Estates not assessed yet stay candidates and are paid by the first run after their
    assessment is recorded."""
    from django.db import connection

    if connection.vendor != "postgresql":  # the demo's SQLite: same rules, portable code
        from propertymgmt import portable_runs

        return portable_runs.run_balance(period_id=period_id, start=start, batch=batch, today=today)
    from propertymgmt.models import SubsidyPeriod

    today = today or timezone.localdate()
    if period_id is not None:
        start = SubsidyPeriod.objects.get(pk=period_id).starts_on
    if today <= quarter_of(start)[1]:
        raise ValidationError(_("期间结束并考核后才能拨付尾款。"))
    return _run(
        candidates_sql=BALANCE_CANDIDATES_SQL,
        insert_sql=BALANCE_SQL,
        tranche="balance",
        params={"period": period_id, "start": start},
        batches=_id_batches("communities_estate", batch),
    )


@transaction.atomic
def approve_payments(*, user, period_id: int, tranche: str, street_id: int | None = None) -> int:
    """A district official approves the proposed payments of a tranche (all of them, or one street's)."""
    from propertymgmt.models import SubsidyPayment

    if not can(user, Action.APPROVE, SubsidyPayment):
        raise ValidationError(_("只有区级管理人员可以审批补贴发放。"))
    queryset = scoped(SubsidyPayment.objects, user, Action.APPROVE).filter(
        period_id=period_id, tranche=tranche, status=SubsidyPayment.Status.PROPOSED
    )
    if street_id:
        queryset = queryset.filter(street_id=street_id)
    return queryset.update(status=SubsidyPayment.Status.APPROVED, approved_at=timezone.now(), approved_by=user)


@transaction.atomic
def set_subsidy_rate(*, user, management_mode: str, rate: Decimal):
    """District officials set their district's rate for a management mode."""
    from communities.models import ManagementMode
    from propertymgmt.models import SubsidyRate

    if not can(user, Action.CHANGE, SubsidyRate) or not user.district_id:
        raise ValidationError(_("补贴标准由区级管理人员设置。"))
    if management_mode not in ManagementMode.values or management_mode == ManagementMode.NONE:
        raise ValidationError({"management_mode": _("请选择管理模式。")})
    row, _created = SubsidyRate.objects.get_or_create(
        district_id=user.district_id, management_mode=management_mode, defaults={"rate": rate}
    )
    row.rate = rate
    row._history_user = user
    row.full_clean()
    row.save()
    return row


def subsidy_due(*, today: date | None = None) -> dict:
    """What the daily beat task does, for every district at once: the current quarter's
    advance and the previous quarter's balance. Safe to run any number of times."""
    today = today or timezone.localdate()
    start = ensure_periods(day=today)
    previous = quarter_of(start - timedelta(days=1))[0]
    return {"advance": run_advance(start=start), "balance": run_balance(start=previous, today=today)}


# --- Owners' committees and their reminders --------------------------------------------------------------------

# Days before a step is due when a reminder goes out; on the due date; then weekly while overdue.
REMIND_BEFORE_DAYS = (30, 7)
REMINDER_BATCH = 20_000

# Contact details a clerk edits freely; the stage, the kind, the term and the election
# change only through move_committee, which enforces the lifecycle and logs each move.
COMMITTEE_DETAIL_FIELDS = ("chair", "contact_phone", "contact_email", "members")
COMMITTEE_LOCKED_FIELDS = ("kind", "stage", "term_starts_on", "term_ends_on", "filed_on", "election_vote")
# 筹备组 must hold the first owners' assembly (and elect) within this many days unless told otherwise.
PREPARATION_DAYS = 90
# An elected committee files (备案) with the street office within 30 days of its election.
FILING_DAYS = 30
# The re-election window opens three months before the term ends.
RE_ELECTION_WINDOW_DAYS = 90

STAND_IN_KINDS = ("self_mgmt", "mgmt_committee")


def _log_move(committee, *, user, from_stage: str, on: date, vote=None, note: str = ""):
    from propertymgmt.models import CommitteeTransition

    return CommitteeTransition.objects.create(
        committee=committee,
        from_stage=from_stage,
        to_stage=committee.stage,
        on_date=on,
        vote=vote,
        note=note.strip()[:200],
        by=user if getattr(user, "pk", None) else None,
    )


def _regenerate_steps(committee, *, on: date, preparation_due_on: date | None = None) -> None:
    """The timetable follows the stage: steps the new stage no longer waits for are resolved
    (done on the day of the move), and the steps it waits for are added (idempotently)."""
    from propertymgmt.models import CommitteeStage, CommitteeStep, StepKind

    stage = committee.stage
    due: dict[str, date] = {}
    if stage == CommitteeStage.PREPARATION:
        due[StepKind.PREPARATION_DEADLINE] = preparation_due_on or on + timedelta(days=PREPARATION_DAYS)
    elif stage == CommitteeStage.ELECTED:
        due[StepKind.FILING] = on + timedelta(days=FILING_DAYS)
    elif stage in (CommitteeStage.FILED, CommitteeStage.IN_TERM) and committee.term_ends_on:
        due[StepKind.RE_ELECTION] = committee.term_ends_on - timedelta(days=RE_ELECTION_WINDOW_DAYS)
        due[StepKind.TERM_END] = committee.term_ends_on
    still_open = {
        CommitteeStage.PREPARATION: {StepKind.PREPARATION_DEADLINE},
        CommitteeStage.ASSEMBLY: {StepKind.PREPARATION_DEADLINE},
        CommitteeStage.ELECTED: {StepKind.FILING},
        CommitteeStage.FILED: {StepKind.RE_ELECTION, StepKind.TERM_END},
        CommitteeStage.IN_TERM: {StepKind.RE_ELECTION, StepKind.TERM_END},
        CommitteeStage.RE_ELECTION: {StepKind.TERM_END},
        CommitteeStage.DISSOLVED: set(),
    }[stage]
    open_steps = CommitteeStep.objects.select_for_update().filter(committee=committee, done_on__isnull=True)
    for step in open_steps:
        if step.kind not in still_open or (step.kind in due and step.due_on != due[step.kind]):
            step.done_on = on
            step.save(update_fields=["done_on"])
    for kind, due_on in due.items():
        CommitteeStep.objects.get_or_create(
            committee=committee, kind=kind, due_on=due_on, defaults={"estate_id": committee.estate_id}
        )


def _sync_owners_body(*, user, committee, on: date) -> None:
    """Keep the ledger's Estate.owners_body in step with the committee record, through the
    ledger's own service so the estate's history shows who changed it and when."""
    from communities.models import Estate, OwnersBody
    from communities.services import update_estate
    from propertymgmt.models import CommitteeKind, CommitteeStage

    stage = committee.stage
    if stage == CommitteeStage.DISSOLVED:
        body = OwnersBody.NONE
    elif committee.kind != CommitteeKind.COMMITTEE:
        body = committee.kind  # a 自管会 / 小区管委会 standing in
    elif stage in (CommitteeStage.FILED, CommitteeStage.IN_TERM):
        body = OwnersBody.COMMITTEE
    elif stage == CommitteeStage.RE_ELECTION and committee.term_ends_on and committee.term_ends_on < on:
        body = OwnersBody.NONE  # the term has expired and no new committee is filed yet
    else:
        return  # preparing, assembled, elected, or re-electing within the term: the ledger stands
    estate = Estate.objects.get(pk=committee.estate_id)
    if estate.owners_body == body:
        return
    update_estate(user=user, estate_id=estate.pk, data={"owners_body": body}, expected_version=estate.version)


@transaction.atomic
def save_committee(*, user, estate_id: int, data: dict, committee_id: int | None = None):
    """Set up an owners' body, or correct its contact details.

    A 业主委员会 starts as a preparation group (筹备组), due to hold the owners' assembly by
    `preparation_due_on` (90 days by default); a 自管会 or 小区管委会 stands in for one from the
    day it is set up (with an optional term). The stage is never written here: move_committee
    takes a committee through its lifecycle."""
    from propertymgmt.models import Committee, CommitteeKind, CommitteeStage

    estate = _estate(user, estate_id)
    on = data.get("on") or timezone.localdate()
    if committee_id is not None:
        committee = get_scoped_object_or_404(
            Committee.objects.select_for_update(), user, Action.CHANGE, pk=committee_id, estate=estate
        )
        for name in COMMITTEE_LOCKED_FIELDS:
            if name in data and data[name] not in (None, "") and data[name] != getattr(committee, name):
                raise ValidationError(
                    {name: _("业主组织的类型、阶段、任期和选举不能直接修改，请通过“办理流转”逐步办理。")}
                )
        for name in COMMITTEE_DETAIL_FIELDS:
            if name in data:
                setattr(committee, name, data[name] or "")
        committee._history_user = user
        committee.full_clean()
        committee.save()
        return committee
    kind = data.get("kind") or CommitteeKind.COMMITTEE
    if kind not in CommitteeKind.values:
        raise ValidationError({"kind": _("请选择业主组织类型。")})
    start = CommitteeStage.PREPARATION if kind == CommitteeKind.COMMITTEE else CommitteeStage.IN_TERM
    if data.get("stage") and data["stage"] != start:
        raise ValidationError(
            {
                "stage": _(
                    "新成立的业主委员会从“筹备组已成立”开始，自管会、小区管委会从“任期中”开始；"
                    "其后的阶段请通过“办理流转”逐步办理。"
                )
            }
        )
    committee = Committee(estate=estate, kind=kind, stage=start)
    for name in COMMITTEE_DETAIL_FIELDS:
        if name in data:
            setattr(committee, name, data[name] or "")
    if kind != CommitteeKind.COMMITTEE:
        committee.term_starts_on = data.get("term_starts_on") or on
        committee.term_ends_on = data.get("term_ends_on")
    if Committee.objects.filter(estate=estate).exclude(stage=CommitteeStage.DISSOLVED).exists():
        raise ValidationError(_("该小区已有业主组织，请先办理解散或换届。"))
    committee._history_user = user
    committee.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            committee.save()
    except IntegrityError as exc:  # a concurrent clerk set one up first
        raise ValidationError(_("该小区已有业主组织，请先办理解散或换届。")) from exc
    _log_move(committee, user=user, from_stage="", on=on, note=data.get("note", ""))
    _regenerate_steps(committee, on=on, preparation_due_on=data.get("preparation_due_on"))
    _sync_owners_body(user=user, committee=committee, on=on)
    return committee


@transaction.atomic
def record_existing_committee(
    *, user, estate_id: int, filed_on: date, term_starts_on: date, term_ends_on: date, data: dict | None = None
):
    """Enter a 业主委员会 that was elected and filed before the portal kept committees (建档):
    it starts in term, with its filing date and term, and the log says it was registered."""
    from propertymgmt.models import Committee, CommitteeKind, CommitteeStage

    estate = _estate(user, estate_id)
    today = timezone.localdate()
    if filed_on > today:
        raise ValidationError({"filed_on": _("建档登记的业委会须已备案（备案日期不能晚于今天）。")})
    if Committee.objects.filter(estate=estate).exclude(stage=CommitteeStage.DISSOLVED).exists():
        raise ValidationError(_("该小区已有业主组织，请先办理解散或换届。"))
    committee = Committee(
        estate=estate,
        kind=CommitteeKind.COMMITTEE,
        stage=CommitteeStage.IN_TERM,
        filed_on=filed_on,
        term_starts_on=term_starts_on,
        term_ends_on=term_ends_on,
    )
    for name in COMMITTEE_DETAIL_FIELDS:
        if name in (data or {}):
            setattr(committee, name, data[name] or "")
    committee._history_user = user
    committee.full_clean(validate_constraints=False)
    committee.save()
    _log_move(committee, user=user, from_stage="", on=today, note=_("建档：系统启用前已备案的业委会"))
    _regenerate_steps(committee, on=today)
    _sync_owners_body(user=user, committee=committee, on=today)
    return committee


def allowed_moves(committee) -> tuple[str, ...]:
    from propertymgmt.models import COMMITTEE_MOVES, STAND_IN_MOVES, CommitteeKind

    table = COMMITTEE_MOVES if committee.kind == CommitteeKind.COMMITTEE else STAND_IN_MOVES
    return tuple(table.get(committee.stage, ()))


@transaction.atomic
def move_committee(
    *,
    user,
    committee_id: int,
    to_stage: str,
    on: date | None = None,
    vote_id: int | None = None,
    term_starts_on: date | None = None,
    term_ends_on: date | None = None,
    note: str = "",
):
    """Take a committee one step through its lifecycle (COMMITTEE_MOVES), refusing any other
    move. Electing needs a passed owners' vote on electing the committee; filing needs the
    term; every move is logged with who and when, the timetable follows the new stage, and
    the ledger's owners' body follows the committee, all in one transaction."""
    from propertymgmt.models import Committee, CommitteeStage

    on = on or timezone.localdate()
    committee = get_scoped_object_or_404(
        Committee.objects.select_for_update(of=("self",)).select_related("estate"), user, Action.CHANGE, pk=committee_id
    )
    estate = _estate(user, committee.estate_id)
    if to_stage not in CommitteeStage.values:
        raise ValidationError({"to_stage": _("请选择要办理的阶段。")})
    allowed = allowed_moves(committee)
    if to_stage not in allowed:
        labels = dict(CommitteeStage.choices)
        if allowed:
            hint = _("当前只能办理：%(next)s。") % {"next": "、".join(str(labels[s]) for s in allowed)}
        else:
            hint = _("该业主组织已解散，不能再办理。")
        raise ValidationError(
            {
                "to_stage": _("不能从“%(from)s”直接转为“%(to)s”。")
                % {"from": labels[committee.stage], "to": labels[to_stage]}
                + hint
            }
        )
    last = committee.transitions.order_by("-on_date", "-id").first()
    if last is not None and on < last.on_date:
        raise ValidationError({"on": _("办理日期不能早于上一步的日期（%(d)s）。") % {"d": last.on_date}})
    vote = None
    if to_stage == CommitteeStage.ELECTED:
        vote = OwnersVote.objects.filter(pk=vote_id, estate=estate).first() if vote_id else None
        if vote is None:
            raise ValidationError({"vote": _("选举业主委员会须有本小区已通过的“选举业主委员会”表决，请选择该表决。")})
        _check_decision(vote, estate=estate, subjects={VoteSubject.ELECT_COMMITTEE}, field="vote")
        if vote.pk == committee.election_vote_id:
            raise ValidationError({"vote": _("换届选举须有新的选举表决，不能沿用上一届的表决。")})
        committee.election_vote = vote
    if to_stage == CommitteeStage.FILED:
        if committee.election_vote_id is None:
            raise ValidationError({"vote": _("备案前须有已通过的选举表决。")})
        if term_ends_on is None:
            raise ValidationError({"term_ends_on": _("备案时请填写本届任期结束日期。")})
        committee.term_starts_on = term_starts_on or on
        committee.term_ends_on = term_ends_on
        committee.filed_on = on
    if to_stage == CommitteeStage.IN_TERM and committee.term_starts_on and on < committee.term_starts_on:
        raise ValidationError({"on": _("任期开始前不能办理“任期中”。")})
    from_stage = committee.stage
    committee.stage = to_stage
    committee._history_user = user
    committee._change_reason = note.strip()[:100]
    committee.full_clean(validate_constraints=False)
    committee.save()
    _log_move(committee, user=user, from_stage=from_stage, on=on, vote=vote, note=note)
    _regenerate_steps(committee, on=on)
    _sync_owners_body(user=user, committee=committee, on=on)
    return committee


@transaction.atomic
def expire_terms(*, user, today: date | None = None) -> int:
    """任期届满: committees in the user's scope whose term has ended without a new one
    filed move to re-election (logged), and the ledger no longer shows a committee
    for the estate. Returns how many expired. Safe to run again: none move twice."""
    from propertymgmt.models import Committee, CommitteeKind, CommitteeStage

    today = today or timezone.localdate()
    expired = list(
        scoped(Committee.objects, user, Action.CHANGE)
        .select_for_update(of=("self",))
        .filter(
            kind=CommitteeKind.COMMITTEE,
            stage__in=[CommitteeStage.FILED, CommitteeStage.IN_TERM],
            term_ends_on__lt=today,
        )
        .order_by("pk")
    )
    for committee in expired:
        move_committee(
            user=user,
            committee_id=committee.pk,
            to_stage=CommitteeStage.RE_ELECTION,
            on=today,
            note=_("任期已于%(d)s届满") % {"d": committee.term_ends_on},
        )
    # Those already re-electing when the term ran out: only the ledger changes.
    for committee in (
        scoped(Committee.objects, user, Action.CHANGE)
        .filter(kind=CommitteeKind.COMMITTEE, stage=CommitteeStage.RE_ELECTION, term_ends_on__lt=today)
        .exclude(estate__owners_body="none")
        .order_by("pk")
    ):
        _sync_owners_body(user=user, committee=committee, on=today)
    return len(expired)


# What resolves each step of the timetable: the lifecycle move that does the thing.
STEP_RESOLVED_BY = {
    "preparation": gettext_lazy("选举产生业主委员会（办理为“已选举”），或解散筹备组"),
    "assembly": gettext_lazy("召开业主大会（办理为“业主大会已召开”）"),
    "filing": gettext_lazy("备案（办理为“已备案”）"),
    "re_election": gettext_lazy("启动换届（办理为“换届中”）"),
    "term_end": gettext_lazy("换届选举产生新一届（办理为“已选举”），或解散"),
}


def complete_step(*, user, step_id: int, done_on: date):
    """A step is done when the committee makes the move it waits for (move_committee resolves
    it); ticking it off by hand would take a late committee off the street's overdue list
    while nothing happened, so it is refused with the move to make instead."""
    from propertymgmt.models import CommitteeStep

    step = get_scoped_object_or_404(CommitteeStep.objects, user, Action.CHANGE, pk=step_id)
    if step.done_on is not None:
        raise ValidationError(_("该事项已经完成。"))
    raise ValidationError(
        _("“%(kind)s”不能直接标记完成，办理相应流转后自动完成：%(how)s。")
        % {"kind": step.get_kind_display(), "how": STEP_RESOLVED_BY.get(step.kind, _("办理流转"))}
    )


REMINDER_SQL = """
INSERT INTO propertymgmt_reminder (step_id, on_date, kind, created_at, channels)
SELECT s.id, %(today)s,
       CASE WHEN s.due_on > %(today)s THEN 'before' WHEN s.due_on = %(today)s THEN 'due' ELSE 'overdue' END,
       now(), ''
FROM propertymgmt_committeestep s
WHERE s.done_on IS NULL AND s.id >= %(low)s AND s.id < %(high)s
  AND (s.due_on = ANY(%(before)s) OR s.due_on = %(today)s
       OR (s.due_on < %(today)s AND (%(today)s - s.due_on) %% 7 = 0))
ON CONFLICT (step_id, on_date) DO NOTHING
RETURNING id
"""


def _reminder_text(reminder) -> str:
    step = reminder.step
    estate = step.estate
    what = step.get_kind_display()
    due = f"{step.due_on.year}年{step.due_on.month}月{step.due_on.day}日"
    if reminder.kind == "before":
        return _("【提醒】%(estate)s%(kind)s将于%(due)s到期，请按时办理。") % {
            "estate": estate.name,
            "kind": what,
            "due": due,
        }
    if reminder.kind == "due":
        return _("【提醒】%(estate)s%(kind)s今天（%(due)s）到期。") % {"estate": estate.name, "kind": what, "due": due}
    return _("【逾期】%(estate)s%(kind)s已于%(due)s逾期，请尽快办理。") % {
        "estate": estate.name,
        "kind": what,
        "due": due,
    }


def _deliver(reminder_ids: list[int]) -> None:
    """In-app notice (in the same transaction as the reminder records), then e-mail and
    SMS after commit; a reminder's sent_at says its messages went out."""
    from django.conf import settings
    from django.core.mail import get_connection
    from django.core.mail.message import EmailMessage

    from core.sms import get_backend
    from propertymgmt.models import Notice, Reminder

    reminders = list(
        Reminder.objects.filter(pk__in=reminder_ids).select_related(
            "step__committee", "step__estate__community", "step"
        )
    )
    texts = {r.pk: _reminder_text(r) for r in reminders}
    Notice.objects.bulk_create(
        Notice(
            street_id=r.step.estate.community.street_id,
            estate_id=r.step.estate_id,
            reminder=r,
            text=texts[r.pk],
        )
        for r in reminders
    )

    def send():
        mails = [
            EmailMessage(
                subject=_("业主组织事项提醒"),
                body=texts[r.pk],
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[r.step.committee.contact_email],
            )
            for r in reminders
            if r.step.committee.contact_email
        ]
        if mails:
            get_connection().send_messages(mails)
        sms = [(r.step.committee.contact_phone, texts[r.pk]) for r in reminders if r.step.committee.contact_phone]
        if sms:
            get_backend().send_messages(sms)
        Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(
            sent_at=timezone.now(), channels="notice,email,sms"
        )

    transaction.on_commit(send)


def send_reminders(*, today: date | None = None, batch: int = REMINDER_BATCH) -> int:
    """Remind committees of steps due soon, due today, or (weekly) overdue. The reminder
    record is inserted first under a unique (step, date) key, and only the rows this run
    inserted are delivered: a second run or a concurrent beat process sends nothing."""
    from django.db import connection

    if connection.vendor != "postgresql":  # the demo's SQLite: same rules, portable code
        from propertymgmt import portable_runs

        return portable_runs.send_reminders(today=today, batch=batch)
    from propertymgmt.models import CommitteeStep

    today = today or timezone.localdate()
    bounds = CommitteeStep.objects.filter(done_on__isnull=True).order_by().values_list("id", flat=True)
    low = bounds.order_by("id").first()
    if low is None:
        return 0
    high = bounds.order_by("-id").first() + 1
    before = [today + timedelta(days=d) for d in REMIND_BEFORE_DAYS]
    sent = 0
    for start in range(low, high, batch):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    REMINDER_SQL, {"today": today, "before": before, "low": start, "high": min(start + batch, high)}
                )
                ids = [row[0] for row in cursor.fetchall()]
            if ids:
                _deliver(ids)
        sent += len(ids)
    return sent


@transaction.atomic
def appoint_building_head(*, user, estate_id: int, building_id: int, name: str, phone: str = ""):
    """楼长: one per building; appointing another replaces the previous one."""
    from propertymgmt.models import BuildingHead

    estate = _estate(user, estate_id)
    building = estate.buildings.filter(pk=building_id).first()
    if building is None:
        raise ValidationError({"building": _("请选择本小区的楼栋。")})
    head = BuildingHead.objects.filter(building=building).first() or BuildingHead(estate=estate, building=building)
    head.name, head.phone, head.since = name.strip(), phone.strip(), timezone.localdate()
    head.full_clean()
    head.save()
    return head
