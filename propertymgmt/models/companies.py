"""Property service companies, the contracts under which an estate is managed
(by a company, the street centre, a rights unit or the owners), and the fees
collected under them.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.validators import validate_contact_phone, validate_credit_code

from ..choices import CompanyStatus, ManagingBody, ServiceLevel
from ._scoping import ESTATE_SCOPE


class PropertyCompany(models.Model):
    """物业服务企业: a property service company registered in the district.

    Companies work across streets, so a company is registered once per district;
    what a street sees of it are its contracts, assessments and complaints there.
    """

    district = models.ForeignKey(
        "org.District", on_delete=models.PROTECT, related_name="property_companies", verbose_name=_("区")
    )
    name = models.CharField(_("企业名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, validators=[validate_credit_code])
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_contact_phone])
    address = models.CharField(_("地址"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=CompanyStatus.choices, default=CompanyStatus.ACTIVE)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    scope_paths = {"district": "district"}
    # Registered and edited by the district; streets and communities read them.
    scope_writers = frozenset({"district_official"})

    class Meta:
        verbose_name = _("物业服务企业")
        verbose_name_plural = _("物业服务企业")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], name="property_company_credit_code_unique"),
            models.UniqueConstraint(fields=["district", "name"], name="property_company_name_unique_in_district"),
            models.CheckConstraint(condition=~Q(credit_code=""), name="property_company_credit_code_required"),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def scope_q(cls, level, node_id):
        """Streets and communities see all of their district's companies, read-only
        (scope_writers): they pick one for a contract and look it up before hiring
        it. What they write about a company goes through their own contracts,
        assessments and exit orders, which are scoped by estate."""
        if level == "district":
            return Q(district_id=node_id)
        if level == "street":
            return Q(district__streets=node_id)
        return Q(district__streets__communities=node_id)


class Contract(models.Model):
    """物业服务合同 (or the arrangement under which the street centre, a rights unit
    or the owners themselves manage the estate). One active contract per estate."""

    estate = models.ForeignKey(
        "communities.Estate", on_delete=models.PROTECT, related_name="contracts", verbose_name=_("小区")
    )
    body = models.CharField(_("管理主体"), max_length=16, choices=ManagingBody.choices)
    company = models.ForeignKey(
        PropertyCompany,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("物业服务企业"),
    )
    rights_unit = models.ForeignKey(
        "communities.PropertyRightsUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("产权单位"),
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("约定结束日期"), null=True, blank=True)
    ended_on = models.DateField(_("实际结束日期"), null=True, blank=True, help_text=_("合同在执行中的留空。"))
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)
    service_level = models.CharField(
        _("服务等级"), max_length=8, choices=ServiceLevel.choices, default=ServiceLevel.BASIC
    )
    fee_standard = models.DecimalField(
        _("收费标准（元/月·㎡）"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    full_service = models.BooleanField(_("全包服务"), default=True)
    cleaning = models.BooleanField(_("保洁"), default=False)
    security = models.BooleanField(_("秩序维护（保安）"), default=False)
    greening = models.BooleanField(_("绿化"), default=False)
    repairs = models.BooleanField(_("维修"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    vote = models.ForeignKey(
        "OwnersVote",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("选聘表决"),
        help_text=_("业主共同决定选聘该管理人的表决（已通过）。"),
    )
    end_vote = models.ForeignKey(
        "OwnersVote",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ended_contracts",
        verbose_name=_("解聘表决"),
        help_text=_("业主共同决定解聘该管理人的表决（已通过）。"),
    )
    history = HistoricalRecords()

    scope_paths = ESTATE_SCOPE

    class Meta:
        verbose_name = _("物业服务合同")
        verbose_name_plural = _("物业服务合同")
        ordering = ["estate_id", "-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate"],
                condition=Q(ended_on__isnull=True),
                name="one_active_contract_per_estate",
                violation_error_message=_("该小区已有执行中的合同，请先结束原合同。"),
            ),
            models.CheckConstraint(
                condition=Q(body="company", company__isnull=False) | (~Q(body="company") & Q(company__isnull=True)),
                name="contract_company_iff_company_body",
                violation_error_message=_("管理主体为物业服务企业时须选择企业，其他主体不选企业。"),
            ),
            models.CheckConstraint(
                condition=Q(body="rights_unit", rights_unit__isnull=False)
                | (~Q(body="rights_unit") & Q(rights_unit__isnull=True)),
                name="contract_unit_iff_unit_body",
                violation_error_message=_("管理主体为产权单位时须选择产权单位，其他主体不选。"),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="contract_ends_after_start",
                violation_error_message=_("约定结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("starts_on")),
                name="contract_ended_after_start",
                violation_error_message=_("实际结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(full_service=True)
                | Q(cleaning=True)
                | Q(security=True)
                | Q(greening=True)
                | Q(repairs=True),
                name="contract_has_services",
                violation_error_message=_("非全包服务须至少选择一项专项服务。"),
            ),
            models.CheckConstraint(condition=Q(fee_standard__gte=0), name="contract_fee_not_negative"),
        ]
        indexes = [models.Index(fields=["company", "ended_on"], name="contract_company_idx")]

    def __str__(self):
        return f"{self.estate} {self.body_name}"

    @property
    def body_name(self) -> str:
        if self.company_id:
            return self.company.name
        if self.rights_unit_id:
            return self.rights_unit.name
        return str(self.get_body_display())

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


BREAK_EVEN_RATE = Decimal("0.85")


class FeeCollection(models.Model):
    """物业费收缴: billed and collected for one estate and one period."""

    estate = models.ForeignKey(
        "communities.Estate", on_delete=models.CASCADE, related_name="fee_collections", verbose_name=_("小区")
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="fee_collections"
    )
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    billed = models.DecimalField(_("应收（元）"), max_digits=14, decimal_places=2)
    collected = models.DecimalField(_("实收（元）"), max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    scope_paths = ESTATE_SCOPE

    class Meta:
        verbose_name = _("物业费收缴")
        verbose_name_plural = _("物业费收缴")
        ordering = ["estate_id", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "period_start"],
                name="fee_collection_unique_period",
                violation_error_message=_("该小区该期间的收缴情况已登记。"),
            ),
            models.CheckConstraint(
                condition=Q(billed__gt=0) & Q(collected__gte=0),
                name="fee_collection_amounts_valid",
                violation_error_message=_("应收须大于0，实收不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="fee_collection_period_valid",
                violation_error_message=_("期间结束不能早于期间开始。"),
            ),
        ]

    def __str__(self):
        return f"{self.estate_id} {self.period_start}"

    @property
    def rate(self) -> Decimal:
        return (self.collected / self.billed).quantize(Decimal("0.0001"))

    @property
    def breaks_even(self) -> bool:
        return self.collected >= self.billed * BREAK_EVEN_RATE
