"""The estate registry (小区台账): what the organisation tree holds.

Estate → building under a community of the tree (`org`: district → street
office → community), plus the property-rights units that own parts of estates. Every scoped model says how it
hangs off the tree in `scope_paths`, which `accounts.scoping.scoped` reads.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communities.choices import (
    Enclosure,
    FundHolder,
    FundStatus,
    ManagementMode,
    OwnersBody,
    RightsUnitStatus,
)
from core.db import CurrentYear
from core.pinyin import initials
from core.validators import validate_contact_phone, validate_credit_code

EARLIEST_YEAR = 1800


def validate_not_future_year(value):
    from django.core.exceptions import ValidationError

    if value is not None and value > timezone.localdate().year:
        raise ValidationError(_("年份 %(value)s 晚于今年，请检查。"), code="future_year", params={"value": value})


class PropertyRightsUnit(models.Model):
    """产权单位: the original employer or owner of (parts of) estates.

    Registered by the district or by a street office; visible to a street or
    community whenever it holds something there. A unit that was split, merged
    or dissolved stays in the ledger, because then nobody may be responsible.
    """

    district = models.ForeignKey(
        "org.District", on_delete=models.PROTECT, related_name="rights_units", verbose_name=_("区")
    )
    street = models.ForeignKey(
        "org.StreetOffice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_rights_units",
        verbose_name=_("登记街道"),
        help_text=_("由哪个街道登记；区级登记的留空。"),
    )
    name = models.CharField(_("单位名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code])
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_contact_phone])
    address = models.CharField(_("地址"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=RightsUnitStatus.choices, default=RightsUnitStatus.ACTIVE
    )
    status_changed_on = models.DateField(_("状态变更日期"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("承继单位"),
        help_text=_("分立或合并后承担责任的单位；解散且无人承接的留空。"),
    )
    remarks = models.TextField(_("备注"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    scope_paths = {"district": "district"}

    class Meta:
        verbose_name = _("产权单位")
        verbose_name_plural = _("产权单位")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="rights_unit_name_unique_in_district"),
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="rights_unit_credit_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(status=RightsUnitStatus.ACTIVE) | Q(status_changed_on__isnull=False),
                name="rights_unit_status_change_dated",
                violation_error_message=_("分立、合并或解散的单位须填写状态变更日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(status=RightsUnitStatus.ACTIVE) | Q(successor__isnull=True),
                name="rights_unit_active_has_no_successor",
                violation_error_message=_("存续单位不应有承继单位。"),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def nobody_responsible(self):
        return self.status != RightsUnitStatus.ACTIVE and self.successor_id is None

    @classmethod
    def scope_q(cls, level, node_id):
        """A unit is seen by the street that registered it and by every street or
        community where it holds something (without duplicating rows)."""
        if level == "district":
            return Q(district_id=node_id)
        holding_path = {"street": "estate__community__street_id", "community": "estate__community_id"}[level]
        holds_here = models.Exists(
            cls.holdings.rel.related_model.objects.filter(rights_unit=models.OuterRef("pk"), **{holding_path: node_id})
        )
        return (Q(street_id=node_id) | holds_here) if level == "street" else holds_here


class Estate(models.Model):
    """小区: one row of the ledger."""

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="estates", verbose_name=_("社区")
    )
    name = models.CharField(_("小区名称"), max_length=100)
    # "gmbl" for 光明北里 (core.pinyin), kept with the name on every save and
    # import, indexed: the ledger search finds an estate by the initials typed.
    name_initials = models.CharField(_("名称拼音首字母"), max_length=100, blank=True, default="", editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    year_built = models.IntegerField(
        _("建成年份"),
        validators=[MinValueValidator(EARLIEST_YEAR), validate_not_future_year],
    )
    building_count = models.PositiveIntegerField(_("楼栋数"), default=0)
    households = models.PositiveIntegerField(_("户数"), default=0)
    floor_area = models.DecimalField(
        _("建筑面积（㎡）"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    enclosure = models.CharField(_("开放形式"), max_length=8, choices=Enclosure.choices, default=Enclosure.OPEN)
    management_mode = models.CharField(
        _("管理模式"), max_length=16, choices=ManagementMode.choices, default=ManagementMode.NONE
    )
    owners_body = models.CharField(_("业主组织"), max_length=16, choices=OwnersBody.choices, default=OwnersBody.NONE)
    fund_status = models.CharField(
        _("维修资金归集"), max_length=16, choices=FundStatus.choices, default=FundStatus.UNKNOWN
    )
    fund_balance = models.DecimalField(
        _("维修资金余额（元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    fund_holder = models.CharField(
        _("维修资金持有方"), max_length=16, choices=FundHolder.choices, default=FundHolder.NONE
    )
    fund_holder_unit = models.ForeignKey(
        PropertyRightsUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funds_held",
        verbose_name=_("持有维修资金的售房单位"),
    )
    parking_spaces = models.PositiveIntegerField(_("停车位"), null=True, blank=True)
    vehicles = models.PositiveIntegerField(_("机动车数"), null=True, blank=True)
    has_surveillance = models.BooleanField(_("有视频监控"), default=False)
    fire_passage_blocked = models.BooleanField(_("消防通道堵塞"), default=False)
    expropriation_planned = models.BooleanField(
        _("计划征收拆迁"), default=False, help_text=_("计划征收拆迁的小区不得纳入改造。")
    )
    shantytown = models.BooleanField(
        _("棚户区改造"), default=False, help_text=_("棚户区改造的小区不得纳入老旧小区改造。")
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("73")), MaxValueValidator(Decimal("136"))],
    )
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("3")), MaxValueValidator(Decimal("54"))],
    )
    remarks = models.TextField(_("备注"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "created_at", "name_initials"])

    scope_paths = {"district": "community__street__district", "street": "community__street", "community": "community"}

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="estate_name_unique_in_community",
                violation_error_message=_("该社区已有同名小区。"),
            ),
            models.CheckConstraint(
                condition=Q(year_built__gte=EARLIEST_YEAR) & Q(year_built__lte=CurrentYear()),
                name="estate_year_built_not_future",
                violation_error_message=_("建成年份不能晚于今年。"),
            ),
            models.CheckConstraint(
                condition=Q(floor_area__gte=0),
                name="estate_floor_area_not_negative",
                violation_error_message=_("建筑面积不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(fund_balance__isnull=True) | Q(fund_balance__gte=0),
                name="estate_fund_balance_not_negative",
                violation_error_message=_("维修资金余额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True, latitude__isnull=True)
                | Q(longitude__isnull=False, latitude__isnull=False),
                name="estate_coordinates_complete",
                violation_error_message=_("经度和纬度须同时填写。"),
            ),
            models.CheckConstraint(
                condition=Q(fund_holder_unit__isnull=True) | Q(fund_holder=FundHolder.SELLING_UNIT),
                name="estate_fund_holder_unit_only_for_selling_unit",
                violation_error_message=_("只有持有方为售房单位时才填写持有单位。"),
            ),
        ]
        indexes = [
            # The default order (names in pinyin) has a covering index made
            # by migration 0005 on PostgreSQL.
            # One per sortable column, ending in id like the sort itself.
            models.Index(fields=["year_built", "id"], name="estate_year_built_idx"),
            models.Index(fields=["households", "id"], name="estate_households_idx"),
            models.Index(fields=["floor_area", "id"], name="estate_floor_area_idx"),
            models.Index(fields=["updated_at", "id"], name="estate_updated_idx"),
            models.Index(fields=["management_mode", "community"], name="estate_mode_idx"),
            models.Index(fields=["community", "year_built"], name="estate_community_year_idx"),
            # The search by pinyin initials is a prefix match (LIKE 'gmbl%'): pattern
            # operators on PostgreSQL, whatever the database's collation.
            models.Index(fields=["name_initials"], name="estate_initials_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_initials = initials(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_initials"}
        super().save(*args, **kwargs)

    @property
    def is_old(self):
        return self.year_built is not None and self.year_built <= settings.OLD_ESTATE_CUTOFF_YEAR


# The scope of a row that hangs off one estate (its buildings' holdings, notes, homes…).
ESTATE_CHILD_SCOPE = {key: f"estate__{path}" for key, path in Estate.scope_paths.items()}
