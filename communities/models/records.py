"""An estate's notes and attachments, and the batches of ledger imports."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .estates import ESTATE_CHILD_SCOPE, Estate


def attachment_path(instance, filename):
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:10]
    return f"estates/{instance.estate_id}/{uuid.uuid4().hex}{suffix}"


class EstateNote(models.Model):
    """工作记录: a clerk's dated note on an estate."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="notes", verbose_name=_("小区"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    text = models.TextField(_("内容"), max_length=5000)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    scope_paths = ESTATE_CHILD_SCOPE

    class Meta:
        verbose_name = _("工作记录")
        verbose_name_plural = _("工作记录")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.text[:30]


class EstateAttachment(models.Model):
    """附件: photos and scanned documents kept with an estate."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        DOCUMENT = "document", _("文件")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("小区"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    scope_paths = ESTATE_CHILD_SCOPE

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.original_name


class ImportBatch(models.Model):
    """一次台账导入: the uploaded file, its preview, and whether it was committed."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("待确认")
        COMMITTED = "committed", _("已导入")
        REJECTED = "rejected", _("有错误")
        DISCARDED = "discarded", _("已放弃")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("上传人")
    )
    file = models.FileField(_("文件"), upload_to="imports/", max_length=200)
    parsed = models.FileField(
        _("解析结果"),
        upload_to="imports/",
        max_length=200,
        blank=True,
        help_text=_("预览时逐格检查过的行（gzip JSON），确认导入时直接使用，不再重读Excel。"),
    )
    original_name = models.CharField(_("原文件名"), max_length=200)
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    summary = models.JSONField(_("概要"), default=dict)
    errors = models.JSONField(_("错误"), default=list)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    kind = models.CharField(
        _("导入内容"),
        max_length=12,
        choices=[("ledger", _("小区台账")), ("household", _("房屋户籍"))],
        default="ledger",
        help_text=_("台账导入与房屋户籍导入共用同一套预览、确认机制，各自只能确认自己的批次。"),
    )
    estate = models.ForeignKey(
        "Estate",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("小区"),
        help_text=_("房屋户籍导入所属的小区。"),
    )

    class Meta:
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")
        ordering = ["-created_at"]

    def __str__(self):
        return self.original_name
