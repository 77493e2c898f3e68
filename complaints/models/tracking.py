"""Who may see a resident's case and phone: the one-time codes a resident tracking
a case proves their phone with, and the log of staff seeing a full number.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .cases import Complaint


class TrackingCode(models.Model):
    """A one-time code (6 digits) sent by SMS to the phone on a case, so the
    person tracking it by number + phone proves they hold that phone before the
    case's words, replies and photos are shown. Only a keyed hash of the code
    is stored. A code lives CODE_MINUTES, allows MAX_ATTEMPTS wrong tries and is
    spent when verified, voided or replaced: at most one live code per case."""

    MAX_ATTEMPTS = 5
    CODE_MINUTES = 10

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="tracking_codes", verbose_name=_("工单")
    )
    code_hash = models.CharField(_("验证码摘要"), max_length=64)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    spent_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("查询验证码")
        verbose_name_plural = _("查询验证码")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"], condition=Q(spent_at__isnull=True), name="tracking_code_one_live_per_case"
            ),
            models.CheckConstraint(condition=Q(attempts__lte=5), name="tracking_code_attempts_at_most_5"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="tracking_code_expires_after_sending"
            ),
        ]
        indexes = [models.Index(fields=["complaint", "created_at"], name="tracking_code_sent_idx")]

    def __str__(self):
        return f"{self.complaint_id} {self.created_at:%Y-%m-%d %H:%M}"


class PhoneView(models.Model):
    """Each time a staff member saw a resident's full phone number."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="phone_views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("查看号码记录")
        verbose_name_plural = _("查看号码记录")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.complaint_id} {self.user_id} {self.at}"
