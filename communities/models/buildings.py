"""Buildings, who holds them (产权构成), management periods and illegal structures of an estate."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communities.choices import (
    DANGEROUS_GRADES,
    DangerGrade,
    ManagementMode,
    RightsForm,
    Structure,
)
from core.db import CurrentYear

from .estates import EARLIEST_YEAR, ESTATE_CHILD_SCOPE, Estate, PropertyRightsUnit, validate_not_future_year


class Building(models.Model):
    """楼栋."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="buildings", verbose_name=_("小区"))
    number = models.CharField(_("楼号"), max_length=30)
    floors = models.PositiveSmallIntegerField(_("层数"), validators=[MinValueValidator(1)])
    entrances = models.PositiveSmallIntegerField(_("单元数"), default=1, validators=[MinValueValidator(1)])
    households = models.PositiveIntegerField(_("户数"), default=0)
    year_built = models.IntegerField(
        _("建成年份"), null=True, blank=True, validators=[MinValueValidator(EARLIEST_YEAR), validate_not_future_year]
    )
    structure = models.CharField(_("结构"), max_length=16, choices=Structure.choices, default=Structure.BRICK_CONCRETE)
    elevators = models.PositiveSmallIntegerField(_("电梯数"), default=0)
    danger_grade = models.CharField(
        _("危房等级"), max_length=1, choices=DangerGrade.choices, blank=True, help_text=_("未鉴定的留空。")
    )
    floor_area = models.DecimalField(
        _("建筑面积（㎡）"),
        max_digits=11,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    scope_paths = {
        "district": "estate__community__street__district",
        "street": "estate__community__street",
        "community": "estate__community",
    }

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["estate_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "number"],
                name="building_number_unique_in_estate",
                violation_error_message=_("该小区已有相同楼号。"),
            ),
            models.CheckConstraint(
                condition=Q(floors__gte=1), name="building_has_floors", violation_error_message=_("层数至少为1。")
            ),
            models.CheckConstraint(
                condition=Q(entrances__gte=1),
                name="building_has_entrances",
                violation_error_message=_("单元数至少为1。"),
            ),
            models.CheckConstraint(
                condition=Q(year_built__isnull=True)
                | (Q(year_built__gte=EARLIEST_YEAR) & Q(year_built__lte=CurrentYear())),
                name="building_year_built_not_future",
                violation_error_message=_("建成年份不能晚于今年。"),
            ),
            models.CheckConstraint(
                condition=Q(floor_area__isnull=True) | Q(floor_area__gte=0),
                name="building_floor_area_not_negative",
                violation_error_message=_("建筑面积不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(danger_grade__in=["", "A", "B", "C", "D"]),
                name="building_danger_grade_valid",
                violation_error_message=_("危房等级只能是A、B、C、D或留空。"),
            ),
        ]
        indexes = [models.Index(fields=["estate", "danger_grade"], name="building_estate_grade_idx")]

    def __str__(self):
        return f"{self.estate.name} {self.number}" if self.estate_id else self.number

    @property
    def is_dangerous(self):
        return self.danger_grade in DANGEROUS_GRADES


class RightsHolding(models.Model):
    """产权构成: which rights unit holds which estate, building or part of one, in which form."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="holdings", verbose_name=_("小区"))
    building = models.ForeignKey(
        Building,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holdings",
        verbose_name=_("楼栋"),
        help_text=_("涉及整个小区的留空。"),
    )
    rights_unit = models.ForeignKey(
        PropertyRightsUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="holdings",
        verbose_name=_("产权单位"),
        help_text=_("商品房等无产权单位的留空。"),
    )
    rights_form = models.CharField(_("产权形式"), max_length=16, choices=RightsForm.choices)
    portion = models.CharField(_("涉及范围"), max_length=100, blank=True, help_text=_("例如：2单元、1-3层。"))
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    remarks = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    scope_paths = ESTATE_CHILD_SCOPE

    class Meta:
        verbose_name = _("产权构成")
        verbose_name_plural = _("产权构成")
        ordering = ["estate_id", "building_id", "id"]
        indexes = [models.Index(fields=["rights_unit", "estate"], name="holding_unit_estate_idx")]

    def __str__(self):
        return f"{self.get_rights_form_display()} {self.portion}".strip()


class ManagementPeriod(models.Model):
    """管理模式变更记录: each span of time an estate was under one management mode."""

    estate = models.ForeignKey(
        Estate, on_delete=models.CASCADE, related_name="management_periods", verbose_name=_("小区")
    )
    mode = models.CharField(_("管理模式"), max_length=16, choices=ManagementMode.choices)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope_paths = ESTATE_CHILD_SCOPE

    class Meta:
        verbose_name = _("管理模式变更记录")
        verbose_name_plural = _("管理模式变更记录")
        ordering = ["estate_id", "-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate"], condition=Q(ended_on__isnull=True), name="one_open_management_period_per_estate"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="management_period_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_mode_display()} {self.started_on}–{self.ended_on or ''}"


class IllegalStructure(models.Model):
    """违法建设 / 小配房 awaiting demolition: they block renovation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待拆除")
        DEMOLISHED = "demolished", _("已拆除")

    estate = models.ForeignKey(
        Estate, on_delete=models.CASCADE, related_name="illegal_structures", verbose_name=_("小区")
    )
    description = models.CharField(_("位置及描述"), max_length=200)
    area = models.DecimalField(
        _("面积（㎡）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    identified_on = models.DateField(_("发现日期"), null=True, blank=True)
    demolished_on = models.DateField(_("拆除日期"), null=True, blank=True)
    history = HistoricalRecords()

    scope_paths = ESTATE_CHILD_SCOPE

    class Meta:
        verbose_name = _("违法建设")
        verbose_name_plural = _("违法建设")
        ordering = ["estate_id", "status", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(area__gt=0),
                name="illegal_structure_area_positive",
                violation_error_message=_("面积必须大于0。"),
            ),
            models.CheckConstraint(
                condition=Q(status="pending", demolished_on__isnull=True)
                | Q(status="demolished", demolished_on__isnull=False),
                name="illegal_structure_demolition_dated",
                violation_error_message=_("已拆除的须填写拆除日期，待拆除的不填。"),
            ),
        ]

    def __str__(self):
        return self.description
