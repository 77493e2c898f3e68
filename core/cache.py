"""The cache is an accelerator, never a dependency: when Redis is down the
portal computes what it would have read."""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

try:  # the Redis client's errors, when Redis is the cache
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a dependency
    RedisError = OSError

CACHE_ERRORS = (RedisError, OSError)


def safe_get(key):
    try:
        return cache.get(key)
    except CACHE_ERRORS as exc:
        logger.warning("cache get failed, computing instead: %s", exc)
        return None


def safe_set(key, value, timeout):
    try:
        cache.set(key, value, timeout)
    except CACHE_ERRORS as exc:
        logger.warning("cache set failed: %s", exc)
