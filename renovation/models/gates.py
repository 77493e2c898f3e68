"""What the gates to construction rest on that this app decides itself: overrides
with their written reason, the street office's consent and the arrangement for
the maintenance fund. Gates that depend on other apps are evaluated live in
`renovation.selectors`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import Gate
from ._scoping import DISTRICT_WRITERS
from .projects import Project, StageMove


class GateOverride(models.Model):
    """开工条件例外: a district official lets construction start with one gate
    open, for a written reason. Kept for good (no edit, no delete)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("项目"))
    gate = models.CharField(_("开工条件"), max_length=24, choices=Gate.choices)
    reason = models.TextField(_("理由"))
    evidence = models.TextField(_("当时的情况"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("批准人")
    )
    approved_at = models.DateTimeField(_("批准时间"), default=timezone.now)

    scope_paths = StageMove.scope_paths
    scope_writers = DISTRICT_WRITERS

    class Meta:
        verbose_name = _("开工条件例外")
        verbose_name_plural = _("开工条件例外")
        ordering = ["project_id", "gate"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "gate"],
                name="renovation_one_override_per_gate",
                violation_error_message=_("该开工条件已批准例外。"),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="renovation_override_has_reason",
                violation_error_message=_("须写明理由。"),
            ),
        ]

    def __str__(self):
        return self.get_gate_display()


class StreetConsent(models.Model):
    """街道意见: the street office's consent to the project, who gave it and when."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="street_consent", verbose_name=_("项目")
    )
    consented_by = models.CharField(_("同意人（街道）"), max_length=50, help_text=_("街道办事处签署意见的负责人。"))
    consented_on = models.DateField(_("同意日期"))
    document = models.CharField(_("文号或说明"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope_paths = StageMove.scope_paths
    scope_writers = Project.scope_writers

    class Meta:
        verbose_name = _("街道意见")
        verbose_name_plural = _("街道意见")

    def __str__(self):
        return f"{self.consented_by} {self.consented_on}"


class FundArrangement(models.Model):
    """维修资金筹集方案: where the ledger says the fund is not collected, the
    arrangement the project relies on (e.g. owners agree to raise it on completion)."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="fund_arrangement", verbose_name=_("项目")
    )
    description = models.TextField(_("筹集方案"))
    arranged_on = models.DateField(_("确定日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope_paths = StageMove.scope_paths
    scope_writers = Project.scope_writers

    class Meta:
        verbose_name = _("维修资金筹集方案")
        verbose_name_plural = _("维修资金筹集方案")
        constraints = [
            models.CheckConstraint(
                condition=~Q(description=""),
                name="renovation_fund_arrangement_described",
                violation_error_message=_("须写明筹集方案。"),
            ),
        ]

    def __str__(self):
        return self.description[:30]
