"""The case (投诉工单) itself: its number, its steps, its photos and the
requests to extend its deadline.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.validators import mask_mobile, validate_mobile

from ..choices import FINISHED_STATUSES, OPEN_STATUSES, Channel, Escalation, MediationType, Status
from .reference import Category


class DailyCounter(models.Model):
    """The last case number given out on a day: TS-YYYYMMDD-NNNNNN, sequential,
    drawn under a row lock so two submissions never get the same number."""

    day = models.DateField(_("日期"), primary_key=True)
    last = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("工单号计数")
        verbose_name_plural = _("工单号计数")

    def __str__(self):
        return f"{self.day} {self.last}"


class Complaint(models.Model):
    """投诉工单: one case, from the resident's words to the closing rating."""

    number = models.CharField(_("工单号"), max_length=20, unique=True)
    access_token = models.CharField(_("查询密钥"), max_length=32, unique=True)
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices, default=Channel.WEB)
    external_ref = models.CharField(_("来源单号"), max_length=40, blank=True, help_text=_("例如 12345 工单号。"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("类别"))
    district = models.ForeignKey(
        "org.District", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("区")
    )
    street = models.ForeignKey(
        "org.StreetOffice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("街道"),
    )
    community = models.ForeignKey(
        "org.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("社区"),
    )
    estate = models.ForeignKey(
        "communities.Estate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("小区"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    building_unit = models.CharField(_("楼栋/单元"), max_length=50, blank=True)
    description = models.TextField(_("问题描述"), max_length=2000)
    reporter_name = models.CharField(_("投诉人"), max_length=30)
    reporter_phone = models.CharField(_("手机号码"), max_length=11, validators=[validate_mobile])
    consent_at = models.DateTimeField(_("同意个人信息使用时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_handled",
        verbose_name=_("承办人"),
    )
    assigned_community = models.ForeignKey(
        "org.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_assigned",
        verbose_name=_("承办社区"),
    )
    company = models.ForeignKey(
        "propertymgmt.PropertyCompany",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("物业服务企业"),
    )
    rights_unit = models.ForeignKey(
        "communities.PropertyRightsUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("产权单位"),
    )
    mediation_type = models.CharField(_("调解类型"), max_length=16, choices=MediationType.choices, blank=True)
    escalation = models.CharField(_("升级"), max_length=10, choices=Escalation.choices, blank=True, default="")
    received_at = models.DateTimeField(_("收到时间"), db_index=False)
    accept_due = models.DateField(_("受理时限"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    resolve_due = models.DateField(_("办结时限"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    due_soon = models.BooleanField(_("临期"), default=False)
    overdue = models.BooleanField(_("逾期"), default=False)
    rejection_reason = models.TextField(_("不予受理理由"), blank=True)
    outcome = models.TextField(_("办理结果"), blank=True)
    reply = models.TextField(_("答复居民"), blank=True)
    upheld_against_company = models.BooleanField(
        _("投诉属实、责任在物业企业"), default=False, help_text=_("办结时认定；计入物业企业考核。")
    )
    reopen_count = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    satisfaction = models.PositiveSmallIntegerField(
        _("满意度"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    return_visit_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    return_visit_rating = models.PositiveSmallIntegerField(
        _("回访满意度"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    return_visit_note = models.CharField(_("回访记录"), max_length=500, blank=True)
    linked = models.ManyToManyField("self", blank=True, symmetrical=True, verbose_name=_("关联工单"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("投诉工单")
        verbose_name_plural = _("投诉工单")
        ordering = ["-id"]
        indexes = [
            # Queues: newest first within a street / district, by status.
            models.Index(fields=["street", "status", "-id"], name="complaint_street_status_idx"),
            models.Index(fields=["district", "status", "-id"], name="complaint_district_status_idx"),
            models.Index(fields=["handler", "status", "-id"], name="complaint_handler_status_idx"),
            models.Index(fields=["community", "-id"], name="complaint_community_idx"),
            # The national "open" queue: newest open cases without scanning closed ones.
            models.Index(fields=["-id"], name="complaint_open_idx", condition=Q(status__in=OPEN_STATUSES)),
            models.Index(fields=["assigned_community", "-id"], name="complaint_assigned_comm_idx"),
            models.Index(fields=["street", "-id"], name="complaint_overdue_idx", condition=Q(overdue=True)),
            models.Index(fields=["street", "-id"], name="complaint_escalated_idx", condition=~Q(escalation="")),
            # Duplicate detection and "my cases" lookups by the resident's phone.
            models.Index(fields=["reporter_phone", "received_at"], name="complaint_phone_idx"),
            # The deadline task reads open cases by due date.
            models.Index(fields=["resolve_due"], name="complaint_resolve_due_idx", condition=Q(resolved_at=None)),
            models.Index(fields=["company", "resolved_at"], name="complaint_company_resolved_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=Status.REJECTED) | ~Q(rejection_reason=""),
                name="complaint_rejection_has_reason",
                violation_error_message=_("不予受理须填写理由。"),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=FINISHED_STATUSES) | (Q(resolved_at__isnull=False) & ~Q(outcome="")),
                name="complaint_resolved_has_outcome",
                violation_error_message=_("办结须填写办理结果。"),
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="complaint_satisfaction_1_to_5",
                violation_error_message=_("满意度应为1至5。"),
            ),
            models.CheckConstraint(
                condition=Q(return_visit_rating__isnull=True)
                | Q(return_visit_rating__gte=1, return_visit_rating__lte=5),
                name="complaint_return_visit_1_to_5",
                violation_error_message=_("回访满意度应为1至5。"),
            ),
            models.CheckConstraint(
                condition=Q(upheld_against_company=False) | Q(company__isnull=False),
                name="complaint_upheld_names_company",
                violation_error_message=_("认定责任在物业企业时须指明企业。"),
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.ASSIGNED)
                | Q(assigned_community__isnull=False)
                | Q(company__isnull=False)
                | Q(rights_unit__isnull=False),
                name="complaint_assigned_has_assignee",
                violation_error_message=_("分派须指定社区、物业企业或产权单位。"),
            ),
            models.CheckConstraint(
                condition=Q(estate__isnull=False) | ~Q(address=""),
                name="complaint_has_place",
                violation_error_message=_("请选择小区，或填写详细地址。"),
            ),
        ]

    def __str__(self):
        return self.number

    @classmethod
    def scope_q(cls, level, node_id):
        """The street's mediation station sees its street's cases; a community
        sees the cases that happened in it or were handed to it."""
        if level == "district":
            return Q(district_id=node_id)
        if level == "street":
            return Q(street_id=node_id)
        return Q(community_id=node_id) | Q(assigned_community_id=node_id)

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def place(self):
        if self.estate_id:
            return f"{self.estate.name} {self.building_unit}".strip()
        return f"{self.address} {self.building_unit}".strip()

    @property
    def masked_phone(self):
        return mask_mobile(self.reporter_phone)


class Step(models.Model):
    """One step of a case: who did what, when, and what was said. Public steps
    are shown to the resident; staff-only ones never leave the staff pages."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps", verbose_name=_("工单"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("经办人")
    )
    actor_label = models.CharField(_("经办方"), max_length=50, blank=True)
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Status.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    public = models.BooleanField(_("居民可见"), default=False)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["complaint", "at"], name="complaint_step_idx")]

    def __str__(self):
        return f"{self.complaint_id} {self.action}"


class Photo(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="photos", verbose_name=_("工单"))
    file = models.FileField(_("文件"), upload_to="complaints/%Y/%m/")
    width = models.PositiveIntegerField(_("宽"), default=0)
    height = models.PositiveIntegerField(_("高"), default=0)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering = ["id"]

    def __str__(self):
        return self.file.name


class ExtensionRequest(models.Model):
    """延期申请: the handler asks for more working days; a supervisor decides."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("工单")
    )
    days = models.PositiveSmallIntegerField(_("延长工作日"), validators=[MinValueValidator(1), MaxValueValidator(30)])
    reason = models.TextField(_("理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decision = models.CharField(_("审批结果"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(decision="pending"),
                name="one_pending_extension_per_complaint",
                violation_error_message=_("该工单已有待审批的延期申请。"),
            ),
            models.CheckConstraint(
                condition=Q(days__gte=1, days__lte=30),
                name="extension_days_1_to_30",
                violation_error_message=_("延长天数应为1至30个工作日。"),
            ),
        ]

    def __str__(self):
        return f"{self.complaint_id} +{self.days}"
