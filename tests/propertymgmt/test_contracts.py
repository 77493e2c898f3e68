"""Contracts drive the estate's management mode; one active contract per estate."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from communities.models import ManagementPeriod
from propertymgmt import selectors, services
from propertymgmt.models import Committee, CommitteeKind, CommitteeStage, Contract, ManagingBody, VoteSubject
from tests.propertymgmt.conftest import CompanyFactory, ContractFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


def _start(world, company, starts_on=date(2026, 1, 1), estate=None):
    return services.start_contract(
        user=world.staff_a,
        estate_id=(estate or world.estate_a1).pk,
        data={"body": ManagingBody.COMPANY, "company": company, "starts_on": starts_on, "fee_standard": "0.25"},
    )


def test_database_allows_one_active_contract_per_estate(world, company):
    ContractFactory(estate=world.estate_a1, company=company)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(estate=world.estate_a1, company=company)
    ContractFactory(estate=world.estate_a1, company=company, ended_on=date(2026, 6, 30))


def test_starting_a_contract_sets_the_estate_mode_with_history(world, company):
    world.estate_a1.refresh_from_db()
    assert world.estate_a1.management_mode == "owners"
    _start(world, company, date(2026, 1, 1))
    world.estate_a1.refresh_from_db()
    assert world.estate_a1.management_mode == "market"
    periods = ManagementPeriod.objects.filter(estate=world.estate_a1).order_by("started_on", "id")
    assert periods.last().mode == "market" and periods.last().ended_on is None


def test_ending_and_starting_another_leaves_history(world, company):
    first = _start(world, company, date(2026, 1, 1))
    services.end_contract(user=world.staff_a, contract_id=first.pk, ended_on=date(2026, 3, 31), reason="合同到期")
    world.estate_a1.refresh_from_db()
    assert world.estate_a1.management_mode == "none"
    services.start_contract(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        data={"body": ManagingBody.STREET_CENTRE, "starts_on": date(2026, 4, 1), "fee_standard": "0.15"},
    )
    world.estate_a1.refresh_from_db()
    assert world.estate_a1.management_mode == "street_centre"
    modes = list(
        ManagementPeriod.objects.filter(estate=world.estate_a1, mode__in=["market", "none", "street_centre"])
        .order_by("started_on", "id")
        .values_list("mode", "started_on", "ended_on")
    )
    assert modes == [
        ("market", date(2026, 1, 1), date(2026, 3, 31)),
        ("none", date(2026, 3, 31), date(2026, 4, 1)),
        ("street_centre", date(2026, 4, 1), None),
    ]


def test_a_new_contract_ends_the_active_one(world, company):
    first = _start(world, company, date(2026, 1, 1))
    second = _start(world, CompanyFactory(district=world.district), date(2026, 7, 1))
    first.refresh_from_db()
    assert first.ended_on == date(2026, 7, 1) and second.is_active
    assert Contract.objects.filter(estate=world.estate_a1, ended_on__isnull=True).count() == 1


def test_company_body_needs_a_company(world):
    with pytest.raises(ValidationError):
        services.start_contract(
            user=world.staff_a,
            estate_id=world.estate_a1.pk,
            data={"body": ManagingBody.COMPANY, "starts_on": date(2026, 1, 1), "fee_standard": "0.25"},
        )


def test_itemised_contract_needs_an_item(world, company):
    with pytest.raises(ValidationError, match="专项服务"):
        services.start_contract(
            user=world.staff_a,
            estate_id=world.estate_a1.pk,
            data={
                "body": ManagingBody.COMPANY,
                "company": company,
                "starts_on": date(2026, 1, 1),
                "fee_standard": "0.25",
                "full_service": False,
            },
        )


def test_staff_cannot_contract_for_another_street_estate(world, company):
    from django.http import Http404

    with pytest.raises(Http404):
        _start(world, company, estate=world.estate_b1)


# --- The interface the renovation app relies on --------------------------------------------------------------


def test_long_term_management_names_the_active_contract(world, company):
    assert selectors.long_term_management(world.estate_a1) is None
    _start(world, company, date(2026, 1, 1))
    evidence = selectors.long_term_management(world.estate_a1)
    assert evidence == f"物业服务合同：{company.name}，2026年1月1日起"


def test_long_term_management_counts_an_owners_body_in_term(world):
    Committee.objects.create(
        estate=world.estate_a2,
        kind=CommitteeKind.COMMITTEE,
        stage=CommitteeStage.PREPARATION,
    )
    assert selectors.long_term_management(world.estate_a2) is None
    Committee.objects.filter(estate=world.estate_a2).update(
        stage=CommitteeStage.FILED, term_starts_on=date(2025, 1, 1), term_ends_on=date(2099, 12, 31)
    )
    assert "业主委员会" in selectors.long_term_management(world.estate_a2)
    Committee.objects.filter(estate=world.estate_a2).update(term_ends_on=date(2025, 12, 31))
    assert selectors.long_term_management(world.estate_a2) is None
    Committee.objects.create(estate=world.estate_b1, kind=CommitteeKind.MANAGEMENT_COMMITTEE, stage="in_term")
    assert selectors.long_term_management(world.estate_b1) == "小区管委会"


def test_passed_vote_is_the_latest_passed_closed_vote_of_the_subjects(world):
    building = world.estate_a1.buildings.first()
    homes = [HouseholdFactory(building=building) for _ in range(3)]
    assert selectors.passed_vote(world.estate_a1, subject_types={VoteSubject.BUILDING_WORKS}) is None
    vote = services.open_vote(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        subject=VoteSubject.BUILDING_WORKS,
        title="综合整治",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 1, 31),
    )
    for home in homes:
        services.record_paper_ballot(user=world.staff_a, vote_id=vote.pk, household_id=home.pk, choice="agree")
    assert selectors.passed_vote(world.estate_a1, subject_types={VoteSubject.BUILDING_WORKS}) is None  # still open
    services.close_vote(user=world.staff_a, vote_id=vote.pk)
    assert selectors.passed_vote(world.estate_a1, subject_types={VoteSubject.BUILDING_WORKS}) == vote
    assert selectors.passed_vote(world.estate_a1, subject_types={VoteSubject.ELEVATOR}) is None


def test_has_household_register(world):
    assert not selectors.has_household_register(world.estate_a1)
    HouseholdFactory(building=world.estate_a1.buildings.first())
    assert selectors.has_household_register(world.estate_a1)


def _closed_vote(world, subject, agree=True, estate=None):
    estate = estate or world.estate_a1
    homes = [HouseholdFactory(building=estate.buildings.first()) for _ in range(3)]
    user = world.staff_a if estate != world.estate_b1 else world.staff_b
    vote = services.open_vote(
        user=user,
        estate_id=estate.pk,
        subject=subject,
        title="表决",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 1, 31),
    )
    for home in homes:
        services.record_paper_ballot(
            user=user, vote_id=vote.pk, household_id=home.pk, choice="agree" if agree else "against"
        )
    return services.close_vote(user=user, vote_id=vote.pk)


def test_contract_cites_the_owners_decision_to_hire(world, company):
    vote = _closed_vote(world, VoteSubject.HIRE_COMPANY)
    contract = services.start_contract(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        data={
            "body": "company",
            "company": company,
            "starts_on": date(2026, 2, 1),
            "fee_standard": "0.25",
            "vote": vote,
        },
    )
    assert contract.vote == vote


@pytest.mark.parametrize("case", ["failed", "other_subject", "other_estate"])
def test_contract_refuses_a_vote_that_did_not_decide_the_hiring(world, company, case):
    vote = {
        "failed": lambda: _closed_vote(world, VoteSubject.HIRE_COMPANY, agree=False),
        "other_subject": lambda: _closed_vote(world, VoteSubject.FUND_USE),
        "other_estate": lambda: _closed_vote(world, VoteSubject.HIRE_COMPANY, estate=world.estate_a2),
    }[case]()
    with pytest.raises(ValidationError, match="业主共同决定"):
        services.start_contract(
            user=world.staff_a,
            estate_id=world.estate_a1.pk,
            data={
                "body": "company",
                "company": company,
                "starts_on": date(2026, 2, 1),
                "fee_standard": "0.25",
                "vote": vote,
            },
        )


def test_committee_cites_its_election(world):
    vote = _closed_vote(world, VoteSubject.ELECT_COMMITTEE)
    committee = services.save_committee(user=world.staff_a, estate_id=world.estate_a1.pk, data={})
    services.move_committee(user=world.staff_a, committee_id=committee.pk, to_stage=CommitteeStage.ASSEMBLY)
    committee = services.move_committee(
        user=world.staff_a, committee_id=committee.pk, to_stage=CommitteeStage.ELECTED, vote_id=vote.pk
    )
    assert committee.election_vote == vote
    other = services.save_committee(user=world.staff_a, estate_id=world.estate_a2.pk, data={})
    services.move_committee(user=world.staff_a, committee_id=other.pk, to_stage=CommitteeStage.ASSEMBLY)
    with pytest.raises(ValidationError):
        services.move_committee(
            user=world.staff_a, committee_id=other.pk, to_stage=CommitteeStage.ELECTED, vote_id=vote.pk
        )


def test_ending_a_contract_cites_the_owners_dismissal_vote(world, company):
    contract = _start(world, company, date(2025, 12, 1))
    vote = _closed_vote(world, VoteSubject.HIRE_COMPANY)
    ended = services.end_contract(
        user=world.staff_a,
        contract_id=contract.pk,
        ended_on=date(2026, 2, 28),
        reason="业主大会决定解聘",
        vote_id=vote.pk,
    )
    assert ended.end_vote == vote
    assert Contract.history.filter(id=contract.pk).first().end_vote_id == vote.pk


@pytest.mark.parametrize(
    ("subject", "agree", "message"),
    [
        (VoteSubject.HIRE_COMPANY, False, "已通过"),
        (VoteSubject.FUND_USE, True, "事项相符"),
    ],
)
def test_a_dismissal_must_cite_a_passed_vote_on_the_manager(world, company, subject, agree, message):
    contract = _start(world, company, date(2025, 12, 1))
    vote = _closed_vote(world, subject, agree=agree)
    with pytest.raises(ValidationError, match=message):
        services.end_contract(
            user=world.staff_a, contract_id=contract.pk, ended_on=date(2026, 2, 28), reason="解聘", vote_id=vote.pk
        )
    contract.refresh_from_db()
    assert contract.ended_on is None and contract.end_vote is None


def test_a_dismissal_cannot_cite_another_estates_vote_or_the_hiring_vote(world, company):
    other = _closed_vote(world, VoteSubject.HIRE_COMPANY, estate=world.estate_a2)
    hired_by = _closed_vote(world, VoteSubject.HIRE_COMPANY)
    contract = services.start_contract(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        data={
            "body": "company",
            "company": company,
            "starts_on": date(2026, 1, 1),
            "fee_standard": "0.25",
            "vote": hired_by,
        },
    )
    for vote, message in ((other, "本小区"), (hired_by, "选聘该管理人的表决")):
        with pytest.raises(ValidationError, match=message):
            services.end_contract(
                user=world.staff_a, contract_id=contract.pk, ended_on=date(2026, 3, 1), reason="解聘", vote_id=vote.pk
            )


def test_contract_end_page_records_the_dismissal_vote(world, company, client_for):
    from django.urls import reverse

    contract = _start(world, company, date(2025, 12, 1))
    vote = _closed_vote(world, VoteSubject.HIRE_COMPANY)
    url = reverse("propertymgmt:contract_end", args=[contract.pk])
    client = client_for(world.staff_a)
    assert vote.title in client.get(url).content.decode()
    response = client.post(url, {"ended_on": "2026-02-28", "reason": "业主大会决定解聘", "vote": vote.pk})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.end_vote == vote and contract.ended_on == date(2026, 2, 28)
    assert "解聘表决" in client.get(reverse("propertymgmt:contract_list")).content.decode()
