"""Issue 11 part 5: with Redis unreachable, filings are saved and answered at
once (one connection attempt, then a back-off during which the cache answers
without trying), and the filing limits count in the database instead of
switching off."""

import time

import pytest
from django.core.cache import cache
from django.test import Client

from complaints import abuse
from complaints.models import Complaint
from core import cache_backends, ratelimit
from core.models import RateCounter

pytestmark = pytest.mark.django_db


def form_data(world, category, n, **overrides):
    estates = [world.estate_a1, world.estate_a2, world.estate_b1]
    return {
        "category": category.pk,
        "estate_name": estates[n % 3].name,
        "estate_id": estates[n % 3].pk,
        "description": f"楼道堆满杂物{n}",
        "reporter_name": "李秀英",
        "reporter_phone": f"1390000{n:04d}",
        "consent": "on",
        "website": "",
        **overrides,
    }


def open311_data(world, n):
    return {
        "service_code": "common_area",
        "address_string": world.estate_a1.name,
        "description": f"楼道堆放杂物{n}",
        "last_name": "李",
        "first_name": "秀英",
        "phone": f"1370000{n:04d}",
    }


def test_filings_succeed_with_one_attempt_to_reach_redis(
    world, category, settings, redis_unreachable, broker_unreachable
):
    settings.COMPLAINT_CHALLENGE_AFTER = 100
    web = Client(REMOTE_ADDR="10.1.1.1")
    for n in range(3):
        assert web.post("/complaints/file/", form_data(world, category, n)).status_code == 302
        assert Client().post("/open311/v2/requests.json", open311_data(world, n)).status_code == 200
    assert Complaint.objects.count() == 6
    # One refused connection started the back-off; the other cache calls of six
    # filings (limits, duplicate kick, sessions) did not try the network again.
    assert len(redis_unreachable) == 1
    # The limits counted in the database meanwhile.
    assert abuse.count("ip", "10.1.1.1") == 3
    assert RateCounter.objects.filter(kind="file-phone").count() == 6


def test_filing_limits_hold_in_the_database_with_redis_down(world, category, settings, redis_unreachable):
    settings.COMPLAINT_CHALLENGE_AFTER = 100
    settings.COMPLAINT_RATE_PER_IP_HOUR = 2
    client = Client(REMOTE_ADDR="10.2.2.2")
    for n in range(2):
        assert client.post("/complaints/file/", form_data(world, category, n)).status_code == 302
    assert client.post("/complaints/file/", form_data(world, category, 2)).status_code == 429
    assert Complaint.objects.count() == 2


def test_the_cache_tries_redis_again_after_the_back_off(redis_unreachable, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(cache_backends.time, "monotonic", lambda: clock[0])
    assert cache.get("a") is None and len(redis_unreachable) == 1
    assert cache.get("b") is None and cache.add("c", 1) is False and len(redis_unreachable) == 1
    with pytest.raises(cache_backends.RedisUnavailable):
        cache.incr("d")
    assert len(redis_unreachable) == 1
    clock[0] += cache_backends.BACKOFF_SECONDS + 0.1
    assert cache.get("a") is None and len(redis_unreachable) == 2


def test_one_refused_call_costs_one_connection_attempt(redis_unreachable):
    started = time.monotonic()
    cache.get("a")
    # redis-py would otherwise retry a refused connection ten times with back-off (~4 s).
    assert len(redis_unreachable) == 1
    assert time.monotonic() - started < 2  # generous: a single local refusal


def test_rate_counters_move_to_the_database_and_back(world, redis_unreachable):
    rule = ratelimit.Rule("test", 60)
    assert ratelimit.hit([(rule, "x"), (rule, "y")]) == [1, 1]
    assert ratelimit.hit([(rule, "x")]) == [2]
    assert ratelimit.counts([(rule, "x"), (rule, "y"), (rule, "z")]) == [2, 1, 0]
    assert RateCounter.objects.filter(kind="test").count() == 2


def test_no_publish_to_a_broker_that_is_the_redis_found_down(db, settings, redis_unreachable, monkeypatch):
    from complaints import services
    from complaints.tasks import deliver_notifications

    published = []
    monkeypatch.setattr(deliver_notifications, "apply_async", lambda **kwargs: published.append(kwargs))
    settings.CELERY_BROKER_URL = settings.CACHES["default"]["LOCATION"]
    cache.get("a")  # finds Redis down
    services.kick_delivery()
    assert published == []  # the receipt waits in the outbox for the beat
    settings.CELERY_BROKER_URL = "redis://elsewhere:6379/0"
    services.kick_delivery()
    assert len(published) == 1
