"""Monthly assessments, the exit rule at its boundaries, ordering a company out, the fund."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from communities.models import Estate
from propertymgmt import selectors, services
from propertymgmt.models import CompanyStatus, Contract, ExitOrder, VoteSubject
from propertymgmt.services import assessments
from tests.propertymgmt.conftest import ContractFactory, HouseholdFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


@pytest.fixture
def upheld(monkeypatch):
    """The upheld-complaint counts as the complaints app provides them (complaints.apps)."""
    counts = {}
    calls = []

    def upheld_counts_by_company(*, start, end):
        calls.append((start, end))
        return dict(counts)

    monkeypatch.setattr(assessments, "_upheld_counts", upheld_counts_by_company)
    counts["calls"] = calls
    return counts


def _assess(world, contract, month, *, incidents=0, satisfaction="90", scores=None):
    return services.record_assessment(
        user=world.staff_a,
        contract_id=contract.pk,
        month=month,
        item_scores=scores or {"fee": 30, "inspection": 35, "safety": 18},
        satisfaction=Decimal(satisfaction),
        security_incidents=incidents,
    )


def test_score_follows_the_scheme_less_upheld_complaints(world, company, upheld):
    contract = ContractFactory(estate=world.estate_a1, company=company)
    upheld[company.pk] = 3
    assessment = _assess(world, contract, date(2026, 5, 1))
    assert assessment.complaints_upheld == 3
    assert assessment.score == Decimal("77.00")  # 30 + 35 + 18 − 3 × 2
    assert upheld["calls"][-1] == (date(2026, 5, 1), date(2026, 5, 31))  # both ends included


def test_item_above_its_points_is_refused_naming_the_item(world, company, upheld):
    contract = ContractFactory(estate=world.estate_a1, company=company)
    with pytest.raises(ValidationError, match="物业费收缴"):
        _assess(world, contract, date(2026, 5, 1), scores={"fee": 41, "inspection": 0, "safety": 0})


def test_one_assessment_per_contract_and_month(world, company, upheld):
    contract = ContractFactory(estate=world.estate_a1, company=company)
    _assess(world, contract, date(2026, 5, 1))
    with pytest.raises(ValidationError):
        _assess(world, contract, date(2026, 5, 20))


@pytest.mark.parametrize(("incidents", "listed"), [(4, False), (5, True)])
def test_exit_rule_five_incidents_in_a_year(world, company, upheld, incidents, listed):
    contract = ContractFactory(estate=world.estate_a1, company=company)
    _assess(world, contract, date(2025, 5, 1), incidents=7)  # more than a year ago: not counted
    months = [date(2025, 8, 1), date(2026, 2, 1), date(2026, 6, 1)]
    split = [incidents - 2, 1, 1]
    for month, count in zip(months, split, strict=True):
        _assess(world, contract, month, incidents=count)
    rows = selectors.exit_list(user=world.staff_a, today=TODAY)
    assert bool(rows) is listed
    if listed:
        assert rows[0]["incidents"] == 5 and "5起" in rows[0]["reasons"][0]


@pytest.mark.parametrize(("satisfaction", "listed"), [("69.9", True), ("70.0", False)])
def test_exit_rule_satisfaction_below_seventy(world, company, upheld, satisfaction, listed):
    contract = ContractFactory(estate=world.estate_a1, company=company)
    _assess(world, contract, date(2026, 5, 1), satisfaction="50")
    _assess(world, contract, date(2026, 6, 1), satisfaction=satisfaction)  # the latest month counts
    rows = selectors.exit_list(user=world.staff_a, today=TODAY)
    assert bool(rows) is listed


def test_exit_list_is_per_street(world, company, upheld):
    contract = ContractFactory(estate=world.estate_a1, company=company)
    _assess(world, contract, date(2026, 6, 1), satisfaction="60")
    assert selectors.exit_list(user=world.staff_b, today=TODAY) == []
    assert [r["street"] for r in selectors.exit_list(user=world.official, today=TODAY)] == ["和平里街道"]


def test_ordering_out_ends_the_company_contracts_in_that_street_only(world, company, upheld):
    in_a = services.start_contract(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        data={"body": "company", "company": company, "starts_on": date(2026, 1, 1), "fee_standard": "0.3"},
    )
    in_b = ContractFactory(estate=world.estate_b1, company=company)
    _assess(world, in_a, date(2026, 6, 1), satisfaction="65")
    # Not the safety ground: a rectification order must have failed its check first.
    rectification = services.issue_rectification(
        user=world.staff_a,
        company_id=company.pk,
        street_id=world.street_a.pk,
        problems="满意度低，整改服务",
        deadline=date(2026, 6, 10),
        checker="街道城管科",
        today=date(2026, 6, 1),
    )
    services.check_rectification(
        user=world.staff_a, order_id=rectification.pk, result="failed", checked_on=date(2026, 6, 10), remarks="未整改"
    )
    order = services.order_out(
        user=world.staff_a, company_id=company.pk, street_id=world.street_a.pk, reason="满意度低", today=TODAY
    )
    assert order.evidence["satisfaction"] == "65.0"
    in_a.refresh_from_db()
    in_b.refresh_from_db()
    assert in_a.ended_on == TODAY and "责令退出" in in_a.end_reason
    assert in_b.ended_on is None
    assert Estate.objects.get(pk=world.estate_a1.pk).management_mode == "none"
    company.refresh_from_db()
    assert company.status == CompanyStatus.ORDERED_OUT
    assert ExitOrder.objects.count() == 1


def test_company_not_on_the_list_cannot_be_ordered_out(world, company, upheld):
    contract = ContractFactory(estate=world.estate_a1, company=company)
    _assess(world, contract, date(2026, 6, 1), satisfaction="95")
    with pytest.raises(ValidationError, match="退出名单"):
        services.order_out(user=world.staff_a, company_id=company.pk, street_id=world.street_a.pk, reason="x")
    assert Contract.objects.get(pk=contract.pk).ended_on is None


def test_fee_collection_rate_against_break_even(world):
    row = services.record_fee_collection(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        billed=Decimal("10000.00"),
        collected=Decimal("8499.99"),
    )
    assert row.rate == Decimal("0.8500") and not row.breaks_even
    row.collected = Decimal("8500.00")
    assert row.breaks_even


# --- Maintenance fund ---------------------------------------------------------------------------------------------


def _fund_vote(world, subject=VoteSubject.FUND_USE, agree=True):
    building = world.estate_a1.buildings.first()
    homes = [HouseholdFactory(building=building) for _ in range(3)]
    vote = services.open_vote(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        subject=subject,
        title="更换水泵",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 1, 31),
    )
    for home in homes:
        services.record_paper_ballot(
            user=world.staff_a, vote_id=vote.pk, household_id=home.pk, choice="agree" if agree else "against"
        )
    return services.close_vote(user=world.staff_a, vote_id=vote.pk)


def _withdraw(world, vote, amount="5000.00"):
    return services.withdraw_fund(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        vote_id=vote.pk if vote else None,
        amount=Decimal(amount),
        purpose="更换二次供水水泵",
        withdrawn_on=date(2026, 2, 1),
    )


def _funded(world, balance):
    """The estate's fund as the ledger keeps it: an account with a 期初结转."""
    Estate.objects.filter(pk=world.estate_a1.pk).update(fund_status="collected")
    account = services.open_fund_account(
        user=world.staff_a, estate_id=world.estate_a1.pk, holder="centre", opened_on=date(2026, 1, 1)
    )
    services.record_fund_transaction(
        user=world.staff_a, account_id=account.pk, kind="opening", amount=Decimal(balance), booked_on=date(2026, 1, 1)
    )
    return account


