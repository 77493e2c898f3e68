"""What a case says to the resident: the reply templates staff start from, and
the outbox of messages (SMS) the case sends.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .cases import Complaint
from .reference import Category


class ReplyTemplate(models.Model):
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="templates", verbose_name=_("类别")
    )
    title = models.CharField(_("标题"), max_length=50)
    text = models.TextField(_("答复内容"))

    class Meta:
        verbose_name = _("答复模板")
        verbose_name_plural = _("答复模板")
        ordering = ["category", "title"]

    def __str__(self):
        return self.title


class Notification(models.Model):
    """The outbox: every message the case sends, written in the same transaction
    as the step that causes it. `key` is unique, so a task run twice cannot send
    the same reminder twice; a message waits here while the broker is down."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("受理回执")
        RESOLVED = "resolved", _("办结答复")
        DUE_SOON = "due_soon", _("临期提醒")
        OVERDUE = "overdue", _("逾期升级")
        LINK = "link", _("查询链接")

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")

    key = models.CharField(_("唯一键"), max_length=80, unique=True)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    recipient = models.CharField(_("接收方"), max_length=50)
    text = models.TextField(_("内容"))
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["id"], name="notification_pending_idx", condition=Q(state="pending"))]

    def __str__(self):
        return self.key
