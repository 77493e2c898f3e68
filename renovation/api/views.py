"""REST API of renovation projects: the same scope, filters and services as the pages."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import ANY_SEGMENT, ScopedViewSetMixin
from accounts.scoping import Action, get_scoped_object_or_404, scoped
from renovation import selectors, services
from renovation.api.serializers import (
    CatalogueItemSerializer,
    ConsultationSerializer,
    FundingLineSerializer,
    GateSerializer,
    MoveSerializer,
    ProgressReportSerializer,
    ProjectCreateSerializer,
    ProjectSerializer,
    WorkItemSerializer,
)
from renovation.filtersets import ProjectFilterSet
from renovation.models import (
    CatalogueItem,
    ConsultationMeeting,
    FundingLine,
    ProgressReport,
    Project,
    WorkItem,
)


@extend_schema_view(list=extend_schema(summary="改造项目列表"), retrieve=extend_schema(summary="改造项目详情"))
class ProjectViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """老旧小区改造项目。过滤条件与项目列表页面相同；结果限于调用者的管辖范围。"""

    filterset_class = ProjectFilterSet
    write_actions = {"update": Action.CHANGE, "partial_update": Action.CHANGE, "move": Action.CHANGE}

    serializer_class = ProjectSerializer

    def base_queryset(self):
        projects = Project.objects.select_related("estate__community__street").prefetch_related(
            "approvals", "tender_awards"
        )
        return selectors.with_money(projects).order_by("-year", "street_id", "name", "id")

    @extend_schema(request=ProjectCreateSerializer, responses={201: ProjectSerializer}, summary="新增改造项目")
    def create(self, request, *args, **kwargs):
        serializer = ProjectCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(ProjectSerializer(serializer.instance, context=self.get_serializer_context()).data, status=201)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        allowed = {"name", "summary", "planned_start", "planned_end", "cutoff_override_reason"}
        serializer.instance = services.create_project(
            user=self.request.user,
            annual_plan=data.pop("annual_plan"),
            estate=data.pop("estate"),
            **{k: v for k, v in data.items() if k in allowed},
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("cutoff_override_reason", None)
        serializer.instance = services.update_project(
            user=self.request.user, project_id=serializer.instance.pk, data=data
        )

    @extend_schema(request=MoveSerializer, responses=ProjectSerializer, summary="变更阶段")
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        project = self.get_object()
        payload = MoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.move_stage(user=request.user, project_id=project.pk, **payload.validated_data)
        project = selectors.project_detail(user=request.user, project_id=project.pk)
        return Response(ProjectSerializer(project, context={"request": request}).data)

    @extend_schema(responses=GateSerializer(many=True), summary="开工条件")
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def gates(self, request, pk=None):
        project = self.get_object()
        return Response(GateSerializer(selectors.evaluate_gates(project), many=True).data)


class CatalogueViewSet(viewsets.ReadOnlyModelViewSet):
    """改造内容目录（只读；区级人员在页面维护）。"""

    lookup_value_regex = ANY_SEGMENT
    serializer_class = CatalogueItemSerializer

    def get_queryset(self):
        return scoped(CatalogueItem.objects.order_by("category", "sort_order", "id"), self.request.user)


class _ProjectPartViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    write_actions = {"update": Action.CHANGE, "partial_update": Action.CHANGE}

    def get_queryset(self):
        queryset = super().get_queryset()
        project = self.request.query_params.get("project")
        return queryset.filter(project_id=project) if project and project.isdigit() else queryset

    def _project_id(self, serializer):
        project = serializer.validated_data.get("project") or serializer.instance.project
        get_scoped_object_or_404(Project.objects.all(), self.request.user, Action.CHANGE, pk=project.pk)
        return project.pk


class WorkItemViewSet(_ProjectPartViewSet):
    """改造内容（工程量、预算、实际支出）。可按 project 过滤。"""

    serializer_class = WorkItemSerializer

    def base_queryset(self):
        return WorkItem.objects.select_related("item").order_by("project_id", "id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        project_id = self._project_id(serializer)
        data.pop("project")
        serializer.instance = services.save_work_item(user=self.request.user, project_id=project_id, **data)

    def perform_update(self, serializer):
        instance, data = serializer.instance, serializer.validated_data
        serializer.instance = services.save_work_item(
            user=self.request.user,
            project_id=self._project_id(serializer),
            work_item_id=instance.pk,
            item=data.get("item", instance.item),
            quantity=data.get("quantity", instance.quantity),
            budget=data.get("budget", instance.budget),
            actual_cost=data.get("actual_cost", instance.actual_cost),
            note=data.get("note", instance.note),
        )


class FundingLineViewSet(_ProjectPartViewSet):
    """资金来源（计划与到位）。中央补助须注明改造内容，同一小区同一内容只能使用一次。"""

    serializer_class = FundingLineSerializer

    def base_queryset(self):
        return FundingLine.objects.order_by("project_id", "source", "id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        project_id = self._project_id(serializer)
        data.pop("project")
        serializer.instance = services.save_funding_line(user=self.request.user, project_id=project_id, **data)

    def perform_update(self, serializer):
        instance = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.save_funding_line(
            user=self.request.user,
            project_id=self._project_id(serializer),
            line_id=instance.pk,
            source=data.get("source", instance.source),
            planned=data.get("planned", instance.planned),
            received=data.get("received", instance.received),
            work_item=data.get("work_item", instance.work_item),
            note=data.get("note", instance.note),
        )


class _ProjectRecordViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Records added to a project and then kept (no edit): list, read, add."""

    def get_queryset(self):
        queryset = super().get_queryset()
        project = self.request.query_params.get("project")
        return queryset.filter(project_id=project) if project and project.isdigit() else queryset

    def _project_id(self, serializer):
        project = serializer.validated_data["project"]  # scoped by the serializer's field
        get_scoped_object_or_404(Project.objects.all(), self.request.user, Action.CHANGE, pk=project.pk)
        return project.pk


class ConsultationViewSet(_ProjectRecordViewSet):
    """征求意见记录（会议、问卷、入户；意见条数、摘要、答复）。可按 project 过滤。"""

    serializer_class = ConsultationSerializer

    def base_queryset(self):
        return ConsultationMeeting.objects.order_by("project_id", "held_on", "id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        project_id = self._project_id(serializer)
        data.pop("project")
        serializer.instance = services.add_consultation(user=self.request.user, project_id=project_id, **data)


class ProgressReportViewSet(_ProjectRecordViewSet):
    """进度报告（形象进度%与现场照片；照片重新编码、去除元数据）。可按 project 过滤。"""

    serializer_class = ProgressReportSerializer

    def base_queryset(self):
        return ProgressReport.objects.prefetch_related("photos").order_by("project_id", "-reported_on", "-id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        project_id = self._project_id(serializer)
        data.pop("project")
        serializer.instance = services.add_progress_report(
            user=self.request.user, project_id=project_id, photos=data.pop("photos", []), **data
        )
