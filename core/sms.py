"""Text messages behind a small backend interface, like EMAIL_BACKEND.

settings.SMS_BACKEND names a class with `send_messages(messages) -> int`, each
message a (recipient, text) pair. The default logs the messages (recipients
masked), FileBackend appends them to a file; a vendor adapter (Aliyun, Tencent Cloud …) implements the same method
and raises SmsError when the gateway refuses, so callers can retry later.
"""

import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from core.validators import mask_mobile

logger = logging.getLogger("oldestate.sms")


def _masked(recipient: str) -> str:
    return mask_mobile(recipient) if recipient.isdigit() else recipient


class SmsError(Exception):
    """The message could not be handed to the SMS gateway; retry later."""


class LoggingBackend:
    def send_messages(self, messages) -> int:
        for recipient, text in messages:
            logger.info("SMS to %s: %s", _masked(recipient), text)
        return len(messages)


class FileBackend:
    """Appends each message as a line to settings.SMS_LOG_FILE (recipients
    masked): the demo sends hundreds, which belong in a file, not the console."""

    def send_messages(self, messages) -> int:
        path = Path(settings.SMS_LOG_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
        with path.open("a", encoding="utf-8") as log:
            for recipient, text in messages:
                log.write(f"{stamp} {_masked(recipient)} {text}\n")
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
