"""The project (一小区一方案: one estate's plan in one annual plan) and the record
of its moves from stage to stage.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import STAGE_ORDER, Stage
from .plans import AnnualPlan


class Project(models.Model):
    """改造项目: one estate's plan in one annual plan (一小区一方案)."""

    annual_plan = models.ForeignKey(
        AnnualPlan, on_delete=models.PROTECT, related_name="projects", verbose_name=_("年度计划")
    )
    year = models.PositiveSmallIntegerField(_("年度"), editable=False, help_text=_("与年度计划一致，供报表分组。"))
    estate = models.ForeignKey(
        "communities.Estate", on_delete=models.PROTECT, related_name="renovation_projects", verbose_name=_("小区")
    )
    street = models.ForeignKey(
        "org.StreetOffice",
        on_delete=models.PROTECT,
        related_name="renovation_projects",
        verbose_name=_("责任街道"),
        editable=False,
    )
    name = models.CharField(_("项目名称"), max_length=120)
    summary = models.TextField(_("改造方案概要"), blank=True)
    stage = models.CharField(_("阶段"), max_length=14, choices=Stage.choices, default=Stage.RESERVE)
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_end = models.DateField(_("计划完工"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工"), null=True, blank=True)
    actual_end = models.DateField(_("实际完工"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("形象进度（%）"), default=0, validators=[MaxValueValidator(100)])
    consent_share = models.DecimalField(
        _("居民同意比例（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("无业主名册、不能表决时，按入户征求意见登记的同意比例。"),
    )
    notice_from = models.DateField(_("公示开始"), null=True, blank=True)
    notice_to = models.DateField(_("公示结束"), null=True, blank=True)
    cutoff_override_reason = models.TextField(_("年代例外理由"), blank=True)
    cutoff_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("年代例外批准人"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    scope_paths = {
        "district": "estate__community__street__district",
        "street": "estate__community__street",
        "community": "estate__community",
    }
    # Community workers read projects; the street office and the district run them.
    scope_writers = frozenset({"district_official", "street_staff"})

    class Meta:
        verbose_name = _("改造项目")
        verbose_name_plural = _("改造项目")
        ordering = ["-year", "street_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["annual_plan", "estate"],
                name="renovation_one_project_per_estate_per_plan",
                violation_error_message=_("该小区在本年度计划中已有改造项目（一小区一方案）。"),
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="renovation_planned_end_after_start",
                violation_error_message=_("计划完工日期不能早于计划开工日期。"),
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | (Q(actual_start__isnull=False) & Q(actual_end__gte=models.F("actual_start"))),
                name="renovation_actual_end_after_start",
                violation_error_message=_("实际完工日期须在实际开工日期之后。"),
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="renovation_progress_percent",
                violation_error_message=_("进度不能超过100%。"),
            ),
            models.CheckConstraint(
                condition=Q(consent_share__isnull=True) | (Q(consent_share__gte=0) & Q(consent_share__lte=100)),
                name="renovation_consent_share_percent",
                violation_error_message=_("同意比例应在0到100之间。"),
            ),
            models.CheckConstraint(
                condition=Q(notice_to__isnull=True)
                | Q(notice_from__isnull=True)
                | Q(notice_to__gte=models.F("notice_from")),
                name="renovation_notice_dates_ordered",
                violation_error_message=_("公示结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(cutoff_override_by__isnull=True) | ~Q(cutoff_override_reason=""),
                name="renovation_cutoff_override_has_reason",
                violation_error_message=_("年代例外须写明理由。"),
            ),
            models.CheckConstraint(
                condition=Q(stage__in=STAGE_ORDER),
                name="renovation_stage_valid",
                violation_error_message=_("阶段无效。"),
            ),
        ]
        indexes = [
            models.Index(fields=["year", "street"], name="renovation_year_street_idx"),
            # The lists' default order, so a page of a national list is read from the index.
            models.Index(fields=["-year", "street", "name", "id"], name="renovation_list_order_idx"),
            models.Index(fields=["stage", "planned_end"], name="renovation_stage_due_idx"),
        ]

    def __str__(self):
        return self.name


class StageMove(models.Model):
    """阶段变更记录: who moved the project from which stage to which, when.
    A move to construction keeps the gates as they were shown then."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="moves", verbose_name=_("项目"))
    from_stage = models.CharField(_("原阶段"), max_length=14, choices=Stage.choices)
    to_stage = models.CharField(_("新阶段"), max_length=14, choices=Stage.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    gates = models.JSONField(_("开工条件快照"), default=list, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    moved_at = models.DateTimeField(_("时间"), default=timezone.now)

    scope_paths = {key: f"project__{path}" for key, path in Project.scope_paths.items()}

    class Meta:
        verbose_name = _("阶段变更记录")
        verbose_name_plural = _("阶段变更记录")
        ordering = ["project_id", "moved_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_stage=models.F("to_stage")),
                name="renovation_move_changes_stage",
                violation_error_message=_("新阶段与原阶段相同。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display()}"
