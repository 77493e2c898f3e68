"""Redis as a cache that degrades instead of failing.

Sessions (cached_db), API throttles and cached ledger totals read the cache on
every request; Django's Redis backend raises when Redis is unreachable, which
would take every page down with it. This backend logs the outage and answers
as an empty cache: sessions fall back to the database, totals are computed,
throttles do not count until Redis is back.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

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


class ResilientRedisCache(RedisCache):
    pass


def _degrading(name, method):
    fallback = FALLBACKS[name]

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as exc:
            logger.warning("cache %s failed, carrying on without the cache: %s", name, exc)
            return fallback(*args, **kwargs)

    return wrapper


for _name in FALLBACKS:
    setattr(ResilientRedisCache, _name, _degrading(_name, getattr(RedisCache, _name)))
