"""The organisation tree: district → street office → community.

Every other app hangs off this tree (users belong to one of its nodes, estates to a
community, cases and plans to a street or district). The models moved here from
`communities` and kept their tables (`communities_district`, …), so no row moved.
Each declares its scope in `scope_paths`, which `accounts.scoping.scoped` reads.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    """区: the top of a portal installation's organisation tree."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    code = models.CharField(
        _("行政区划代码"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", _("区县代码应为6位数字（GB/T 2260）。"))],
    )
    code_edition = models.PositiveSmallIntegerField(_("代码版本年份"), default=2024)

    scope_paths = {"district": "id", "street": "streets", "community": "streets__communities"}
    # The organisation tree itself is kept by the district.
    scope_writers = frozenset({"district_official"})

    class Meta:
        db_table = "communities_district"
        verbose_name = _("区")
        verbose_name_plural = _("区")
        ordering = ["code"]

    def __str__(self):
        return self.name


class StreetOffice(models.Model):
    """街道办事处 (or 镇/乡): keeps the ledger of its own estates."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="streets", verbose_name=_("区"))
    name = models.CharField(_("名称"), max_length=50)
    code = models.CharField(
        _("统计用区划代码"),
        max_length=9,
        unique=True,
        validators=[RegexValidator(r"^\d{9}$", _("街道代码应为9位数字（区县6位＋街道3位）。"))],
    )

    scope_paths = {"district": "district", "street": "id", "community": "communities"}
    # The organisation tree itself is kept by the district.
    scope_writers = frozenset({"district_official"})

    class Meta:
        db_table = "communities_streetoffice"
        verbose_name = _("街道办事处")
        verbose_name_plural = _("街道办事处")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="street_name_unique_in_district"),
        ]

    def __str__(self):
        return self.name


class Community(models.Model):
    """社区 / 居委会."""

    street = models.ForeignKey(
        StreetOffice, on_delete=models.PROTECT, related_name="communities", verbose_name=_("街道")
    )
    name = models.CharField(_("名称"), max_length=50)
    code = models.CharField(
        _("统计用区划代码"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^\d{12}$", _("社区代码应为12位数字。"))],
    )

    scope_paths = {"district": "street__district", "street": "street", "community": "id"}
    # The organisation tree itself is kept by the district.
    scope_writers = frozenset({"district_official"})

    class Meta:
        db_table = "communities_community"
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="community_name_unique_in_street"),
        ]

    def __str__(self):
        return self.name
