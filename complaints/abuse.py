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


class Limits:
    """The public form's counters for one address (and, once known, one phone),
    read with one cache round trip and written with one more. Counts are
    approximate under concurrency (read, then write), which a limit of this
    kind tolerates; a window restarts from the latest submission."""

    def __init__(self, ip: str):
        self.ip = ip
        self.ip_count = count("ip", ip)

    @property
    def ip_over_limit(self) -> bool:
        return self.ip_count >= settings.COMPLAINT_RATE_PER_IP_HOUR

    @property
    def needs_challenge(self) -> bool:
        return self.ip_count >= settings.COMPLAINT_CHALLENGE_AFTER

    def phone_over_limit(self, phone: str) -> bool:
        self.phone_count = count("phone", phone)
        return self.phone_count >= settings.COMPLAINT_RATE_PER_PHONE_DAY

    def record(self, phone: str) -> None:
        phone_count = getattr(self, "phone_count", None)
        if phone_count is None:
            phone_count = count("phone", phone)
        try:
            cache.set(_key("ip", self.ip), self.ip_count + 1, HOUR)
            cache.set(_key("phone", phone), phone_count + 1, DAY)
        except CACHE_ERRORS:
            pass


def ip_over_limit(ip: str) -> bool:
    return count("ip", ip) >= settings.COMPLAINT_RATE_PER_IP_HOUR


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
