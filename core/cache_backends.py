"""Redis as a cache that degrades instead of failing, and fails fast.

Sessions (cached_db), API throttles and cached ledger totals read the cache on
every request; Django's Redis backend raises when Redis is unreachable, which
would take every page down with it. This backend logs the outage and answers
as an empty cache: sessions fall back to the database, totals are computed,
throttles do not count until Redis is back (the complaint rate limits count in
the database instead: core.ratelimit).

Failing is made fast too. redis-py retries a refused connection ten times with
back-off (about 4 s) and waits `socket_connect_timeout` for each try when Redis
does not answer at all: a filing made a dozen cache calls and took seconds. So
the client tries once (no retries, a short connect time-out set in CACHES), and
once a connection fails every cache call of this process answers its fallback at
once, without touching the network, for BACKOFF_SECONDS. The first call after
the back-off tries Redis again. The "down until" moment is one float per
process, written under a lock; a stale read costs at most one extra try.
"""

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django.dispatch import receiver
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = 5.0

_lock = threading.Lock()
_down_until = 0.0

# Errors that say Redis cannot be reached (as opposed to a bad command).
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class RedisUnavailable(RedisConnectionError):
    """Raised instead of trying the network while Redis is known to be down."""


def redis_down() -> bool:
    """True while the back-off after a failed connection lasts."""
    return time.monotonic() < _down_until


def mark_down(exc: BaseException | None = None) -> None:
    """Start (or extend) the back-off; log once per outage, not per call."""
    global _down_until
    with _lock:
        was_up = time.monotonic() >= _down_until
        _down_until = time.monotonic() + BACKOFF_SECONDS
    if was_up:
        logger.warning("Redis unreachable, cache calls answer without it for %ss: %s", BACKOFF_SECONDS, exc)


def reset_backoff() -> None:
    """Forget an outage (tests, or a health check that saw Redis answer)."""
    global _down_until
    with _lock:
        _down_until = 0.0


def guarded(call):
    """Run `call()` against Redis, honouring the back-off: raise
    RedisUnavailable at once while it lasts, start it when the call cannot
    reach Redis. For code that talks to the raw client (complaints.abuse)."""
    if redis_down():
        raise RedisUnavailable("Redis is backing off after a failed connection")
    try:
        return call()
    except UNREACHABLE as exc:
        mark_down(exc)
        raise


@receiver(setting_changed)
def _forget_outage_of_old_cache(*, setting, **kwargs):
    """Tests point the cache at another server: that one's state is unknown."""
    if setting == "CACHES":
        reset_backoff()


# method → what it returns when Redis cannot be reached
FALLBACKS = {
    "get": lambda *args, **kwargs: kwargs.get("default", args[1] if len(args) > 1 else None),
    "get_many": lambda *args, **kwargs: {},
    "has_key": lambda *args, **kwargs: False,
    "set": lambda *args, **kwargs: None,
    "add": lambda *args, **kwargs: False,
    "touch": lambda *args, **kwargs: False,
    "set_many": lambda *args, **kwargs: [],
    "delete": lambda *args, **kwargs: False,
    "delete_many": lambda *args, **kwargs: None,
    "clear": lambda *args, **kwargs: False,
}

# Methods with no sensible fallback value: they raise RedisUnavailable (a
# RedisError, which callers of incr already catch) without trying the network.
RAISING = ("incr", "decr")


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        # One connection attempt per call: the back-off, not redis-py's
        # retries, decides when to try again.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})


def _degrading(name, method):
    fallback = FALLBACKS[name]

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if redis_down():
            return fallback(*args, **kwargs)
        try:
            return method(self, *args, **kwargs)
        except RedisError as exc:
            if isinstance(exc, UNREACHABLE):
                mark_down(exc)
            else:
                logger.warning("cache %s failed, carrying on without the cache: %s", name, exc)
            return fallback(*args, **kwargs)

    return wrapper


def _raising(name, method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        return guarded(lambda: method(self, *args, **kwargs))

    return wrapper


for _name in FALLBACKS:
    setattr(ResilientRedisCache, _name, _degrading(_name, getattr(RedisCache, _name)))
for _name in RAISING:
    setattr(ResilientRedisCache, _name, _raising(_name, getattr(RedisCache, _name)))