def test_withdrawal_with_a_passed_vote_reduces_the_balance(world):
    _funded(world, "12000.00")
    withdrawal = _withdraw(world, _fund_vote(world))
    assert withdrawal.vote.passed
    assert Estate.objects.get(pk=world.estate_a1.pk).fund_balance == Decimal("7000.00")


@pytest.mark.parametrize("case", ["none", "failed", "other_subject"])
def test_withdrawal_without_a_passed_fund_vote_is_refused(world, case):
    _funded(world, "12000.00")
    vote = {
        "none": lambda: None,
        "failed": lambda: _fund_vote(world, agree=False),
        "other_subject": lambda: _fund_vote(world, subject=VoteSubject.HIRE_COMPANY),
    }[case]()
    with pytest.raises(ValidationError, match="业主共同决定"):
        _withdraw(world, vote)
    assert Estate.objects.get(pk=world.estate_a1.pk).fund_balance == Decimal("12000.00")


def test_withdrawal_beyond_the_balance_is_refused(world):
    _funded(world, "100.00")
    with pytest.raises(ValidationError, match="余额"):
        _withdraw(world, _fund_vote(world), amount="100.01")


def test_complaints_upheld_in_the_complaints_app_lower_the_score(world, company):
    """Against the real complaints.selectors.upheld_counts_by_company (no stand-in)."""
    from datetime import datetime, time

    from django.utils import timezone as tz

    from complaints import services as complaint_services
    from complaints.models import Category, Channel, Complaint

    def resolved(day):
        case = complaint_services.file_complaint(
            filing=complaint_services.Filing(
                category=Category.objects.get(code="common_area"),
                description="楼道灯长期不亮",
                reporter_name="李秀英",
                reporter_phone="13812345678",
                estate=world.estate_a1,
                channel=Channel.WEB,
                consent=True,
            )
        )
        Complaint.objects.filter(pk=case.pk).update(
            company=company,
            upheld_against_company=True,
            resolved_at=datetime.combine(day, time(10), tzinfo=tz.get_current_timezone()),
        )

    resolved(date(2026, 5, 31))
    resolved(date(2026, 6, 1))  # next month: not counted in May
    contract = ContractFactory(estate=world.estate_a1, company=company)
    assessment = _assess(world, contract, date(2026, 5, 1))
    assert assessment.complaints_upheld == 1
    assert assessment.score == Decimal("81.00")  # 83 − 2


def test_community_workers_cannot_order_a_company_out(world, company, upheld):
    contract = ContractFactory(estate=world.estate_a1, company=company)
    _assess(world, contract, date(2026, 6, 1), satisfaction="50")
    assert selectors.exit_list(user=world.worker_a1, today=TODAY)  # they see it on the list
    with pytest.raises(ValidationError, match="街道办事处"):
        services.order_out(
            user=world.worker_a1, company_id=company.pk, street_id=world.street_a.pk, reason="x", today=TODAY
        )
    assert Contract.objects.get(pk=contract.pk).ended_on is None
