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
from core.validators import normalize_mobile

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


_clients = {}


def _redis():
    """The raw Redis client behind the cache, or None when the cache is not Redis
    (the SQLite demo's local memory), so a few commands can share one round trip.
    One client per connection pool: Django builds a new one (with its table of
    ~200 reply callbacks) on every cache call."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    pool = backend._cache._get_connection_pool(write=True)
    client = _clients.get(pool)
    if client is None:
        client = _clients[pool] = backend._cache._client(connection_pool=pool)
    return client


def _int(raw) -> int:
    try:
        return int(raw or 0)
    except ValueError:
        return 0


class Limits:
    """The public form's counters for one address and one phone: read together
    with one cache round trip (MGET) before the form is validated, and raised
    together with one more (a pipeline of INCR + EXPIRE) once the case is saved.
    A window restarts from the latest submission; when Redis is down the
    counters read 0 and nothing is counted (no limit, never an error)."""

    def __init__(self, ip: str, phone: str = ""):
        self.ip = ip
        self.phone = normalize_mobile(phone) if phone else ""
        keys = [_key("ip", ip)] + ([_key("phone", self.phone)] if self.phone else [])
        client = _redis()
        try:
            if client is None:
                found = cache.get_many(keys)
                values = [found.get(key) for key in keys]
            else:
                values = client.mget([cache.make_and_validate_key(key) for key in keys])
        except CACHE_ERRORS:
            values = [0, 0]
        self.ip_count = _int(values[0])
        self.phone_count = _int(values[1]) if self.phone else 0

    @property
    def ip_over_limit(self) -> bool:
        return self.ip_count >= settings.COMPLAINT_RATE_PER_IP_HOUR

    @property
    def needs_challenge(self) -> bool:
        return self.ip_count >= settings.COMPLAINT_CHALLENGE_AFTER

    def phone_over_limit(self, phone: str) -> bool:
        if phone != self.phone:  # the form normalised it differently: read it afresh
            self.phone, self.phone_count = phone, count("phone", phone)
        return self.phone_count >= settings.COMPLAINT_RATE_PER_PHONE_DAY

    def record(self, phone: str) -> None:
        client = _redis()
        if client is None:
            record_submission(self.ip, phone)
            return
        ip_key = cache.make_and_validate_key(_key("ip", self.ip))
        phone_key = cache.make_and_validate_key(_key("phone", phone))
        try:
            pipe = client.pipeline(transaction=False)
            pipe.incr(ip_key).expire(ip_key, HOUR).incr(phone_key).expire(phone_key, DAY)
            pipe.execute()
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
