import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SavedFilter(models.Model):
    """A named set of list filters a clerk reuses (常用筛选).

    It stores only the query string: the user's scope is applied again every
    time it is used, so a saved filter can never widen what someone sees.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters", verbose_name=_("用户")
    )
    list_name = models.CharField(_("列表"), max_length=50)
    name = models.CharField(_("名称"), max_length=50)
    query = models.CharField(_("筛选条件"), max_length=2000)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("常用筛选")
        verbose_name_plural = _("常用筛选")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "list_name", "name"],
                name="saved_filter_name_unique_per_user",
                violation_error_message=_("您已有同名的常用筛选。"),
            )
        ]

    def __str__(self):
        return self.name


def default_export_expiry():
    return timezone.now() + timedelta(hours=settings.EXPORT_KEEP_HOURS)


class ExportJob(models.Model):
    """A large Excel export running in the background for one user.

    The file is only ever handed to the user who asked for it; the rows in it
    were chosen through that user's scope when the job ran.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("申请人")
    )
    kind = models.CharField(_("导出内容"), max_length=30)
    params = models.JSONField(_("筛选条件"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已完成行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/", max_length=200, blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    error = models.CharField(_("错误信息"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("保留至"), default=default_export_expiry)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["expires_at"], name="export_job_expiry_idx")]

    def __str__(self):
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(self.rows_done * 100 / self.total_rows))


class RateCounter(models.Model):
    """One rate-limit counter (core.ratelimit) kept in the database while Redis
    is down: events of `kind` for one client (`digest`, a keyed hash of the
    address, phone or number, never the value itself) in the fixed window that
    starts at `window_start` and lasts `seconds`. Raised with one
    INSERT … ON CONFLICT … DO UPDATE statement, so concurrent requests never
    lose a count."""

    kind = models.CharField(_("类型"), max_length=40)
    digest = models.CharField(_("摘要"), max_length=64)
    seconds = models.PositiveIntegerField(_("时间窗（秒）"))
    window_start = models.DateTimeField(_("时间窗开始"))
    count = models.PositiveIntegerField(_("次数"), default=0)
    expires_at = models.DateTimeField(_("过期时间"))

    class Meta:
        verbose_name = _("频率计数")
        verbose_name_plural = _("频率计数")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "digest", "seconds", "window_start"], name="rate_counter_one_row_per_window"
            ),
            models.CheckConstraint(condition=models.Q(seconds__gt=0), name="rate_counter_window_positive"),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("window_start")), name="rate_counter_expires_after_start"
            ),
        ]
        indexes = [models.Index(fields=["expires_at"], name="rate_counter_expiry_idx")]

    def __str__(self):
        return f"{self.kind} {self.window_start:%Y-%m-%d %H:%M} {self.count}"
