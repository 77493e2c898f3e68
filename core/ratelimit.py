"""Rate-limit counters that hold when Redis is down.

A counter counts the events of one kind ("track-miss-ip", "file-phone" …) for
one value (an address, a phone, a case number) in a fixed window of time. The
counters live in Redis (one MGET to read several, one pipeline to raise them);
when Redis cannot be reached, or is backing off after a failure
(core.cache_backends), they live in the database table core_ratecounter,
raised with one INSERT … ON CONFLICT … DO UPDATE statement. So a limit never
switches off silently: at worst it restarts from zero when Redis goes down.
If the database is down too the request fails (closed), it is not let through.

Values are stored as a keyed hash (HMAC with SECRET_KEY), never as the phone
number or address itself. Windows are fixed (the hour from 10:00 to 11:00, …):
a client can squeeze up to twice the limit across a window's edge, which is
good enough against guessing and flooding and keeps every counter one row.
Rows whose window has passed are deleted whenever a new row is written.
"""

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from redis.exceptions import RedisError

from core.cache_backends import guarded, redis_down
from core.models import RateCounter

logger = logging.getLogger(__name__)

REDIS_ERRORS = (RedisError, OSError)


@dataclass(frozen=True)
class Rule:
    """A kind of event and the length of its window in seconds; the limit is
    the caller's to compare (it often comes from settings)."""

    kind: str
    seconds: int


def digest(value: str) -> str:
    key = f"core.ratelimit:{settings.SECRET_KEY}".encode()
    return hmac.new(key, str(value).encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:40]


def _window_start(rule: Rule, now: datetime) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % rule.seconds, tz=UTC)


def _cache_key(rule: Rule, value: str, start: datetime) -> str:
    return f"ratelimit:{rule.kind}:{rule.seconds}:{int(start.timestamp())}:{digest(value)}"


_clients = {}


def redis_client():
    """The raw Redis client behind the default cache, or None when the cache is
    not Redis or Redis is backing off. One client per connection pool (Django
    builds a new one, with ~200 reply callbacks, on every cache call)."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache) or redis_down():
        return None
    pool = backend._cache._get_connection_pool(write=True)
    client = _clients.get(pool)
    if client is None:
        client = _clients[pool] = backend._cache._client(connection_pool=pool)
    return client


def _redis_keys(pairs, now):
    backend = caches["default"]
    return [backend.make_and_validate_key(_cache_key(rule, value, _window_start(rule, now))) for rule, value in pairs]


def counts(pairs: list[tuple[Rule, str]], *, now: datetime | None = None) -> list[int]:
    """The current count of each (rule, value) pair, in one round trip."""
    if not pairs:
        return []
    now = now or timezone.now()
    client = redis_client()
    if client is not None:
        keys = _redis_keys(pairs, now)
        try:
            values = guarded(lambda: client.mget(keys))
        except REDIS_ERRORS as exc:
            logger.debug("rate counters read from the database: %s", exc)
        else:
            return [int(v or 0) for v in values]
    return _db_counts(pairs, now)


def hit(pairs: list[tuple[Rule, str]], *, now: datetime | None = None) -> list[int]:
    """Count one more event for each (rule, value) pair; return the new counts."""
    if not pairs:
        return []
    now = now or timezone.now()
    client = redis_client()
    if client is not None:
        keys = _redis_keys(pairs, now)

        def run():
            pipe = client.pipeline(transaction=False)
            for key, (rule, _value) in zip(keys, pairs, strict=True):
                pipe.incr(key).expire(key, rule.seconds)
            return pipe.execute()

        try:
            replies = guarded(run)
        except REDIS_ERRORS as exc:
            logger.debug("rate counters raised in the database: %s", exc)
        else:
            return [int(r) for r in replies[::2]]
    return [_db_hit(rule, value, now) for rule, value in pairs]


def count(rule: Rule, value: str) -> int:
    return counts([(rule, value)])[0]


def _db_counts(pairs, now) -> list[int]:
    """One SELECT for all pairs."""
    wanted = [(rule.kind, digest(value), rule.seconds, _window_start(rule, now)) for rule, value in pairs]
    match = Q()
    for kind, dig, seconds, start in wanted:
        match |= Q(kind=kind, digest=dig, seconds=seconds, window_start=start)
    found = {
        (kind, dig, seconds, start.timestamp()): n
        for kind, dig, seconds, start, n in RateCounter.objects.filter(match).values_list(
            "kind", "digest", "seconds", "window_start", "count"
        )
    }
    return [found.get((kind, dig, seconds, start.timestamp()), 0) for kind, dig, seconds, start in wanted]


def _db_hit(rule: Rule, value: str, now: datetime) -> int:
    start = _window_start(rule, now)
    expires = datetime.fromtimestamp(start.timestamp() + rule.seconds, tz=UTC)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_ratecounter (kind, digest, seconds, window_start, count, expires_at)"
            " VALUES (%s, %s, %s, %s, 1, %s)"
            " ON CONFLICT (kind, digest, seconds, window_start)"
            " DO UPDATE SET count = core_ratecounter.count + 1 RETURNING count",
            [rule.kind, digest(value), rule.seconds, adapt(start), adapt(expires)],
        )
        new = cursor.fetchone()[0]
        if new == 1:  # a new window: drop the ones that have passed
            cursor.execute("DELETE FROM core_ratecounter WHERE expires_at < %s", [adapt(now)])
    return new
