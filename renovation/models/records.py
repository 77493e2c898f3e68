"""The project file (§3 三, §2 七–八): the approvals the project rests on and the
companies the tender chose. The gates to construction read them (施工单位, 施工许可
或免于办理); kept with their history, scoped like the project.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.validators import validate_credit_code

from .projects import Project, StageMove
from .works import MONEY, NOT_NEGATIVE


class Approval(models.Model):
    """审批记录: one approval of the project, by kind. 立项批复 and 可研批复 fix the
    approved investment; 联合审查 gives its opinions and result (and may be held again
    after a failed review); the construction permit or its documented exemption lets
    the works start, one or the other."""

    class Kind(models.TextChoices):
        PROJECT_APPROVAL = "project_approval", _("立项批复")
        FEASIBILITY = "feasibility", _("可研批复")
        JOINT_REVIEW = "joint_review", _("联合审查")
        PERMIT = "permit", _("施工许可")
        PERMIT_EXEMPTION = "permit_exemption", _("免于办理施工许可")

    class Result(models.TextChoices):
        PASSED = "passed", _("通过")
        AMENDED = "amended", _("修改后通过")
        FAILED = "failed", _("不通过")

    INVESTMENT_KINDS = (Kind.PROJECT_APPROVAL, Kind.FEASIBILITY)
    START_KINDS = (Kind.PERMIT, Kind.PERMIT_EXEMPTION)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("项目"))
    kind = models.CharField(_("审批事项"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("文号或证号"), max_length=60, blank=True)
    decided_on = models.DateField(_("日期"))
    investment = models.DecimalField(_("批复投资（元）"), **MONEY, null=True, blank=True, validators=NOT_NEGATIVE)
    opinions = models.TextField(_("审查意见"), blank=True)
    result = models.CharField(_("审查结论"), max_length=10, choices=Result.choices, blank=True)
    reason = models.TextField(_("免于办理的依据"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    history = HistoricalRecords()

    scope_paths = StageMove.scope_paths
    scope_writers = Project.scope_writers

    class Meta:
        verbose_name = _("审批记录")
        verbose_name_plural = _("审批记录")
        ordering = ["project_id", "decided_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["project_approval", "feasibility", "joint_review", "permit", "permit_exemption"]),
                name="renovation_approval_kind_valid",
                violation_error_message=_("审批事项无效。"),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["project_approval", "feasibility"])
                | (~Q(number="") & Q(investment__isnull=False) & Q(investment__gte=0)),
                name="renovation_approval_has_number_and_investment",
                violation_error_message=_("立项或可研批复须填写批复文号和批复投资。"),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["project_approval", "feasibility"]) | Q(investment__isnull=True),
                name="renovation_approval_investment_only_when_approved",
                violation_error_message=_("只有立项或可研批复登记批复投资。"),
            ),
            models.CheckConstraint(
                condition=Q(kind="joint_review", result__in=["passed", "amended", "failed"])
                | (~Q(kind="joint_review") & Q(result="")),
                name="renovation_approval_review_has_result",
                violation_error_message=_("联合审查须填写审查结论。"),
            ),
            models.CheckConstraint(
                condition=~Q(kind="permit") | ~Q(number=""),
                name="renovation_approval_permit_has_number",
                violation_error_message=_("施工许可须填写施工许可证编号。"),
            ),
            models.CheckConstraint(
                condition=(Q(kind="permit_exemption") & ~Q(reason="")) | (~Q(kind="permit_exemption") & Q(reason="")),
                name="renovation_approval_exemption_has_reason",
                violation_error_message=_("免于办理施工许可须写明依据。"),
            ),
            models.UniqueConstraint(
                fields=["project", "kind"],
                condition=Q(kind__in=["project_approval", "feasibility"]),
                name="renovation_one_approval_of_each_kind",
                violation_error_message=_("本项目已登记该批复，请修改原记录。"),
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(kind__in=["permit", "permit_exemption"]),
                name="renovation_one_permit_or_exemption",
                violation_error_message=_("本项目已登记施工许可或免于办理，请修改原记录。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}".strip()


class TenderAward(models.Model):
    """中标单位: the contractor (施工单位) or the supervising engineer (监理单位) the
    tender chose, with its credit code, winning price and contract date. One of each
    role per project; a change is an edit, kept in the history."""

    class Role(models.TextChoices):
        CONTRACTOR = "contractor", _("施工单位")
        SUPERVISOR = "supervisor", _("监理单位")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tender_awards", verbose_name=_("项目"))
    role = models.CharField(_("类别"), max_length=10, choices=Role.choices)
    company_name = models.CharField(_("单位名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, validators=[validate_credit_code])
    price = models.DecimalField(_("中标价（元）"), **MONEY, validators=NOT_NEGATIVE)
    contract_date = models.DateField(_("合同签订日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    history = HistoricalRecords()

    scope_paths = StageMove.scope_paths
    scope_writers = Project.scope_writers

    class Meta:
        verbose_name = _("中标单位")
        verbose_name_plural = _("中标单位")
        ordering = ["project_id", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "role"],
                name="renovation_one_award_per_role",
                violation_error_message=_("本项目已登记该类中标单位，请修改原记录。"),
            ),
            models.CheckConstraint(
                condition=Q(role__in=["contractor", "supervisor"]),
                name="renovation_award_role_valid",
                violation_error_message=_("类别无效。"),
            ),
            models.CheckConstraint(
                condition=~Q(company_name="") & ~Q(credit_code=""),
                name="renovation_award_names_the_company",
                violation_error_message=_("须填写单位名称和统一社会信用代码。"),
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="renovation_award_price_not_negative",
                violation_error_message=_("中标价不能为负数。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}：{self.company_name}"
