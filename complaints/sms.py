"""Text messages to residents and staff, behind a small backend interface like
EMAIL_BACKEND. The default backend logs the message; tests read `outbox`."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

outbox: list[tuple[str, str]] = []


class SmsError(Exception):
    """The message could not be handed to the SMS gateway; retry later."""


class LogBackend:
    def send(self, recipient: str, text: str) -> None:
        from core.validators import mask_mobile

        outbox.append((recipient, text))
        logger.info("sms to %s: %s", mask_mobile(recipient) if recipient.isdigit() else recipient, text)


def send(recipient: str, text: str) -> None:
    backend = import_string(getattr(settings, "SMS_BACKEND", "complaints.sms.LogBackend"))()
    backend.send(recipient, text)
