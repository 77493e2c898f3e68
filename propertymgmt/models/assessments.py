"""Monthly assessments of an estate's managing body, the schemes they are scored
by, and the orders that put a company out of a street's estates.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ._scoping import ESTATE_SCOPE
from .companies import Contract, PropertyCompany


class ScoringScheme(models.Model):
    """考核评分办法: the items and their points, kept as data (e.g. Shanghai's 以奖代补)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    items = models.JSONField(
        _("评分项目"), help_text=_('例如 [{"code": "fee", "name": "物业费收缴", "points": 40}, ...]')
    )
    complaint_deduction = models.DecimalField(
        _("每件属实投诉扣分"), max_digits=5, decimal_places=2, default=Decimal("2.00")
    )
    is_default = models.BooleanField(_("默认办法"), default=False)

    class Meta:
        verbose_name = _("考核评分办法")
        verbose_name_plural = _("考核评分办法")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_scheme")
        ]

    def __str__(self):
        return self.name


class Assessment(models.Model):
    """月度考核: by the supervision group (owners, community, police) of one estate's managing body."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("合同"))
    estate = models.ForeignKey(
        "communities.Estate", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("小区")
    )
    company = models.ForeignKey(
        PropertyCompany,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("物业服务企业"),
    )
    month = models.DateField(_("考核月份"), help_text=_("该月1日。"))
    scheme = models.ForeignKey(ScoringScheme, on_delete=models.PROTECT, verbose_name=_("评分办法"))
    item_scores = models.JSONField(_("分项得分"), default=dict)
    complaints_upheld = models.PositiveIntegerField(_("属实投诉（件）"), default=0)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)
    satisfaction = models.DecimalField(
        _("满意度（%）"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    security_incidents = models.PositiveIntegerField(_("治安事件（起）"), default=0)
    remarks = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    scope_paths = ESTATE_SCOPE

    class Meta:
        verbose_name = _("月度考核")
        verbose_name_plural = _("月度考核")
        ordering = ["-month", "estate_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "month"],
                name="assessment_once_a_month",
                violation_error_message=_("该合同本月已考核。"),
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__gte=0) & Q(satisfaction__lte=100), name="assessment_satisfaction_percent"
            ),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="assessment_score_range"),
        ]
        indexes = [models.Index(fields=["estate", "month"], name="assessment_estate_month_idx")]

    def __str__(self):
        return f"{self.estate_id} {self.month:%Y-%m}"


class ExitOrder(models.Model):
    """责令退出: a street office orders a company out of its estates, with the evidence."""

    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="exit_orders")
    street = models.ForeignKey("org.StreetOffice", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=300)
    evidence = models.JSONField(_("依据"), default=dict)
    ordered_on = models.DateField(_("责令日期"))
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope_paths = {"district": "street__district", "street": "street", "community": "street__communities"}

    class Meta:
        verbose_name = _("责令退出记录")
        verbose_name_plural = _("责令退出记录")
        ordering = ["-ordered_on", "-id"]

    def __str__(self):
        return f"{self.company_id} {self.ordered_on}"
