"""Guessing one-time voting codes on the public ballot page is rate-limited, per client
address and per vote, in the cache. Only wrong codes count. The cache is an accelerator:
if it fails, the page still answers (without the limit) rather than erroring."""

from django.core.cache import cache

from core.cache import CACHE_ERRORS
from core.http import client_ip as client_ip  # views call throttle.client_ip

WINDOW = 60 * 60  # one hour
# Wrong codes allowed in the window from one address (over all votes), and on one vote
# (from all addresses together: a distributed guess at one estate's codes).
PER_IP = 10
PER_VOTE = 100
NAMESPACE = "propertymgmt:cast"


def _keys(ip: str, vote_id: int) -> tuple[str, str]:
    return f"{NAMESPACE}:ip:{ip}", f"{NAMESPACE}:vote:{vote_id}"


def blocked(ip: str, vote_id: int) -> str | None:
    """'ip' or 'vote' when that limit is reached, else None."""
    ip_key, vote_key = _keys(ip, vote_id)
    try:
        counts = cache.get_many([ip_key, vote_key])
    except CACHE_ERRORS:
        return None
    if (counts.get(ip_key) or 0) >= PER_IP:
        return "ip"
    if (counts.get(vote_key) or 0) >= PER_VOTE:
        return "vote"
    return None


def _hit(key: str) -> None:
    if cache.add(key, 1, WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW)


def wrong_code(ip: str, vote_id: int) -> None:
    try:
        for key in _keys(ip, vote_id):
            _hit(key)
    except CACHE_ERRORS:
        pass
