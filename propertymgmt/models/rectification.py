"""Rectification before exit (限期整改): the street's order to a company to fix named
problems by a deadline, and the check that says whether it did; and the street's
recorded opinions on a company (进驻、退出、评价).

An order out (ExitOrder) needs a failed or overdue rectification order, except on the
safety ground (five or more security incidents in a year), which stays immediate.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import OpinionGrade, OpinionKind, RectificationResult, RectificationStatus
from .assessments import ExitOrder
from .companies import PropertyCompany


class RectificationOrder(models.Model):
    """限期整改通知: what the company must fix in a street's estates, by when, and who checks."""

    company = models.ForeignKey(
        PropertyCompany,
        on_delete=models.PROTECT,
        related_name="rectification_orders",
        verbose_name=_("物业服务企业"),
    )
    street = models.ForeignKey("org.StreetOffice", on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    estates = models.ManyToManyField("communities.Estate", blank=True, related_name="+", verbose_name=_("涉及小区"))
    problems = models.TextField(_("整改事项"))
    deadline = models.DateField(_("整改期限"))
    checker = models.CharField(_("验收人（部门或职务）"), max_length=100, blank=True)
    checker_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("验收人账号"),
    )
    issued_on = models.DateField(_("下达日期"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("下达人")
    )
    result = models.CharField(_("验收结果"), max_length=8, choices=RectificationResult.choices, blank=True)
    checked_on = models.DateField(_("验收日期"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("验收登记人"),
    )
    check_remarks = models.TextField(_("验收意见"), blank=True)
    history = HistoricalRecords()

    scope_paths = {"district": "street__district", "street": "street", "community": "street__communities"}
    # Issued and checked by the street office (or the district); communities read them.
    scope_writers = frozenset({"district_official", "street_staff"})

    class Meta:
        verbose_name = _("限期整改通知")
        verbose_name_plural = _("限期整改通知")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("issued_on")),
                name="rectification_deadline_after_issue",
                violation_error_message=_("整改期限不能早于下达日期。"),
            ),
            models.CheckConstraint(
                condition=Q(result="", checked_on__isnull=True)
                | Q(result__in=["passed", "failed"], checked_on__isnull=False),
                name="rectification_result_needs_check_date",
                violation_error_message=_("验收结果须与验收日期一并登记。"),
            ),
            models.CheckConstraint(
                condition=Q(checked_on__isnull=True) | Q(checked_on__gte=F("issued_on")),
                name="rectification_checked_after_issue",
                violation_error_message=_("验收日期不能早于下达日期。"),
            ),
            models.UniqueConstraint(
                fields=["company", "street"],
                condition=Q(result=""),
                name="rectification_one_open_per_company_street",
                violation_error_message=_("该企业在本街道已有尚未验收的整改通知。"),
            ),
        ]
        indexes = [models.Index(fields=["company", "street", "-issued_on"], name="rectification_company_idx")]

    def __str__(self):
        return f"{self.company_id} {self.issued_on}"

    def status_on(self, day) -> str:
        if self.result:
            return self.result  # the result values are the status values
        return RectificationStatus.OVERDUE if day > self.deadline else RectificationStatus.OPEN

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return RectificationStatus(self.status).label

    @property
    def is_open(self) -> bool:
        return not self.result


class CompanyOpinion(models.Model):
    """街道意见: a street office's recorded opinion on a company's entry, exit or service."""

    company = models.ForeignKey(
        PropertyCompany, on_delete=models.PROTECT, related_name="opinions", verbose_name=_("物业服务企业")
    )
    street = models.ForeignKey("org.StreetOffice", on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    kind = models.CharField(_("意见类型"), max_length=8, choices=OpinionKind.choices)
    grade = models.CharField(_("评价等次"), max_length=12, choices=OpinionGrade.choices, blank=True)
    text = models.TextField(_("意见"))
    given_on = models.DateField(_("日期"))
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    exit_order = models.OneToOneField(
        ExitOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinion",
        verbose_name=_("责令退出记录"),
    )
    history = HistoricalRecords()

    # Recorded by the street office (its own street only: services.record_opinion);
    # read by whoever sees the company (PropertyCompany.scope_q: the whole district).
    scope_writers = frozenset({"district_official", "street_staff"})

    class Meta:
        verbose_name = _("街道意见")
        verbose_name_plural = _("街道意见")
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="rating") & ~Q(grade="")) | (~Q(kind="rating") & Q(grade="")),
                name="company_opinion_grade_only_for_rating",
                violation_error_message=_("评价须选择等次，进驻和退出意见不选等次。"),
            ),
            models.CheckConstraint(condition=~Q(text=""), name="company_opinion_text_required"),
        ]

    def __str__(self):
        return f"{self.company_id} {self.get_kind_display()} {self.given_on}"

    @classmethod
    def scope_q(cls, level, node_id):
        """The company's own scope (PropertyCompany.scope_q), through the company."""
        if level == "district":
            return Q(company__district_id=node_id)
        if level == "street":
            return Q(company__district__streets=node_id)
        return Q(company__district__streets__communities=node_id)
