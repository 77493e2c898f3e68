"""Facts about the HTTP request that several apps need the same way."""

from django.conf import settings


def client_ip(request) -> str:
    """The caller's address, as the rate limits count it.

    Behind AXES_IPWARE_PROXY_COUNT trusted proxies the address is the hop the
    nearest proxy saw (counted from the right of X-Forwarded-For: the left end
    is whatever the client wrote). Without proxies, or with fewer hops than
    proxies, REMOTE_ADDR; "unknown" when even that is empty, so every caller
    still shares one counter rather than escaping it.
    """
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
