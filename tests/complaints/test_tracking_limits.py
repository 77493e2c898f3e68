"""Issue 11 parts 1 and 5: case numbers run in sequence, so /complaints/track/
refuses repeated misses per address, per number and per phone, with Redis up
or down (the counters move to the database, they never switch off)."""

import pytest
from django.core.cache import cache
from django.test import Client

from core.models import RateCounter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits(settings):
    settings.COMPLAINT_TRACK_MISSES_PER_IP_HOUR = 5
    settings.COMPLAINT_TRACK_MISSES_PER_NUMBER_HOUR = 3
    cache.clear()
    yield
    cache.clear()


def guess(client, number, phone):
    return client.post("/complaints/track/", {"number": number, "phone": phone})


def test_a_wrong_pair_says_only_that_it_does_not_match(world, file_case):
    mine = file_case(phone="13812345678")
    other = file_case(phone="13900009999", estate=world.estate_b1, description="别人的秘密")
    client = Client()
    wrong = guess(client, other.number, "13812345678")
    assert wrong.status_code == 400 and "不匹配" in wrong.content.decode()
    assert "别人的秘密" not in wrong.content.decode()
    right = guess(client, mine.number.lower(), "+86 138-1234-5678")
    assert right.status_code == 200 and mine.number in right.content.decode()
    assert client.get(f"/complaints/t/{mine.number}/").status_code == 404
    assert client.get("/complaints/t/not-a-token/").status_code == 404


def _guessing_from_one_address(case):
    client = Client(REMOTE_ADDR="10.5.5.5")
    for n in range(5):
        assert guess(client, f"TS-20260101-{n:06d}", f"1390000{n:04d}").status_code == 400
    # Even the right pair is refused from that address now; others are not affected.
    assert guess(client, case.number, "13812345678").status_code == 429
    assert guess(Client(REMOTE_ADDR="10.7.7.7"), case.number, "13812345678").status_code == 200


def _guessing_one_number_from_many_addresses(case):
    for n in range(3):
        assert guess(Client(REMOTE_ADDR=f"10.8.0.{n}"), case.number, f"1390000{n:04d}").status_code == 400
    refused = guess(Client(REMOTE_ADDR="10.8.1.1"), case.number, "13812345678")
    assert refused.status_code == 429 and "查询过于频繁" in refused.content.decode()


def _guessing_numbers_of_one_phone_from_many_addresses(case):
    for n in range(3):
        assert guess(Client(REMOTE_ADDR=f"10.9.0.{n}"), f"TS-20260101-{n:06d}", "13812345678").status_code == 400
    assert guess(Client(REMOTE_ADDR="10.9.1.1"), case.number, "13812345678").status_code == 429


def test_guessing_from_one_address_is_refused(world, file_case):
    _guessing_from_one_address(file_case())


def test_guessing_one_number_from_many_addresses_is_refused(world, file_case):
    _guessing_one_number_from_many_addresses(file_case())


def test_guessing_numbers_for_one_phone_from_many_addresses_is_refused(world, file_case):
    _guessing_numbers_of_one_phone_from_many_addresses(file_case())


def test_guessing_from_one_address_is_refused_with_redis_down(world, file_case, redis_unreachable):
    _guessing_from_one_address(file_case())
    assert RateCounter.objects.filter(kind="track-miss-ip").exists()
    assert not RateCounter.objects.filter(digest__contains="10.5.5.5").exists()  # hashed, not the address


def test_guessing_one_number_from_many_addresses_is_refused_with_redis_down(world, file_case, redis_unreachable):
    _guessing_one_number_from_many_addresses(file_case())


def test_guessing_numbers_for_one_phone_is_refused_with_redis_down(world, file_case, redis_unreachable):
    _guessing_numbers_of_one_phone_from_many_addresses(file_case())


def test_redis_counters_are_used_while_redis_is_up(world, file_case):
    case = file_case()
    guess(Client(), case.number, "13900000000")
    assert not RateCounter.objects.exists()
