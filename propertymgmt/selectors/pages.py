"""Reads of the property pages, the API and exports: lists, one object, an estate's records.

long_term_management, passed_vote and has_household_register are an interface the
renovation app relies on; keep their signatures stable."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action, get_scoped_object_or_404, scoped
from communities import selectors as ledger_selectors
from communities.selectors import estates_for
from core.db import ExactSum
from core.figures import format_count, ratio, round_to
from org.models import StreetOffice
from propertymgmt.models import (
    Assessment,
    BuildingHead,
    Committee,
    CommitteeKind,
    CommitteeStage,
    CommitteeStep,
    CommitteeTransition,
    Contract,
    FundWithdrawal,
    Notice,
    OwnersVote,
    PropertyCompany,
    SubsidyPayment,
    SubsidyPeriod,
    SubsidyRate,
    VoteStatus,
)


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def long_term_management(estate) -> str | None:
    """Evidence that the estate has long-term management (长效管理机制), or None.

    An active contract (a company, the street centre, a rights unit or the
    owners themselves) counts, and so does an owners' body in term: a filed
    committee within its term, a 自管会 or a 小区管委会.
    """
    today = timezone.localdate()
    contract = (
        Contract.objects.filter(estate=estate, ended_on__isnull=True, starts_on__lte=today)
        .select_related("company", "rights_unit")
        .order_by("-starts_on")
        .first()
    )
    if contract is not None:
        return _("物业服务合同：%(body)s，%(since)s起") % {
            "body": contract.body_name,
            "since": _cn_date(contract.starts_on),
        }
    for committee in Committee.objects.filter(estate=estate).exclude(stage=CommitteeStage.DISSOLVED):
        if not committee.in_term:
            continue
        if committee.kind == CommitteeKind.COMMITTEE:
            until = _("，任期至%(d)s") % {"d": _cn_date(committee.term_ends_on)} if committee.term_ends_on else ""
            return _("业主委员会（已备案%(until)s）") % {"until": until}
        return str(committee.get_kind_display())
    return None


def passed_vote(estate, *, subject_types: set[str]) -> OwnersVote | None:
    """The latest closed, passed owners' vote of the estate on one of these subject types."""
    return (
        OwnersVote.objects.filter(estate=estate, status=VoteStatus.CLOSED, passed=True, subject__in=list(subject_types))
        .order_by("-closed_at", "-id")
        .first()
    )


def has_household_register(estate) -> bool:
    return ledger_selectors.households_of(estate_id=estate.pk).exists()


# --- Lists ------------------------------------------------------------------------------------------------------------


def contracts_for(*, user, action: Action = Action.VIEW) -> QuerySet:
    return scoped(Contract.objects, user, action).select_related("estate__community__street", "company", "rights_unit")


def contract_for(*, user, contract_id, action: Action = Action.VIEW) -> Contract:
    """One contract with its estate and company: 404 outside the user's scope, 403
    inside it when the role may not (accounts.scoping)."""
    return get_scoped_object_or_404(contracts_for(user=user), user, action, pk=contract_id)


def overdue_steps(*, user, today: date | None = None) -> QuerySet:
    """Committees whose step is late and not done: the street office's standing list."""
    today = today or timezone.localdate()
    return (
        scoped(CommitteeStep.objects, user)
        .filter(done_on__isnull=True, due_on__lt=today)
        .select_related("committee", "estate__community__street")
        .order_by("due_on", "id")
    )


def overdue_committees(*, user, today: date | None = None) -> QuerySet:
    """Owners' bodies with a late step not done ("overdue"), with the earliest late date:
    they stay here until the move that resolves the step is made."""
    today = today or timezone.localdate()
    late = Q(steps__done_on__isnull=True, steps__due_on__lt=today)
    return (
        scoped(Committee.objects, user)
        .filter(Exists(CommitteeStep.objects.filter(committee=OuterRef("pk"), done_on__isnull=True, due_on__lt=today)))
        .annotate(overdue_since=Min("steps__due_on", filter=late))
        .select_related("estate__community__street")
        .order_by("overdue_since", "id")
    )


def expired_terms(*, user, today: date | None = None) -> QuerySet:
    """Committees still recorded as filed or in term whose term has ended: services.expire_terms
    moves them to re-election and clears the ledger's committee."""
    today = today or timezone.localdate()
    return scoped(Committee.objects, user, Action.CHANGE).filter(
        kind=CommitteeKind.COMMITTEE,
        stage__in=[CommitteeStage.FILED, CommitteeStage.IN_TERM],
        term_ends_on__lt=today,
    )


EXIT_INCIDENTS = 5
EXIT_SATISFACTION = Decimal("70")


