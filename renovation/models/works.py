"""The works and their money: the work items of a project and the funding lines
that pay for them.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import FundingSource
from .plans import CatalogueItem
from .projects import Project, StageMove

MONEY = {"max_digits": 14, "decimal_places": 2}
NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]


class WorkItem(models.Model):
    """改造内容: one catalogue item in one project, with its quantity and money."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="work_items", verbose_name=_("项目"))
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("改造内容"))
    quantity = models.DecimalField(
        _("工程量"), max_digits=12, decimal_places=2, default=Decimal("0"), validators=NOT_NEGATIVE
    )
    budget = models.DecimalField(_("预算（元）"), default=Decimal("0"), validators=NOT_NEGATIVE, **MONEY)
    actual_cost = models.DecimalField(_("实际支出（元）"), default=Decimal("0"), validators=NOT_NEGATIVE, **MONEY)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    scope_paths = StageMove.scope_paths
    scope_writers = Project.scope_writers

    class Meta:
        verbose_name = _("改造内容")
        verbose_name_plural = _("改造内容")
        ordering = ["project_id", "item__category", "item__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "item"],
                name="renovation_work_item_once_per_project",
                violation_error_message=_("本项目已有该改造内容，请修改原有一行。"),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0) & Q(budget__gte=0) & Q(actual_cost__gte=0),
                name="renovation_work_item_not_negative",
                violation_error_message=_("工程量和金额不能为负数。"),
            ),
        ]

    def __str__(self):
        return str(self.item)


class FundingLine(models.Model):
    """资金来源: money from one source for a project, planned and received.
    Central subsidy names the work item it pays for (the no-twice rule)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding", verbose_name=_("项目"))
    source = models.CharField(_("资金来源"), max_length=16, choices=FundingSource.choices)
    work_item = models.ForeignKey(
        WorkItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding",
        verbose_name=_("对应改造内容"),
        help_text=_("中央补助须注明用于哪项改造内容。"),
    )
    planned = models.DecimalField(_("计划金额（元）"), default=Decimal("0"), validators=NOT_NEGATIVE, **MONEY)
    received = models.DecimalField(_("到位金额（元）"), default=Decimal("0"), validators=NOT_NEGATIVE, **MONEY)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    scope_paths = StageMove.scope_paths
    scope_writers = Project.scope_writers

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        ordering = ["project_id", "source", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned__gte=0) & Q(received__gte=0),
                name="renovation_funding_not_negative",
                violation_error_message=_("金额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=~Q(source="central") | Q(work_item__isnull=False),
                name="renovation_central_subsidy_names_item",
                violation_error_message=_("中央补助须注明用于哪项改造内容。"),
            ),
        ]
        indexes = [models.Index(fields=["source", "work_item"], name="renovation_funding_src_idx")]

    def __str__(self):
        return self.get_source_display()
