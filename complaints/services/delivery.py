"""The outbox: messages are queued in the case's transaction and sent by the
worker after it commits, or by the beat's drain while the broker is down."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from complaints.models import Complaint, Notification
from core import sms
from core.cache import CACHE_ERRORS
from core.cache_backends import guarded, redis_down
from core.ratelimit import redis_client

logger = logging.getLogger(__name__)


def _notify(complaint: Complaint, *, kind: str, key: str, recipient: str, text: str, new: bool = False) -> None:
    """Queue a message in the outbox (once per key) and ask the worker to send it
    after the transaction commits. If the broker is down the message waits
    in the outbox; the beat task sends it when the broker is back. `new`: the
    key cannot exist yet (a case just filed), so insert without looking."""
    fields = {"complaint": complaint, "kind": kind, "recipient": recipient, "text": text}
    if new:
        Notification.objects.create(key=key[:80], **fields)
        _created = True
    else:
        _created = Notification.objects.get_or_create(key=key[:80], defaults=fields)[1]
    if _created:
        transaction.on_commit(kick_delivery)


KICK_KEY = "complaints:delivery-kicked"
KICK_TTL = 60  # a lost kick delays messages at most this long (and beat drains every minute anyway)


def kick_delivery() -> None:
    """Ask the worker to drain the outbox, unless a request it has not started
    on is already queued: the worker clears the flag before it reads the
    outbox, so a row committed before the flag was seen is always picked up.
    One SET NX instead of a Celery publish on almost every filing; if Redis
    cannot answer, publish anyway (the row is in the outbox whatever happens),
    unless the broker is that very Redis, found down a moment ago: then the
    row waits for the beat's drain instead of the request for a time-out."""
    from complaints.tasks import deliver_notifications  # cycle: complaints.tasks imports complaints.services

    if redis_down() and settings.CACHES["default"].get("LOCATION") == settings.CELERY_BROKER_URL:
        return
    client = redis_client()
    if client is not None:
        try:
            if not guarded(lambda: client.set(cache.make_and_validate_key(KICK_KEY), 1, nx=True, ex=KICK_TTL)):
                return
        except CACHE_ERRORS:
            pass
    try:
        deliver_notifications.apply_async(retry=False)
    except (OperationalError, OSError) as exc:
        logger.warning("broker unavailable, notifications stay in the outbox: %s", exc)
        kicked()  # nothing is queued: let the next filing try again


def kicked() -> None:
    """The worker starts a drain: the next filing may ask for another (the
    cache degrades to a no-op when Redis is down)."""
    cache.delete(KICK_KEY)


def deliver_pending(limit: int = 500) -> int:
    """Send what waits in the outbox. Rows are locked (skip locked) so two
    workers never send the same message."""
    sent = 0
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(state=Notification.State.PENDING)
            .order_by("id")[:limit]
        )
        for row in rows:
            row.attempts += 1
            try:
                sms.send(row.recipient, row.text)
            except sms.SmsError as exc:
                logger.warning("notification %s not sent: %s", row.pk, exc)
                row.save(update_fields=["attempts"])
                continue
            row.state = Notification.State.SENT
            row.sent_at = timezone.now()
            row.save(update_fields=["attempts", "state", "sent_at"])
            sent += 1
    return sent
