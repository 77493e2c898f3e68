"""The public ballot page limits wrong one-time codes per address and per vote: 429 with a
Chinese page, never a 500, and an owner with the right code elsewhere still votes."""

from datetime import date

import pytest
from django.urls import reverse

from propertymgmt import services, throttle
from propertymgmt.models import Ballot, VoteSubject
from tests.propertymgmt.conftest import HouseholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def vote(world):
    for _i in range(3):
        HouseholdFactory(building=world.estate_a1.buildings.first())
    return services.open_vote(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        subject=VoteSubject.FUND_USE,
        title="更换水泵",
        opens_on=date(2026, 1, 1),
        closes_on=date(2099, 1, 31),
    )


def _post(client, vote, code, ip):
    url = reverse("propertymgmt:vote_cast", args=[vote.pk])
    return client.post(url, {"code": code, "choice": "agree"}, REMOTE_ADDR=ip)


def test_too_many_wrong_codes_from_one_address_get_429_even_with_a_right_code(world, vote, client):
    codes = list(services.issue_codes(user=world.staff_a, vote_id=vote.pk).values())
    for _i in range(throttle.PER_IP):
        assert _post(client, vote, "WRONGCODE1", "10.0.0.1").status_code == 200
    response = _post(client, vote, codes[0], "10.0.0.1")
    assert response.status_code == 429
    assert "输错表决码的次数过多" in response.content.decode()
    assert not Ballot.objects.exists()
    assert _post(client, vote, codes[0], "10.0.0.2").status_code == 200  # another address is not blocked
    assert Ballot.objects.count() == 1


def test_one_wrong_code_under_the_limit_does_not_block(world, vote, client):
    codes = list(services.issue_codes(user=world.staff_a, vote_id=vote.pk).values())
    for _i in range(throttle.PER_IP - 1):
        _post(client, vote, "WRONGCODE1", "10.0.0.1")
    assert _post(client, vote, codes[0], "10.0.0.1").status_code == 200
    assert Ballot.objects.count() == 1


def test_right_codes_do_not_count_against_the_address(world, vote, client, monkeypatch):
    monkeypatch.setattr(throttle, "PER_IP", 1)
    codes = list(services.issue_codes(user=world.staff_a, vote_id=vote.pk).values())
    for code in codes:  # a family voting for its homes from one phone
        assert _post(client, vote, code, "10.0.0.1").status_code == 200
    assert Ballot.objects.count() == 3


def test_wrong_codes_from_many_addresses_block_the_vote(world, vote, client, monkeypatch):
    monkeypatch.setattr(throttle, "PER_VOTE", 5)
    codes = list(services.issue_codes(user=world.staff_a, vote_id=vote.pk).values())
    for n in range(5):
        assert _post(client, vote, "WRONGCODE1", f"10.0.1.{n}").status_code == 200
    response = _post(client, vote, codes[0], "10.0.2.1")
    assert response.status_code == 429 and "本次表决近期输错表决码的次数过多" in response.content.decode()


def test_the_page_still_answers_when_the_cache_fails(world, vote, client, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise OSError("cache down")

    monkeypatch.setattr(cache, "get_many", broken)
    monkeypatch.setattr(cache, "add", broken)
    codes = list(services.issue_codes(user=world.staff_a, vote_id=vote.pk).values())
    assert _post(client, vote, "WRONGCODE1", "10.0.0.1").status_code == 200
    assert _post(client, vote, codes[0], "10.0.0.1").status_code == 200
    assert Ballot.objects.count() == 1
