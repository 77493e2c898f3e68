"""The owners' committee lifecycle is a state machine kept by the services: each move is
checked, logged with who and when, and the stage cannot be written any other way."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from communities.models import Estate, Household
from propertymgmt import services
from propertymgmt.models import Committee, CommitteeStage, CommitteeTransition, StepKind, VoteSubject
from tests.propertymgmt.conftest import HouseholdFactory

pytestmark = pytest.mark.django_db

S = CommitteeStage


def _vote(world, subject=VoteSubject.ELECT_COMMITTEE, agree=True, estate=None):
    estate = estate or world.estate_a1
    if not Household.objects.filter(estate=estate).exists():
        for _i in range(3):
            HouseholdFactory(building=estate.buildings.first())
    vote = services.open_vote(
        user=world.staff_a,
        estate_id=estate.pk,
        subject=subject,
        title="选举第一届业主委员会",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 1, 31),
    )
    for home in Household.objects.filter(estate=estate):
        services.record_paper_ballot(
            user=world.staff_a, vote_id=vote.pk, household_id=home.pk, choice="agree" if agree else "against"
        )
    return services.close_vote(user=world.staff_a, vote_id=vote.pk)


def _move(world, committee, to_stage, **kwargs):
    return services.move_committee(user=world.staff_a, committee_id=committee.pk, to_stage=to_stage, **kwargs)


def _preparing(world, due=date(2026, 3, 31)):
    return services.save_committee(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        data={"kind": "committee", "preparation_due_on": due, "on": date(2026, 1, 2)},
    )


def _filed(world, vote=None):
    committee = _preparing(world)
    _move(world, committee, S.ASSEMBLY, on=date(2026, 2, 1))
    _move(world, committee, S.ELECTED, on=date(2026, 2, 1), vote_id=(vote or _vote(world)).pk)
    return _move(world, committee, S.FILED, on=date(2026, 2, 20), term_ends_on=date(2031, 2, 19))


def _owners_body(world):
    return Estate.objects.get(pk=world.estate_a1.pk).owners_body


def test_a_new_committee_starts_as_a_preparation_group_whatever_stage_is_asked(world):
    with pytest.raises(ValidationError, match="办理流转"):
        services.save_committee(user=world.staff_a, estate_id=world.estate_a1.pk, data={"stage": S.IN_TERM})
    committee = _preparing(world)
    assert committee.stage == S.PREPARATION
    assert list(committee.steps.values_list("kind", "due_on")) == [(StepKind.PREPARATION_DEADLINE, date(2026, 3, 31))]


def test_saving_details_cannot_change_the_stage(world):
    committee = _preparing(world)
    with pytest.raises(ValidationError, match="不能直接修改"):
        services.save_committee(
            user=world.staff_a, estate_id=world.estate_a1.pk, committee_id=committee.pk, data={"stage": S.IN_TERM}
        )
    services.save_committee(
        user=world.staff_a, estate_id=world.estate_a1.pk, committee_id=committee.pk, data={"chair": "李主任"}
    )
    committee.refresh_from_db()
    assert (committee.stage, committee.chair) == (S.PREPARATION, "李主任")


def test_skipping_a_stage_is_refused_with_the_allowed_next_step(world):
    committee = _preparing(world)
    with pytest.raises(ValidationError) as caught:
        _move(world, committee, S.FILED, term_ends_on=date(2031, 1, 1))
    assert "不能从“筹备组已成立”直接转为“已备案”" in str(caught.value)
    assert "业主大会已召开" in str(caught.value)
    committee.refresh_from_db()
    assert committee.stage == S.PREPARATION


def test_election_needs_a_passed_election_vote_of_the_estate(world):
    committee = _preparing(world)
    _move(world, committee, S.ASSEMBLY, on=date(2026, 2, 1))
    with pytest.raises(ValidationError, match="选举业主委员会"):
        _move(world, committee, S.ELECTED, on=date(2026, 2, 1))
    failed = _vote(world, agree=False)
    with pytest.raises(ValidationError, match="已通过"):
        _move(world, committee, S.ELECTED, on=date(2026, 2, 1), vote_id=failed.pk)
    wrong_subject = _vote(world, subject=VoteSubject.MANAGEMENT_RULES)
    with pytest.raises(ValidationError, match="事项相符"):
        _move(world, committee, S.ELECTED, on=date(2026, 2, 1), vote_id=wrong_subject.pk)
    committee.refresh_from_db()
    assert committee.stage == S.ASSEMBLY
    passed = _vote(world)
    committee = _move(world, committee, S.ELECTED, on=date(2026, 2, 1), vote_id=passed.pk)
    assert committee.stage == S.ELECTED and committee.election_vote == passed


def test_each_move_is_logged_with_who_and_when(world):
    committee = _filed(world)
    log = list(CommitteeTransition.objects.filter(committee=committee).order_by("id"))
    assert [(t.from_stage, t.to_stage) for t in log] == [
        ("", S.PREPARATION),
        (S.PREPARATION, S.ASSEMBLY),
        (S.ASSEMBLY, S.ELECTED),
        (S.ELECTED, S.FILED),
    ]
    assert {t.by for t in log} == {world.staff_a}
    assert log[2].vote == committee.election_vote and log[3].on_date == date(2026, 2, 20)


def test_timetable_follows_the_stage(world):
    committee = _preparing(world)
    _move(world, committee, S.ASSEMBLY, on=date(2026, 2, 1))
    assert set(committee.steps.filter(done_on__isnull=True).values_list("kind", flat=True)) == {
        StepKind.PREPARATION_DEADLINE
    }
    _move(world, committee, S.ELECTED, on=date(2026, 2, 1), vote_id=_vote(world).pk)
    assert set(committee.steps.filter(done_on__isnull=True).values_list("kind", "due_on")) == {
        (StepKind.FILING, date(2026, 3, 3))
    }
    assert committee.steps.get(kind=StepKind.PREPARATION_DEADLINE).done_on == date(2026, 2, 1)
    _move(world, committee, S.FILED, on=date(2026, 2, 20), term_ends_on=date(2031, 2, 19))
    assert set(committee.steps.filter(done_on__isnull=True).values_list("kind", "due_on")) == {
        (StepKind.RE_ELECTION, date(2030, 11, 21)),
        (StepKind.TERM_END, date(2031, 2, 19)),
    }
    _move(world, committee, S.IN_TERM, on=date(2026, 2, 20))
    assert committee.steps.filter(done_on__isnull=True).count() == 2
    _move(world, committee, S.RE_ELECTION, on=date(2030, 11, 25))
    assert set(committee.steps.filter(done_on__isnull=True).values_list("kind", flat=True)) == {StepKind.TERM_END}


def test_re_election_needs_a_new_vote_and_opens_a_new_term(world):
    first_vote = _vote(world)
    committee = _filed(world, vote=first_vote)
    _move(world, committee, S.IN_TERM, on=date(2026, 2, 20))
    _move(world, committee, S.RE_ELECTION, on=date(2030, 12, 1))
    with pytest.raises(ValidationError, match="不能沿用上一届"):
        _move(world, committee, S.ELECTED, on=date(2031, 1, 10), vote_id=first_vote.pk)
    second_vote = _vote(world)
    _move(world, committee, S.ELECTED, on=date(2031, 1, 10), vote_id=second_vote.pk)
    committee = _move(world, committee, S.FILED, on=date(2031, 1, 20), term_ends_on=date(2036, 1, 19))
    assert (committee.term_starts_on, committee.term_ends_on, committee.election_vote) == (
        date(2031, 1, 20),
        date(2036, 1, 19),
        second_vote,
    )
    assert committee.steps.get(kind=StepKind.TERM_END, due_on=date(2031, 2, 19)).done_on == date(2031, 1, 10)
    assert committee.steps.filter(kind=StepKind.TERM_END, due_on=date(2036, 1, 19), done_on__isnull=True).exists()


def test_a_stand_in_body_has_its_own_path(world):
    body = services.save_committee(
        user=world.staff_a, estate_id=world.estate_a1.pk, data={"kind": "mgmt_committee", "on": date(2026, 1, 5)}
    )
    assert body.stage == S.IN_TERM
    with pytest.raises(ValidationError, match="当前只能办理：已解散"):
        _move(world, body, S.RE_ELECTION)
    body = _move(world, body, S.DISSOLVED, on=date(2026, 3, 1), note="业委会成立，管委会解散")
    with pytest.raises(ValidationError, match="已解散"):
        _move(world, body, S.IN_TERM)


def test_a_second_live_body_in_one_estate_is_refused(world):
    _preparing(world)
    with pytest.raises(ValidationError, match="已有业主组织"):
        services.save_committee(user=world.staff_a, estate_id=world.estate_a1.pk, data={"kind": "self_mgmt"})


def test_staff_cannot_move_another_streets_committee(world):
    from django.http import Http404

    committee = _preparing(world)
    with pytest.raises(Http404):
        services.move_committee(user=world.staff_b, committee_id=committee.pk, to_stage=S.ASSEMBLY)


def test_estate_page_moves_the_committee_through_the_service_only(world, client_for):
    committee = _preparing(world)
    url = reverse("propertymgmt:estate_property", args=[world.estate_a1.pk])
    client = client_for(world.staff_a)
    page = client.get(url).content.decode()
    assert 'name="committee-stage"' not in page and 'name="committee_move-to_stage"' in page
    client.post(url, {"form": "committee", "committee-chair": "李主任", "committee-stage": S.IN_TERM})
    committee.refresh_from_db()
    assert (committee.stage, committee.chair) == (S.PREPARATION, "李主任")
    response = client.post(
        url, {"form": "committee_move", "committee_move-to_stage": S.FILED, "committee_move-on": "2026-02-01"}
    )
    assert response.status_code == 200
    committee.refresh_from_db()
    assert committee.stage == S.PREPARATION
    response = client.post(
        url, {"form": "committee_move", "committee_move-to_stage": S.ASSEMBLY, "committee_move-on": "2026-02-01"}
    )
    assert response.status_code == 302
    committee.refresh_from_db()
    assert committee.stage == S.ASSEMBLY
    assert CommitteeTransition.objects.filter(committee=committee, to_stage=S.ASSEMBLY, by=world.staff_a).exists()
    assert "流转记录" in client.get(url).content.decode()


def test_admin_shows_the_stage_read_only(world):
    from django.contrib.admin.sites import site

    admin = site._registry[Committee]
    assert "stage" in admin.readonly_fields and "kind" in admin.readonly_fields


def test_record_existing_committee_needs_a_past_filing(world):
    with pytest.raises(ValidationError, match="已备案"):
        services.record_existing_committee(
            user=world.staff_a,
            estate_id=world.estate_a1.pk,
            filed_on=date.today() + timedelta(days=3),
            term_starts_on=date.today(),
            term_ends_on=date.today() + timedelta(days=1800),
        )


def test_estate_page_registers_a_committee_filed_before_the_portal(world, client_for):
    url = reverse("propertymgmt:estate_property", args=[world.estate_a1.pk])
    client = client_for(world.staff_a)
    assert 'name="committee_existing-filed_on"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "form": "committee_existing",
            "committee_existing-filed_on": "2023-03-01",
            "committee_existing-term_starts_on": "2023-02-01",
            "committee_existing-term_ends_on": "2028-01-31",
            "committee_existing-chair": "周主任",
        },
    )
    assert response.status_code == 302
    committee = Committee.objects.get(estate=world.estate_a1)
    assert (committee.stage, committee.filed_on, committee.chair) == (S.IN_TERM, date(2023, 3, 1), "周主任")
    assert Estate.objects.get(pk=world.estate_a1.pk).owners_body == "committee"
    assert "建档" in CommitteeTransition.objects.get(committee=committee).note
    assert 'name="committee_existing-filed_on"' not in client.get(url).content.decode()
