"""What the district sets: the five-year plan, its annual plans, and the
catalogue of kinds of work a project picks from.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import Output, WorkCategory
from ._scoping import DISTRICT_WRITERS


def _district_scope_q(prefix: str):
    """Plans belong to a district; every street and community of it reads them."""

    def scope_q(level, node_id):
        paths = {
            "district": f"{prefix}district_id",
            "street": f"{prefix}district__streets",
            "community": f"{prefix}district__streets__communities",
        }
        return Q(**{paths[level]: node_id})

    return scope_q


class FiveYearPlan(models.Model):
    """五年规划: the district's renovation plan for five years."""

    district = models.ForeignKey(
        "org.District", on_delete=models.PROTECT, related_name="renovation_plans", verbose_name=_("区")
    )
    name = models.CharField(_("规划名称"), max_length=100)
    start_year = models.PositiveSmallIntegerField(_("起始年份"), validators=[MinValueValidator(2000)])
    end_year = models.PositiveSmallIntegerField(_("终止年份"), validators=[MinValueValidator(2000)])
    target_estates = models.PositiveIntegerField(_("计划改造小区数"), default=0)

    scope_writers = DISTRICT_WRITERS

    class Meta:
        verbose_name = _("五年改造规划")
        verbose_name_plural = _("五年改造规划")
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "start_year"],
                name="renovation_plan_unique_start",
                violation_error_message=_("本区已有同一起始年份的五年规划。"),
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")) & Q(end_year__lte=models.F("start_year") + 4),
                name="renovation_plan_five_years",
                violation_error_message=_("五年规划的终止年份须在起始年份之后五年以内。"),
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def scope_q(cls, level, node_id):
        return _district_scope_q("")(level, node_id)


class AnnualPlan(models.Model):
    """年度计划: the estates to renovate in one year of a five-year plan."""

    plan = models.ForeignKey(FiveYearPlan, on_delete=models.PROTECT, related_name="years", verbose_name=_("五年规划"))
    year = models.PositiveSmallIntegerField(_("年度"))
    target_estates = models.PositiveIntegerField(_("计划改造小区数"), default=0)

    scope_writers = DISTRICT_WRITERS

    class Meta:
        verbose_name = _("年度改造计划")
        verbose_name_plural = _("年度改造计划")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year"],
                name="renovation_annual_plan_unique_year",
                violation_error_message=_("该五年规划已有这一年度的计划。"),
            ),
        ]

    def __str__(self):
        return _("%(year)s年度改造计划") % {"year": self.year}

    @classmethod
    def scope_q(cls, level, node_id):
        return _district_scope_q("plan__")(level, node_id)


class CatalogueItem(models.Model):
    """改造内容目录: one kind of work (a row of §3's three lists). Data, not code:
    district officials add items; items in use are retired, never deleted."""

    category = models.CharField(_("类别"), max_length=12, choices=WorkCategory.choices)
    name = models.CharField(_("改造内容"), max_length=60, unique=True)
    unit = models.CharField(_("计量单位"), max_length=10, help_text=_("例如：公里、部、个、㎡、项。"))
    output = models.CharField(_("统计口径"), max_length=12, choices=Output.choices, blank=True, default="")
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    active = models.BooleanField(_("可选用"), default=True)

    scope_writers = DISTRICT_WRITERS

    class Meta:
        verbose_name = _("改造内容目录")
        verbose_name_plural = _("改造内容目录")
        ordering = ["category", "sort_order", "id"]

    def __str__(self):
        return self.name

    @classmethod
    def scope_q(cls, level, node_id):
        return Q()  # the catalogue is read by everyone with a role
