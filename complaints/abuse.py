"""Abuse controls of the public form that honest residents do not notice:
cache counters per address and per phone (the cache degrades to "no limit"
when Redis is down, never to an error), and an arithmetic question after
repeated submissions from one address (no picture captcha: 适老化)."""

import random

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

from core.cache import CACHE_ERRORS

HOUR = 3600
DAY = 24 * HOUR
CHALLENGE_SALT = "complaints.challenge"


def client_ip(request) -> str:
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(kind: str, value: str) -> str:
    return f"complaints:rate:{kind}:{value}"


def count(kind: str, value: str) -> int:
    try:
        return int(cache.get(_key(kind, value)) or 0)
    except CACHE_ERRORS:
        return 0


def hit(kind: str, value: str, window: int) -> int:
    """Count one more event; return the new count (0 when the cache is down)."""
    key = _key(kind, value)
    try:
        cache.add(key, 0, window)
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1
    except CACHE_ERRORS:
        return 0


def ip_over_limit(ip: str) -> bool:
    return count("ip", ip) >= settings.COMPLAINT_RATE_PER_IP_HOUR


def phone_over_limit(phone: str) -> bool:
    return count("phone", phone) >= settings.COMPLAINT_RATE_PER_PHONE_DAY


def needs_challenge(ip: str) -> bool:
    return count("ip", ip) >= settings.COMPLAINT_CHALLENGE_AFTER


def record_submission(ip: str, phone: str) -> None:
    hit("ip", ip, HOUR)
    hit("phone", phone, DAY)


def new_challenge() -> tuple[str, str]:
    a, b = random.randint(2, 9), random.randint(2, 9)  # a question, not a secret
    question = _("%(a)s 加 %(b)s 等于几？") % {"a": a, "b": b}
    return question, signing.dumps({"sum": a + b}, salt=CHALLENGE_SALT)


def challenge_passed(token: str, answer: str) -> bool:
    try:
        data = signing.loads(token or "", salt=CHALLENGE_SALT, max_age=1800)
    except signing.BadSignature:
        return False
    try:
        return int((answer or "").strip()) == data["sum"]
    except ValueError:
        return False
