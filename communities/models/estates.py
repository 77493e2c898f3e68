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
    DANGEROUS_GRADES,
    DangerGrade,
    Enclosure,
    FundHolder,
    FundStatus,
    ManagementMode,
    OwnersBody,
    RightsForm,
    RightsUnitStatus,
    Structure,
)
from core.db import CurrentYear
from core.validators import mask_mobile, normalize_mobile, validate_contact_phone, validate_credit_code

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
            RightsHolding.objects.filter(rights_unit=models.OuterRef("pk"), **{holding_path: node_id})
        )
        return (Q(street_id=node_id) | holds_here) if level == "street" else holds_here


class Estate(models.Model):
    """小区: one row of the ledger."""

    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, related_name="estates", verbose_name=_("社区")
    )
    name = models.CharField(_("小区名称"), max_length=100)
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
    history = HistoricalRecords(excluded_fields=["updated_at", "created_at"])

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
        ]

    def __str__(self):
        return self.name

    @property
    def is_old(self):
        return self.year_built is not None and self.year_built <= settings.OLD_ESTATE_CUTOFF_YEAR


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

    scope_paths = {key: f"estate__{path}" for key, path in Estate.scope_paths.items()}

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

    scope_paths = RightsHolding.scope_paths

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

    scope_paths = RightsHolding.scope_paths

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

    scope_paths = RightsHolding.scope_paths

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

    scope_paths = RightsHolding.scope_paths

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


class Household(models.Model):
    """户: one exclusive part (专有部分) of an estate and its owner, as the register holds it.

    Owners' votes count area and heads from here (Civil Code art. 278). The
    owner's contact is shown masked wherever the full number is not needed.
    """

    estate = models.ForeignKey(
        Estate, on_delete=models.CASCADE, related_name="households_register", verbose_name=_("小区")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="households_register", verbose_name=_("楼栋")
    )
    unit = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("房号"), max_length=20)
    exclusive_area = models.DecimalField(
        _("专有部分面积（㎡）"), max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    owner_name = models.CharField(_("业主姓名"), max_length=100)
    owner_phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_contact_phone])
    remarks = models.CharField(_("备注"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    scope_paths = RightsHolding.scope_paths

    class Meta:
        verbose_name = _("房屋户籍")
        verbose_name_plural = _("房屋户籍")
        ordering = ["estate_id", "building_id", "unit", "room", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "room"],
                name="household_room_unique_in_building",
                violation_error_message=_("该楼栋已有相同单元、房号的户。"),
            ),
            models.CheckConstraint(
                condition=Q(exclusive_area__gt=0),
                name="household_area_positive",
                violation_error_message=_("专有部分面积必须大于0。"),
            ),
        ]
        indexes = [models.Index(fields=["estate", "owner_name"], name="household_estate_owner_idx")]

    def __str__(self):
        return f"{self.building.number if self.building_id else ''}{self.unit}{self.room}".strip()

    @property
    def owner_key(self) -> str:
        """Who the owner is for counting heads: one owner with several homes counts once
        (最高人民法院建筑物区分所有权司法解释第九条). Same name and same contact number
        is the same owner; a name without a number is only matched within one estate
        by name."""
        return f"{self.owner_name.strip()}|{normalize_mobile(self.owner_phone)}"

    @property
    def masked_phone(self) -> str:
        return mask_mobile(self.owner_phone) if self.owner_phone else ""
