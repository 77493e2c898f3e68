"""Owners' votes: Civil Code art. 278 thresholds, exact, by area and by heads."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from propertymgmt import services
from propertymgmt.models import Ballot, VoteStatus, VoteSubject, VoteThreshold
from tests.propertymgmt.conftest import HouseholdFactory

pytestmark = pytest.mark.django_db


def _vote(world, areas, subject=VoteSubject.HIRE_COMPANY, owners=None):
    building = world.estate_a1.buildings.first()
    homes = []
    for index, area in enumerate(areas):
        extra = {"owner_name": owners[index], "owner_phone": ""} if owners else {}
        homes.append(HouseholdFactory(building=building, exclusive_area=Decimal(area), **extra))
    vote = services.open_vote(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        subject=subject,
        title="测试表决",
        opens_on=date(2026, 1, 1),
        closes_on=date(2099, 1, 31),
    )
    return vote, homes


def _ballots(world, vote, homes, choices):
    for home, choice in zip(homes, choices, strict=False):
        if choice:
            services.record_paper_ballot(user=world.staff_a, vote_id=vote.pk, household_id=home.pk, choice=choice)


def _closed(world, vote):
    return services.close_vote(user=world.staff_a, vote_id=vote.pk)


def test_thresholds_are_seeded_from_civil_code_article_278():
    three_quarters = {
        VoteSubject.FUND_RAISE,
        VoteSubject.BUILDING_WORKS,
        VoteSubject.ELEVATOR,
        VoteSubject.CHANGE_OF_USE,
    }
    for rule in VoteThreshold.objects.all():
        assert (rule.quorum_numerator, rule.quorum_denominator) == (2, 3)
        if rule.subject in three_quarters:
            assert (rule.pass_numerator, rule.pass_denominator, rule.pass_inclusive) == (3, 4, True)
        else:
            assert (rule.pass_numerator, rule.pass_denominator, rule.pass_inclusive) == (1, 2, False)
    assert VoteThreshold.objects.count() == len(VoteSubject.values)


def test_quorum_met_at_exactly_two_thirds_of_area_and_heads(world):
    vote, homes = _vote(world, ["100", "100", "100"])
    _ballots(world, vote, homes, ["agree", "agree", None])
    result = services.tally(vote)
    assert result.area_participation == Fraction(2, 3) and result.heads_participation == Fraction(2, 3)
    assert result.quorum_met and result.passed


def test_quorum_missed_just_under_two_thirds_of_area(world):
    vote, homes = _vote(world, ["100", "100", "100.01"])
    _ballots(world, vote, homes, ["agree", "agree", None])
    result = services.tally(vote)
    assert result.heads_participation == Fraction(2, 3)
    assert result.area_participation == Fraction(20000, 30001) < Fraction(2, 3)
    assert not result.quorum_met and not result.passed


def test_quorum_missed_just_under_two_thirds_of_heads(world):
    # 7 owners: 4 take part = 4/7 < 2/3 of heads though they hold 80% of the area.
    vote, homes = _vote(world, ["200", "200", "200", "200", "66.67", "66.67", "66.66"])
    _ballots(world, vote, homes, ["agree"] * 4)
    result = services.tally(vote)
    assert result.area_participation >= Fraction(2, 3)
    assert result.heads_participation == Fraction(4, 7)
    assert not result.quorum_met


def test_three_quarters_passes_at_exactly_three_quarters_by_area_and_heads(world):
    vote, homes = _vote(world, ["100"] * 4, subject=VoteSubject.BUILDING_WORKS)
    _ballots(world, vote, homes, ["agree", "agree", "agree", "against"])
    result = services.tally(vote)
    assert result.area_agreement == Fraction(3, 4) and result.heads_agreement == Fraction(3, 4)
    assert result.passed


def test_three_quarters_fails_just_under_by_area(world):
    vote, homes = _vote(world, ["100", "100", "100", "100.01"], subject=VoteSubject.ELEVATOR)
    _ballots(world, vote, homes, ["agree", "agree", "agree", "against"])
    result = services.tally(vote)
    assert result.heads_agreement == Fraction(3, 4)
    assert result.area_agreement < Fraction(3, 4)
    assert not result.passed


def test_three_quarters_fails_just_under_by_heads(world):
    # 5 owners all take part, 3 agree: 3/5 of heads, though 90% of the area.
    vote, homes = _vote(world, ["300", "300", "300", "50", "50"], subject=VoteSubject.FUND_RAISE)
    _ballots(world, vote, homes, ["agree", "agree", "agree", "against", "against"])
    result = services.tally(vote)
    assert result.area_agreement > Fraction(3, 4)
    assert result.heads_agreement == Fraction(3, 5)
    assert not result.passed


def test_more_than_half_fails_at_exactly_half(world):
    vote, homes = _vote(world, ["100"] * 4)
    _ballots(world, vote, homes, ["agree", "agree", "against", "abstain"])
    result = services.tally(vote)
    assert result.area_agreement == Fraction(1, 2) and result.heads_agreement == Fraction(1, 2)
    assert result.quorum_met and not result.passed


def test_more_than_half_fails_at_half_the_heads_even_with_more_area(world):
    vote, homes = _vote(world, ["100.01", "100", "100", "100"])
    _ballots(world, vote, homes, ["agree", "agree", "against", "against"])
    result = services.tally(vote)
    assert result.area_agreement > Fraction(1, 2)
    assert result.heads_agreement == Fraction(1, 2)
    assert not result.passed


def test_more_than_half_passes_just_over_half_by_both(world):
    vote, homes = _vote(world, ["100.01", "100", "100", "100", "100"])
    _ballots(world, vote, homes, ["agree", "agree", "agree", "against", "against"])
    result = services.tally(vote)
    assert result.area_agreement > Fraction(1, 2) and result.heads_agreement == Fraction(3, 5)
    assert result.passed


def test_one_owner_with_several_homes_counts_once_by_heads(world):
    vote, homes = _vote(world, ["60", "60", "60"], owners=["张三", "张三", "李四"])
    assert vote.eligible_heads == 2
    assert vote.eligible_area == Decimal("180")
    _ballots(world, vote, homes, ["agree", "agree", None])
    result = services.tally(vote)
    assert (result.participating_heads, result.participating_area) == (1, Decimal("120"))
    assert result.heads_participation == Fraction(1, 2)


def test_owner_with_several_homes_cannot_split_the_vote(world):
    vote, homes = _vote(world, ["60", "60", "60"], owners=["张三", "张三", "李四"])
    services.record_paper_ballot(user=world.staff_a, vote_id=vote.pk, household_id=homes[0].pk, choice="agree")
    with pytest.raises(ValidationError, match="应一致"):
        services.record_paper_ballot(user=world.staff_a, vote_id=vote.pk, household_id=homes[1].pk, choice="against")


def test_closing_records_the_four_figures_and_result(world):
    vote, homes = _vote(world, ["100", "100", "100"])
    _ballots(world, vote, homes, ["agree", "agree", "against"])
    vote = _closed(world, vote)
    assert vote.status == VoteStatus.CLOSED
    assert (vote.participating_area, vote.participating_heads) == (Decimal("300"), 3)
    assert (vote.agreeing_area, vote.agreeing_heads) == (Decimal("200"), 2)
    assert vote.quorum_met and vote.passed


def test_closed_vote_refuses_ballots_in_the_service(world):
    vote, homes = _vote(world, ["100", "100", "100"])
    _closed(world, vote)
    with pytest.raises(ValidationError, match="表决已结束"):
        services.record_paper_ballot(user=world.staff_a, vote_id=vote.pk, household_id=homes[0].pk, choice="agree")
    with pytest.raises(ValidationError, match="表决已结束"):
        services.close_vote(user=world.staff_a, vote_id=vote.pk)


def test_closed_vote_refuses_changes_in_the_database(world):
    vote, homes = _vote(world, ["100", "100", "100"])
    _ballots(world, vote, homes, ["agree", None, None])
    _closed(world, vote)
    elector = vote.electors.get(household=homes[1])
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(vote=vote, elector=elector, choice="agree", channel="paper")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.filter(vote=vote).update(choice="against")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE propertymgmt_ownersvote SET passed = true WHERE id = %s", [vote.pk])


def test_online_code_is_single_use_and_only_its_hash_is_kept(world):
    vote, homes = _vote(world, ["100", "100", "100"])
    codes = services.issue_codes(user=world.staff_a, vote_id=vote.pk)
    code = codes[homes[0].pk]
    elector = vote.electors.get(household=homes[0])
    assert code not in elector.code_hash and len(elector.code_hash) == 64
    ballot = services.cast_online(vote_id=vote.pk, code=code.lower(), choice="agree")
    assert ballot.channel == Ballot.Channel.ONLINE
    with pytest.raises(ValidationError, match="已使用"):
        services.cast_online(vote_id=vote.pk, code=code, choice="against")
    with pytest.raises(ValidationError, match="不正确"):
        services.cast_online(vote_id=vote.pk, code="WRONGCODE1", choice="agree")


def test_a_home_votes_once(world):
    vote, homes = _vote(world, ["100", "100", "100"])
    _ballots(world, vote, homes, ["agree"])
    with pytest.raises(ValidationError, match="重复投票"):
        services.record_paper_ballot(user=world.staff_a, vote_id=vote.pk, household_id=homes[0].pk, choice="agree")


def test_staff_cannot_run_a_vote_in_another_street(world):
    from django.http import Http404

    HouseholdFactory(building=world.estate_b1.buildings.first())
    with pytest.raises(Http404):
        services.open_vote(
            user=world.staff_a,
            estate_id=world.estate_b1.pk,
            subject=VoteSubject.OTHER,
            title="x",
            opens_on=date(2026, 1, 1),
            closes_on=date(2026, 2, 1),
        )
