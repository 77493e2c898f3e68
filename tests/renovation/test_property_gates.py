"""The two gates that read the property-management app, with its real data:
long-term management (an active contract or an owners' body) and residents'
consent (an owners' vote on building works when the household register exists)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from propertymgmt import services as property_services
from propertymgmt.models import VoteSubject
from renovation import selectors, services
from renovation.models import Gate, Stage
from tests.propertymgmt.conftest import ContractFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


def gate(project, name):
    return next(g for g in selectors.evaluate_gates(project) if g.gate == name)


def start(world, project):
    return services.move_stage(user=world.staff_a, project_id=project.pk, to_stage=Stage.CONSTRUCTION)


def vote_on(world, subject, choices):
    building = world.estate_a1.buildings.first()
    homes = [HouseholdFactory(building=building, exclusive_area=Decimal("60")) for _ in choices]
    vote = property_services.open_vote(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        subject=subject,
        title="加装电梯及外墙保温改造",
        opens_on=date(2026, 1, 1),
        closes_on=date(2099, 1, 31),
    )
    for home, choice in zip(homes, choices, strict=True):
        property_services.record_paper_ballot(user=world.staff_a, vote_id=vote.pk, household_id=home.pk, choice=choice)
    return property_services.close_vote(user=world.staff_a, vote_id=vote.pk)


def test_without_contract_or_owners_body_long_term_management_is_open(world, ready_project):
    status = gate(ready_project, Gate.LONG_TERM_MANAGEMENT)
    assert not status.closed
    with pytest.raises(ValidationError) as exc:
        start(world, ready_project)
    assert "长效管理落实" in " ".join(exc.value.messages)


def test_an_active_contract_closes_long_term_management_with_its_evidence(world, ready_project):
    ContractFactory(estate=world.estate_a1, starts_on=date(2024, 1, 1))
    status = gate(ready_project, Gate.LONG_TERM_MANAGEMENT)
    assert status.closed and "物业服务合同" in status.evidence


def test_with_a_register_the_consent_share_no_longer_counts_and_a_passed_vote_does(world, ready_project):
    ContractFactory(estate=world.estate_a1, starts_on=date(2024, 1, 1))
    vote_on(world, VoteSubject.BUILDING_WORKS, ["agree", "agree", "agree", "against"])  # 3/4 by area and heads
    status = gate(ready_project, Gate.RESIDENTS_CONSENT)
    assert status.closed and "业主表决通过" in status.evidence
    move = start(world, ready_project)
    assert all(g["closed"] for g in move.gates)


def test_a_failed_vote_leaves_residents_consent_open_even_with_a_high_consent_share(world, ready_project):
    ContractFactory(estate=world.estate_a1, starts_on=date(2024, 1, 1))
    vote_on(world, VoteSubject.BUILDING_WORKS, ["agree", "agree", "against", "against"])
    ready_project.consent_share = Decimal("95")
    ready_project.save()
    assert not gate(ready_project, Gate.RESIDENTS_CONSENT).closed
    with pytest.raises(ValidationError) as exc:
        start(world, ready_project)
    assert "居民同意" in " ".join(exc.value.messages)


def test_a_passed_vote_on_another_matter_does_not_count_as_consent_to_works(world, ready_project):
    vote_on(world, VoteSubject.RULES_OF_PROCEDURE, ["agree", "agree", "agree", "agree"])
    assert not gate(ready_project, Gate.RESIDENTS_CONSENT).closed
