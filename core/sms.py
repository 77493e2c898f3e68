"""Text messages behind a small backend interface, like EMAIL_BACKEND.

settings.SMS_BACKEND names a class with `send_messages(messages) -> int`, each
message a (recipient, text) pair. The default logs the messages (recipients
masked); a vendor adapter (Aliyun, Tencent Cloud …) implements the same method
and raises SmsError when the gateway refuses, so callers can retry later.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from core.validators import mask_mobile

logger = logging.getLogger("oldestate.sms")


class SmsError(Exception):
    """The message could not be handed to the SMS gateway; retry later."""


class LoggingBackend:
    def send_messages(self, messages) -> int:
        for recipient, text in messages:
            logger.info("SMS to %s: %s", mask_mobile(recipient) if recipient.isdigit() else recipient, text)
        return len(messages)


class LocmemBackend:
    """Keeps the messages in `outbox`, for tests."""

    outbox: list[tuple[str, str]] = []

    def send_messages(self, messages) -> int:
        LocmemBackend.outbox.extend(messages)
        return len(messages)


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send(recipient: str, text: str) -> None:
    get_backend().send_messages([(recipient, text)])
