"""房屋户籍: the homes of an estate and their owners, who vote in owners' decisions."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.validators import mask_mobile, normalize_mobile, validate_contact_phone

from .buildings import Building
from .estates import ESTATE_CHILD_SCOPE, Estate


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

    scope_paths = ESTATE_CHILD_SCOPE

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
