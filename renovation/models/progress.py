"""Progress on site: reports with their photos, and the weekly reminders to the
responsible street office.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .projects import Project, StageMove


class ProgressReport(models.Model):
    """进度报告: the works' progress on a date, with photos."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="progress_reports", verbose_name=_("项目")
    )
    reported_on = models.DateField(_("报告日期"))
    percent = models.PositiveSmallIntegerField(_("形象进度（%）"), validators=[MaxValueValidator(100)])
    note = models.TextField(_("进展说明"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("报告人")
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope_paths = StageMove.scope_paths
    scope_writers = Project.scope_writers

    class Meta:
        verbose_name = _("进度报告")
        verbose_name_plural = _("进度报告")
        ordering = ["project_id", "-reported_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__lte=100),
                name="renovation_report_percent",
                violation_error_message=_("进度不能超过100%。"),
            ),
        ]

    def __str__(self):
        return f"{self.reported_on} {self.percent}%"


def photo_path(instance, filename):
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:10]
    return f"renovation/{instance.report.project_id}/{uuid.uuid4().hex}{suffix}"


class ProgressPhoto(models.Model):
    """现场照片: re-encoded on upload (metadata such as GPS dropped, size capped)."""

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="photos", verbose_name=_("进度报告")
    )
    file = models.FileField(_("照片"), upload_to=photo_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))

    scope_paths = {key: f"report__{path}" for key, path in StageMove.scope_paths.items()}

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["report_id", "id"]

    def __str__(self):
        return self.original_name


class ScheduleReminder(models.Model):
    """进度提醒: one reminder to the responsible street office per project per
    week (the week's Monday); the unique key makes the weekly task idempotent."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("项目"))
    week = models.DateField(_("周（周一）"))
    street = models.ForeignKey(
        "org.StreetOffice", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任街道")
    )
    message = models.CharField(_("提醒内容"), max_length=300)
    created_at = models.DateTimeField(_("提醒时间"), default=timezone.now)

    scope_paths = StageMove.scope_paths
    scope_writers = Project.scope_writers

    class Meta:
        verbose_name = _("进度提醒")
        verbose_name_plural = _("进度提醒")
        ordering = ["-week", "project_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "week"], name="renovation_one_reminder_per_week"),
            models.CheckConstraint(condition=Q(week__week_day=2), name="renovation_reminder_week_is_monday"),
        ]

    def __str__(self):
        return self.message
