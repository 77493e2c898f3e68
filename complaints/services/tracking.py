"""One-time codes by SMS that let a resident who knows number and phone see
their case in full."""

import logging
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from complaints.models import Complaint, TrackingCode
from core import sms

logger = logging.getLogger(__name__)

TRACKING_CODES_PER_HOUR = 5


def _code_hash(complaint: Complaint, code: str) -> str:
    return salted_hmac("complaints.tracking-code", f"{complaint.pk}:{code}", algorithm="sha256").hexdigest()


def send_tracking_code(*, complaint: Complaint) -> None:
    """Send a new one-time code by SMS to the phone on the case (replacing any
    code still live). At most one a minute and TRACKING_CODES_PER_HOUR an hour
    per case, counted from the codes table itself under the case's row lock, so
    the limit holds with or without Redis. The code is sent at once (not through
    the outbox: only its hash is stored anywhere)."""
    now = timezone.now()
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().only("id", "number", "reporter_phone").get(pk=complaint.pk)
        sent = list(
            TrackingCode.objects.filter(complaint=locked, created_at__gt=now - timedelta(hours=1)).values_list(
                "created_at", flat=True
            )
        )
        if any(moment > now - timedelta(minutes=1) for moment in sent):
            raise ValidationError(_("验证码刚刚已发送，请1分钟后再获取。"), code="too_soon")
        if len(sent) >= TRACKING_CODES_PER_HOUR:
            raise ValidationError(_("获取验证码次数过多，请1小时后再试。"), code="too_many")
        code = f"{secrets.randbelow(10**6):06d}"
        TrackingCode.objects.filter(complaint=locked, spent_at__isnull=True).update(spent_at=now)
        TrackingCode.objects.create(
            complaint=locked,
            code_hash=_code_hash(locked, code),
            created_at=now,
            expires_at=now + timedelta(minutes=TrackingCode.CODE_MINUTES),
        )
        text = _("验证码%(code)s，用于查看工单%(number)s，%(minutes)s分钟内有效。如非本人操作请忽略。") % {
            "code": code,
            "number": locked.number,
            "minutes": TrackingCode.CODE_MINUTES,
        }
        try:
            sms.send(locked.reporter_phone, text)
        except sms.SmsError as exc:
            logger.warning("tracking code for case %s not sent: %s", locked.pk, exc)
            raise ValidationError(_("短信发送失败，请稍后再试。"), code="sms_failed") from exc


def verify_tracking_code(*, complaint: Complaint, code: str) -> None:
    """Accept the case's live code once; a wrong code counts a try, and the
    MAX_ATTEMPTS-th wrong try voids it. Raises ValidationError saying what the
    resident can do next."""
    code = (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        row = TrackingCode.objects.select_for_update().filter(complaint=complaint, spent_at__isnull=True).first()
        if row is None or row.expires_at <= now:
            error = ValidationError(_("验证码已失效，请重新获取。"), code="expired")
        elif (
            len(code) == 6
            and code.isascii()
            and code.isdigit()
            and constant_time_compare(row.code_hash, _code_hash(complaint, code))
        ):
            row.spent_at = now
            row.save(update_fields=["spent_at"])
            return
        else:
            row.attempts += 1
            left = TrackingCode.MAX_ATTEMPTS - row.attempts
            if left <= 0:
                row.spent_at = now
                error = ValidationError(_("验证码错误次数过多，已失效，请重新获取。"), code="voided")
            else:
                error = ValidationError(_("验证码不正确，还可以再试%(n)s次。") % {"n": left}, code="wrong")
            row.save(update_fields=["attempts", "spent_at"])
    raise error