def exit_list(*, user, today: date | None = None) -> list[dict]:
    """Companies crossing the exit rule (§5 三(二)) in the user's scope, with the evidence:
    five or more security incidents in the last twelve months, or a latest monthly
    satisfaction below 70%, in the estates of one street.

    Grouped on ids only, with the satisfaction summed in the database, and the
    names read for the listed companies alone: at national scale this is tens
    of thousands of assessments a month."""
    today = today or timezone.localdate()
    # The last twelve monthly assessments: this month and the eleven before it.
    month_index = today.year * 12 + today.month - 1 - 11
    since = date(month_index // 12, month_index % 12 + 1, 1)
    street = "estate__community__street_id"
    assessments = scoped(Assessment.objects, user).filter(company__isnull=False, month__lte=today)
    rows = list(
        assessments.filter(month__gte=since)
        .order_by()
        .values("company_id", street)
        .annotate(incidents=Sum("security_incidents"), latest=Max("month"))
    )
    latest = {}
    if rows:
        for item in (
            assessments.filter(company_id__in={r["company_id"] for r in rows}, month__in={r["latest"] for r in rows})
            .order_by()
            .values("company_id", street, "month")
            .annotate(total=ExactSum("satisfaction", places=1), n=Count("pk"))
        ):
            latest[(item["company_id"], item[street], item["month"])] = (item["total"], item["n"])
    listed = []
    for row in rows:
        total, count = latest.get((row["company_id"], row[street], row["latest"]), (None, 0))
        satisfaction = round_to(ratio(total, count), 1) if count else None
        reasons = []
        if row["incidents"] >= EXIT_INCIDENTS:
            reasons.append(_("近一年治安事件%(n)s起（5起及以上）") % {"n": format_count(row["incidents"])})
        if satisfaction is not None and satisfaction < EXIT_SATISFACTION:
            reasons.append(_("%(m)s满意度%(s)s%%（低于70%%）") % {"m": f"{row['latest']:%Y年%m月}", "s": satisfaction})
        if reasons:
            listed.append(
                {
                    "company_id": row["company_id"],
                    "street_id": row[street],
                    "incidents": row["incidents"],
                    "satisfaction": satisfaction,
                    "month": row["latest"],
                    "reasons": reasons,
                }
            )
    if listed:
        companies = dict(
            PropertyCompany.objects.filter(pk__in={r["company_id"] for r in listed}).values_list("pk", "name")
        )
        streets = dict(StreetOffice.objects.filter(pk__in={r["street_id"] for r in listed}).values_list("pk", "name"))
        for entry in listed:
            entry["company"], entry["street"] = companies[entry["company_id"]], streets.get(entry["street_id"])
        listed.sort(key=lambda entry: (entry["street_id"], entry["company"]))
    return listed


def payments_for(*, user, period_id: int, street_id: int | None = None, action: Action = Action.VIEW) -> QuerySet:
    queryset = scoped(SubsidyPayment.objects, user, action).filter(period_id=period_id)
    if street_id:
        queryset = queryset.filter(street_id=street_id)
    return queryset.select_related("estate", "street").order_by("street_id", "estate__name", "estate_id", "tranche")


def payment_totals(queryset: QuerySet) -> dict:
    raw = queryset.order_by().aggregate(
        n=Count("id"),
        total=ExactSum("amount"),
        advance_total=ExactSum("amount", filter=Q(tranche="advance")),
        balance_total=ExactSum("amount", filter=Q(tranche="balance")),
        proposed_n=Count("id", filter=Q(status="proposed")),
        approved_total=ExactSum("amount", filter=Q(status="approved")),
    )
    zero = Decimal("0.00")
    totals = {
        "count": raw["n"],
        "amount": raw["total"] or zero,
        "advance": raw["advance_total"] or zero,
        "balance": raw["balance_total"] or zero,
        "proposed": raw["proposed_n"],
        "approved": raw["approved_total"] or zero,
    }
    return totals


def current_periods(*, user, today: date | None = None) -> tuple[list, list]:
    """The subsidy period each district in the user's scope is in today (or its
    latest one that has begun) and the one before it, in one query: one of
    each for a district, street or community."""
    today = today or timezone.localdate()
    by_district: dict[int, list] = {}
    begun = scoped(SubsidyPeriod.objects, user).filter(starts_on__lte=today)
    for period in begun.order_by("district_id", "-starts_on"):
        by_district.setdefault(period.district_id, []).append(period)
    current = [periods[0] for periods in by_district.values()]
    previous = [periods[1] for periods in by_district.values() if len(periods) > 1]
    return current, previous


def overdue_committee_count(*, user, today: date | None = None) -> int:
    """How many owners' bodies overdue_committees() lists, counted on the
    timetable's open-step index instead of building the list."""
    today = today or timezone.localdate()
    late = scoped(CommitteeStep.objects, user).filter(done_on__isnull=True, due_on__lt=today)
    return late.order_by().values("committee_id").distinct().count()


def overdue_committee_ids(*, user, today: date | None = None) -> QuerySet:
    """The ids of the owners' bodies overdue_committees() lists, for a filter
    (pk__in): one semi-join of the committees with their late steps, without the
    list's earliest late date (a join and a GROUP BY of every committee)."""
    today = today or timezone.localdate()
    return (
        scoped(Committee.objects, user)
        .filter(Exists(CommitteeStep.objects.filter(committee=OuterRef("pk"), done_on__isnull=True, due_on__lt=today)))
        .order_by()
        .values("pk")
    )


def overdue_committees_all(*, today: date | None = None) -> QuerySet:
    """Every owners' body with a late step not done, whoever looks (for the
    month-end snapshots, which are taken for all nodes at once)."""
    today = today or timezone.localdate()
    return Committee.objects.filter(
        Exists(CommitteeStep.objects.filter(committee=OuterRef("pk"), done_on__isnull=True, due_on__lt=today))
    )


# --- Reads of the property pages ---------------------------------------------------------


def notices_for(*, user, limit: int = 20) -> QuerySet:
    """The latest in-app notices (committee reminders) in the user's scope."""
    return scoped(Notice.objects, user).select_related("estate")[:limit]


def companies_with_contract_counts(*, user) -> QuerySet:
    """The property companies the user may see, each with its number of active contracts."""
    return (
        scoped(PropertyCompany.objects, user)
        .annotate(active_contracts=Count("contracts", filter=Q(contracts__ended_on__isnull=True)))
        .order_by("name", "id")
    )


def company_for(*, user, company_id, action: Action = Action.VIEW) -> PropertyCompany:
    """One property company, refused as contract_for refuses."""
    return get_scoped_object_or_404(PropertyCompany.objects.all(), user, action, pk=company_id)


def votes_for(*, user, action: Action = Action.VIEW) -> QuerySet:
    return scoped(OwnersVote.objects, user, action).select_related("estate")


def vote_for(*, user, vote_id, action: Action = Action.VIEW) -> OwnersVote:
    """One owners' vote with its estate, refused as contract_for refuses."""
    return get_scoped_object_or_404(OwnersVote.objects.select_related("estate"), user, action, pk=vote_id)


def may_change_vote(*, user, vote_id: int) -> bool:
    return scoped(OwnersVote.objects, user, Action.CHANGE).filter(pk=vote_id).exists()


def vote_for_casting(*, vote_id: int) -> OwnersVote | None:
    """Any vote by id, unscoped: the owner casting with a one-time code has no account."""
    return OwnersVote.objects.select_related("estate").filter(pk=vote_id).first()


def electors_by_household(vote: OwnersVote) -> dict:
    """The vote's electors keyed by household id, with the home's building (for printing codes)."""
    return {elector.household_id: elector for elector in vote.electors.select_related("household__building")}


def periods_for(*, user) -> QuerySet:
    return scoped(SubsidyPeriod.objects, user).order_by("-starts_on")


def period_for(*, user, period_id) -> SubsidyPeriod:
    """One subsidy period the user may see (404 otherwise)."""
    return get_scoped_object_or_404(SubsidyPeriod.objects.all(), user, pk=period_id)


def subsidy_rates(*, district_id: int) -> QuerySet:
    """The rates that apply in a district: its own and the defaults for every district."""
    return SubsidyRate.objects.filter(Q(district_id=district_id) | Q(district__isnull=True)).order_by(
        "management_mode", "district_id"
    )


def live_committee(estate) -> Committee | None:
    """The estate's owners' body that is not dissolved (there is at most one)."""
    return estate.committees.exclude(stage=CommitteeStage.DISSOLVED).first()


def active_contract(estate) -> Contract | None:
    return Contract.objects.filter(estate=estate, ended_on__isnull=True).first()


def may_change_estate(*, user, estate) -> bool:
    return estates_for(user=user, action=Action.CHANGE).filter(pk=estate.pk).exists()


def estate_records(*, user, estate) -> dict:
    """What the estate's property page lists, for an estate already fetched in the
    user's scope: contracts, fees, assessments, the committee's moves and steps,
    building heads, votes and fund withdrawals (lazy querysets, read by the page),
    and the date the estate's committee has been overdue since, if it is."""
    return {
        "contracts": Contract.objects.filter(estate=estate).select_related("company", "rights_unit"),
        "fees": estate.fee_collections.all()[:8],
        "assessments": estate.assessments.all()[:12],
        "committee_overdue": overdue_committees(user=user)
        .filter(estate=estate)
        .values_list("overdue_since", flat=True)
        .first(),
        "transitions": CommitteeTransition.objects.filter(committee__estate=estate)
        .select_related("by", "vote")
        .order_by("-at", "-id")[:20],
        "steps": CommitteeStep.objects.filter(estate=estate).order_by("due_on"),
        "heads": BuildingHead.objects.filter(estate=estate).select_related("building"),
        "votes": OwnersVote.objects.filter(estate=estate)[:10],
        "withdrawals": FundWithdrawal.objects.filter(estate=estate),
    }


# --- choices other apps offer (complaints) -------------------------------------------------


def companies_for(*, user, district_id: int | None = None, action: Action = Action.VIEW) -> QuerySet:
    """The property companies the user may see, of one district when given: the
    companies a complaint of that district may be assigned to."""
    queryset = PropertyCompany.objects.all()
    if district_id is not None:
        queryset = queryset.filter(district_id=district_id)
    return scoped(queryset, user, action)
