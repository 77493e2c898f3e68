"""The ledger's owners' body (Estate.owners_body) follows the committee record, through the
ledger's own service (so the estate's history shows it), in the same transaction as the move."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from communities.models import Estate, OwnersBody
from propertymgmt import services
from propertymgmt.models import CommitteeStage, CommitteeTransition
from tests.propertymgmt.test_committee_lifecycle import _filed, _move, _preparing, _vote

pytestmark = pytest.mark.django_db

S = CommitteeStage


def _estate(world):
    return Estate.objects.get(pk=world.estate_a1.pk)


def test_a_filed_committee_shows_in_the_ledger_with_history(world):
    assert _estate(world).owners_body == OwnersBody.NONE
    committee = _preparing(world)
    _move(world, committee, S.ASSEMBLY, on=date(2026, 2, 1))
    _move(world, committee, S.ELECTED, on=date(2026, 2, 1), vote_id=_vote(world).pk)
    assert _estate(world).owners_body == OwnersBody.NONE  # elected is not yet filed
    _move(world, committee, S.FILED, on=date(2026, 2, 20), term_ends_on=date(2031, 2, 19))
    estate = _estate(world)
    assert estate.owners_body == OwnersBody.COMMITTEE
    latest = estate.history.order_by("-history_date", "-history_id").first()
    assert latest.owners_body == OwnersBody.COMMITTEE and latest.history_user == world.staff_a


def test_a_stand_in_body_shows_in_the_ledger_and_leaves_it_when_dissolved(world):
    body = services.save_committee(user=world.staff_a, estate_id=world.estate_a1.pk, data={"kind": "self_mgmt"})
    assert _estate(world).owners_body == OwnersBody.SELF_MANAGEMENT
    _move(world, body, S.DISSOLVED, note="业主大会成立")
    assert _estate(world).owners_body == OwnersBody.NONE


def test_dissolving_a_filed_committee_clears_the_ledger(world):
    committee = _filed(world)
    _move(world, committee, S.DISSOLVED, on=date(2026, 6, 1), note="业主大会决定解散")
    assert _estate(world).owners_body == OwnersBody.NONE


def test_re_election_within_the_term_keeps_the_committee_in_the_ledger(world):
    committee = _filed(world)
    _move(world, committee, S.IN_TERM, on=date(2026, 2, 20))
    _move(world, committee, S.RE_ELECTION, on=date(2030, 12, 1))
    assert _estate(world).owners_body == OwnersBody.COMMITTEE


def test_an_expired_term_leaves_the_ledger_and_is_logged(world):
    committee = _filed(world)
    _move(world, committee, S.IN_TERM, on=date(2026, 2, 20))
    assert services.expire_terms(user=world.staff_a, today=date(2031, 2, 19)) == 0
    assert _estate(world).owners_body == OwnersBody.COMMITTEE
    assert services.expire_terms(user=world.staff_b, today=date(2031, 2, 20)) == 0  # another street's
    assert services.expire_terms(user=world.staff_a, today=date(2031, 2, 20)) == 1
    committee.refresh_from_db()
    assert committee.stage == S.RE_ELECTION
    assert _estate(world).owners_body == OwnersBody.NONE
    assert CommitteeTransition.objects.filter(committee=committee, to_stage=S.RE_ELECTION, by=world.staff_a).exists()
    assert services.expire_terms(user=world.staff_a, today=date(2031, 2, 21)) == 0


def test_a_ledger_failure_undoes_the_move(world, monkeypatch):
    import communities.services

    committee = _preparing(world)
    _move(world, committee, S.ASSEMBLY, on=date(2026, 2, 1))
    _move(world, committee, S.ELECTED, on=date(2026, 2, 1), vote_id=_vote(world).pk)

    def refuse(**kwargs):
        raise ValidationError("台账写入失败")

    monkeypatch.setattr(communities.services, "update_estate", refuse)
    with pytest.raises(ValidationError):
        _move(world, committee, S.FILED, on=date(2026, 2, 20), term_ends_on=date(2031, 2, 19))
    committee.refresh_from_db()
    assert committee.stage == S.ELECTED and committee.filed_on is None
    assert not CommitteeTransition.objects.filter(committee=committee, to_stage=S.FILED).exists()
    assert _estate(world).owners_body == OwnersBody.NONE


def test_street_registers_expired_terms_from_the_home_page(world, client_for):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    today = timezone.localdate()
    committee = services.record_existing_committee(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        filed_on=today - timedelta(days=5 * 365),
        term_starts_on=today - timedelta(days=5 * 365),
        term_ends_on=today - timedelta(days=1),
    )
    assert _estate(world).owners_body == OwnersBody.COMMITTEE
    home = reverse("propertymgmt:home")
    assert 'id="expired-terms"' in client_for(world.staff_a).get(home).content.decode()
    assert 'id="expired-terms"' not in client_for(world.staff_b).get(home).content.decode()
    client_for(world.staff_b).post(reverse("propertymgmt:committee_expire"))
    committee.refresh_from_db()
    assert committee.stage == S.IN_TERM
    response = client_for(world.staff_a).post(reverse("propertymgmt:committee_expire"))
    assert response.status_code == 302
    committee.refresh_from_db()
    assert committee.stage == S.RE_ELECTION and _estate(world).owners_body == OwnersBody.NONE
