from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from communities.selectors import all_estates
from renovation import selectors
from renovation.models import (
    AnnualPlan,
    Approval,
    CatalogueItem,
    ConsultationMeeting,
    FundingLine,
    ProgressReport,
    Project,
    Stage,
    TenderAward,
    WorkItem,
)


class CatalogueItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = CatalogueItem
        fields = ["id", "category", "name", "unit", "output", "active"]


class ProjectMoneySerializer(serializers.Serializer):
    """A project's money in 元, exact (docs/figures.md: 总投资, 计划筹措, 已到位, 资金缺口)."""

    total_investment = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text=_("总投资：改造内容预算之和（元）")
    )
    planned = serializers.DecimalField(max_digits=16, decimal_places=2, help_text=_("计划筹措资金之和（元）"))
    received = serializers.DecimalField(max_digits=16, decimal_places=2, help_text=_("已到位资金之和（元）"))
    gap = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text=_("资金缺口：总投资减计划筹措，不低于零（元）")
    )


class ApprovalSerializer(serializers.ModelSerializer):
    """审批记录 (read-only here; recorded on the project page)."""

    class Meta:
        model = Approval
        fields = ["id", "kind", "number", "decided_on", "investment", "opinions", "result", "reason", "recorded_at"]
        read_only_fields = fields


class TenderAwardSerializer(serializers.ModelSerializer):
    """中标单位: the contractor or the supervisor (read-only here)."""

    class Meta:
        model = TenderAward
        fields = ["id", "role", "company_name", "credit_code", "price", "contract_date", "recorded_at"]
        read_only_fields = fields


class ProjectSerializer(ScopedModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    street = serializers.IntegerField(source="estate.community.street_id", read_only=True)
    street_name = serializers.CharField(source="estate.community.street.name", read_only=True)
    community_name = serializers.CharField(source="estate.community.name", read_only=True)
    cutoff_override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=_("小区晚于年代界限时，由区级管理人员填写的例外理由。"),
    )
    money = serializers.SerializerMethodField(help_text=_("项目资金（元）：总投资、计划筹措、已到位、资金缺口"))
    approvals = ApprovalSerializer(
        many=True, read_only=True, help_text=_("审批记录：立项/可研批复、联合审查、施工许可或免于办理")
    )
    tender = TenderAwardSerializer(
        many=True, read_only=True, source="tender_awards", help_text=_("招标结果：施工单位与监理单位")
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "annual_plan",
            "year",
            "estate",
            "estate_name",
            "street",
            "street_name",
            "community_name",
            "name",
            "summary",
            "stage",
            "progress",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "consent_share",
            "notice_from",
            "notice_to",
            "money",
            "approvals",
            "tender",
            "cutoff_override_reason",
        ]
        # A project stays in its plan and its estate; the stage moves through `move`.
        read_only_fields = ["annual_plan", "estate", "year", "stage", "progress", "actual_start", "actual_end"]
        extra_kwargs = {"name": {"required": False, "allow_blank": True}}
        validators = []  # the service checks uniqueness and the add rules in its transaction

    @extend_schema_field(ProjectMoneySerializer)
    def get_money(self, project) -> dict:
        money = selectors.money_of_row(project)
        return ProjectMoneySerializer(
            {
                "total_investment": money.total_investment,
                "planned": money.planned,
                "received": money.received,
                "gap": money.gap,
            }
        ).data


class ProjectCreateSerializer(ProjectSerializer):
    """A new project names its annual plan and estate, both within the caller's scope."""

    annual_plan = ScopedPrimaryKeyRelatedField(queryset=AnnualPlan.objects.all())
    estate = ScopedPrimaryKeyRelatedField(queryset=all_estates())


class MoveSerializer(serializers.Serializer):
    # A plain string in the schema (the stage enum is documented on the project);
    # the service refuses unknown stages and illegal moves with a message.
    to_stage = serializers.CharField(
        max_length=14, help_text=_("目标阶段：") + " / ".join(f"{value}（{label}）" for value, label in Stage.choices)
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class GateSerializer(serializers.Serializer):
    gate = serializers.CharField()
    label = serializers.CharField()
    closed = serializers.BooleanField()
    evidence = serializers.CharField()
    overridden = serializers.SerializerMethodField()

    def get_overridden(self, status) -> bool:
        return status.override is not None


class ProjectPartSerializer(ScopedModelSerializer):
    """A row of a project: the project is named when the row is added and kept after."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list) and "project" in self.fields:
            self.fields["project"].read_only = True


# Required here is what the service requires (save_work_item, save_funding_line,
# add_consultation, add_progress_report): a missing one is a 400 naming it.


class WorkItemSerializer(ProjectPartSerializer):
    item_name = serializers.CharField(source="item.name", read_only=True)
    category = serializers.CharField(source="item.category", read_only=True)

    class Meta:
        model = WorkItem
        fields = ["id", "project", "item", "item_name", "category", "quantity", "budget", "actual_cost", "note"]
        extra_kwargs = {"quantity": {"required": True}, "budget": {"required": True}}
        validators = []


class FundingLineSerializer(ProjectPartSerializer):
    class Meta:
        model = FundingLine
        fields = ["id", "project", "source", "work_item", "planned", "received", "note"]
        extra_kwargs = {"planned": {"required": True}}
        validators = []


class ConsultationSerializer(ProjectPartSerializer):
    class Meta:
        model = ConsultationMeeting
        fields = ["id", "project", "kind", "held_on", "attendees", "opinions", "summary", "response"]
        extra_kwargs = {"kind": {"required": True}}


class ProgressReportSerializer(ProjectPartSerializer):
    photos = serializers.ListField(
        child=serializers.ImageField(), write_only=True, required=False, help_text=_("现场照片，可多张（multipart）。")
    )
    photo_ids = serializers.SerializerMethodField()

    class Meta:
        model = ProgressReport
        fields = ["id", "project", "reported_on", "percent", "note", "photos", "photo_ids"]

    def get_photo_ids(self, report) -> list[int]:
        return [photo.pk for photo in report.photos.all()]
