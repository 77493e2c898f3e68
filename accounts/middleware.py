import time

from django.conf import settings
from django.contrib.auth import logout

# Refreshing the timestamp on every request would write the session every
# time; once a minute is precise enough for a 30-minute idle limit.
TOUCH_EVERY_SECONDS = 60


class IdleSessionTimeoutMiddleware:
    """Log a user out after SESSION_IDLE_TIMEOUT seconds without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get("last_seen")
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                request.session["expired"] = True
            elif last_seen is None or now - last_seen >= TOUCH_EVERY_SECONDS:
                request.session["last_seen"] = now
        return self.get_response(request)
