"""Sending SMS through a small pluggable backend, like EMAIL_BACKEND.

settings.SMS_BACKEND names a class with `send_messages(messages) -> int`, where
each message is (mobile, text). The default logs the messages; a vendor adapter
(Aliyun, Tencent Cloud …) implements the same method.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("oldestate.sms")


class LoggingBackend:
    def send_messages(self, messages) -> int:
        for mobile, text in messages:
            logger.info("SMS to %s: %s", mobile, text)
        return len(messages)


class LocmemBackend:
    """Keeps the messages in `outbox`, for tests."""

    outbox: list = []

    def send_messages(self, messages) -> int:
        LocmemBackend.outbox.extend(messages)
        return len(messages)


def get_backend():
    return import_string(getattr(settings, "SMS_BACKEND", "propertymgmt.sms.LoggingBackend"))()
