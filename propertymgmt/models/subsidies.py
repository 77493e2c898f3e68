"""Subsidies to the estates' managing bodies: rates per management mode, the
score factor of the balance, the periods and the payments.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import Tranche


class SubsidyRate(models.Model):
    """补贴标准: 元 per m² per year by management mode. Rows without a district are
    the defaults proposed in §7; a district's own rows override them."""

    district = models.ForeignKey("org.District", on_delete=models.CASCADE, null=True, blank=True)
    management_mode = models.CharField(_("管理模式"), max_length=16)
    rate = models.DecimalField(
        _("补贴标准（元/㎡·年）"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    history = HistoricalRecords()

    # Street staff and community workers read their district's rates (the
    # payment lists show them); only district officials write them.
    scope_paths = {"district": "district", "street": "district__streets", "community": "district__streets__communities"}
    scope_writers = frozenset({"district_official"})

    class Meta:
        verbose_name = _("补贴标准")
        verbose_name_plural = _("补贴标准")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "management_mode"], name="subsidy_rate_unique", nulls_distinct=False
            ),
            models.CheckConstraint(condition=Q(rate__gte=0), name="subsidy_rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.management_mode} {self.rate}"


class ScoreFactor(models.Model):
    """考核结果与尾款: a score at or above `min_score` earns `factor` of the balance
    (Shanghai: 80 and above full, 70–79 80%, below 70 nothing)."""

    min_score = models.DecimalField(_("最低分"), max_digits=5, decimal_places=2, unique=True)
    factor = models.DecimalField(_("发放比例"), max_digits=4, decimal_places=3)

    class Meta:
        verbose_name = _("尾款发放比例")
        verbose_name_plural = _("尾款发放比例")
        ordering = ["-min_score"]
        constraints = [
            models.CheckConstraint(condition=Q(factor__gte=0) & Q(factor__lte=1), name="score_factor_range"),
        ]

    def __str__(self):
        return f"≥{self.min_score}: {self.factor}"


class SubsidyPeriod(models.Model):
    """补贴期间 (a quarter by default) of one district."""

    district = models.ForeignKey("org.District", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    label = models.CharField(_("期间"), max_length=40)
    advance_share = models.DecimalField(_("预拨比例"), max_digits=4, decimal_places=3, default=Decimal("0.700"))

    scope_paths = {"district": "district", "street": "district__streets", "community": "district__streets__communities"}
    scope_writers = frozenset({"district_official"})

    class Meta:
        verbose_name = _("补贴期间")
        verbose_name_plural = _("补贴期间")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["district", "starts_on"], name="subsidy_period_unique"),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="subsidy_period_valid"),
        ]

    def __str__(self):
        return self.label

    @property
    def months(self) -> int:
        return (self.ends_on.year - self.starts_on.year) * 12 + self.ends_on.month - self.starts_on.month + 1


class SubsidyPayment(models.Model):
    """One payment to one estate's managing body, with its basis. Exactly one per
    (estate, period, tranche); proposed by the run, approved by a district official."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审批")
        APPROVED = "approved", _("已审批")

    period = models.ForeignKey(SubsidyPeriod, on_delete=models.PROTECT, related_name="payments")
    tranche = models.CharField(_("批次"), max_length=8, choices=Tranche.choices)
    estate = models.ForeignKey("communities.Estate", on_delete=models.PROTECT, related_name="subsidy_payments")
    street = models.ForeignKey("org.StreetOffice", on_delete=models.PROTECT, related_name="+")
    management_mode = models.CharField(_("管理模式"), max_length=16)
    area = models.DecimalField(_("面积（㎡）"), max_digits=12, decimal_places=2)
    rate = models.DecimalField(_("标准（元/㎡·年）"), max_digits=6, decimal_places=2)
    months = models.PositiveSmallIntegerField(_("月数"))
    share = models.DecimalField(_("比例"), max_digits=4, decimal_places=3)
    score = models.DecimalField(_("考核得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    factor = models.DecimalField(_("考核系数"), max_digits=4, decimal_places=3, default=Decimal("1"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PROPOSED)
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope_paths = {"district": "street__district", "street": "street", "community": "estate__community"}

    class Meta:
        verbose_name = _("补贴发放")
        verbose_name_plural = _("补贴发放")
        ordering = ["street_id", "estate_id", "tranche"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "period", "tranche"], name="subsidy_once_per_tranche"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="subsidy_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(status="proposed", approved_at__isnull=True)
                | Q(status="approved", approved_at__isnull=False),
                name="subsidy_approval_recorded",
            ),
        ]
        indexes = [models.Index(fields=["period", "street", "tranche"], name="subsidy_period_street_idx")]

    def __str__(self):
        return f"{self.estate_id} {self.period_id} {self.tranche}"
