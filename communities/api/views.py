"""REST API for the ledger. The same scoping, filters and services as the pages."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets

from accounts.scoping import Action, can, get_scoped_object_or_404, scoped
from communities import selectors, services
from communities.api.serializers import (
    BuildingSerializer,
    CommunitySerializer,
    EstateSerializer,
    RightsUnitSerializer,
    StreetOfficeSerializer,
)
from communities.filtersets import (
    BuildingFilterSet,
    CommunityFilterSet,
    EstateFilterSet,
    RightsUnitFilterSet,
    ledger_ordering,
)
from communities.models import Building, Estate, PropertyRightsUnit

WRITE_ACTIONS = {"update": Action.CHANGE, "partial_update": Action.CHANGE, "destroy": Action.DELETE}
# Any one path segment reaches the view as the id ("abc", "1.5", "-1"): the
# view answers 404 in JSON, instead of the router's pattern ([^/.]+ by default)
# letting Django answer its HTML page.
ANY_SEGMENT = "[^/]+"


class RoleMayWrite(permissions.IsAuthenticated):
    """A write the caller's role may never make is refused with 403 before the
    body is read (an auditor's POST is a 403, not a 400 listing the fields).

    Which action a view's write takes: `create` is CREATE, the others are named
    in the view's `write_actions` (CHANGE when not named). Where the caller may
    take it (their street, their community) is decided per object afterwards:
    404 outside the scope, 403 inside it without the right.
    """

    message = _("您没有权限执行此操作。")

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        action = Action.CREATE if view.action == "create" else view.write_actions.get(view.action, Action.CHANGE)
        return can(request.user, action, view.base_queryset().model)


class ScopedViewSetMixin:
    """Lists through the caller's view scope; an object outside it is a 404,
    one inside it that the caller may not change is a 403, and a write the
    caller's role never makes is a 403 before the body is validated."""

    base_queryset = None  # a callable returning the unscoped queryset
    write_actions = WRITE_ACTIONS
    permission_classes = [RoleMayWrite]
    lookup_value_regex = ANY_SEGMENT

    def get_queryset(self):
        return scoped(self.base_queryset(), self.request.user, Action.VIEW)

    def get_object(self):
        action = self.write_actions.get(self.action, Action.VIEW)
        obj = get_scoped_object_or_404(self.base_queryset(), self.request.user, action, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj


@extend_schema_view(list=extend_schema(summary="小区台账列表"), retrieve=extend_schema(summary="小区详情"))
class EstateViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """小区台账。过滤条件与台账页面相同；结果限于调用者的管辖范围。"""

    serializer_class = EstateSerializer
    filterset_class = EstateFilterSet

    def base_queryset(self):
        return Estate.objects.select_related("community__street").order_by(*ledger_ordering([]))

    def count_for(self, queryset):
        return selectors.cached_ledger_totals(
            user=self.request.user, params=self.request.query_params, queryset=queryset
        )["count"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.create_estate(user=self.request.user, data=data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version")
        serializer.instance = services.update_estate(
            user=self.request.user, estate_id=serializer.instance.pk, data=data, expected_version=version
        )

    def perform_destroy(self, instance):
        services.delete_estate(user=self.request.user, estate_id=instance.pk)


class BuildingViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """楼栋。"""

    serializer_class = BuildingSerializer
    filterset_class = BuildingFilterSet

    # Adding or removing a building is changing its estate (see services).
    write_actions = {**WRITE_ACTIONS, "destroy": Action.CHANGE}

    def base_queryset(self):
        return Building.objects.select_related("estate").order_by("estate_id", "number", "id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        estate = data.pop("estate")
        data.pop("version", None)
        serializer.instance = services.create_building(user=self.request.user, estate_id=estate.pk, data=data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version")
        data.pop("estate", None)
        serializer.instance = services.update_building(
            user=self.request.user, building_id=serializer.instance.pk, data=data, expected_version=version
        )

    def perform_destroy(self, instance):
        services.delete_building(user=self.request.user, building_id=instance.pk)


class RightsUnitViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """产权单位。单位可被标记为分立、合并或解散，但不删除。"""

    serializer_class = RightsUnitSerializer
    filterset_class = RightsUnitFilterSet

    def base_queryset(self):
        return PropertyRightsUnit.objects.order_by("name", "id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.create_rights_unit(user=self.request.user, data=data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version")
        serializer.instance = services.update_rights_unit(
            user=self.request.user, unit_id=serializer.instance.pk, data=data, expected_version=version
        )


class StreetOfficeViewSet(viewsets.ReadOnlyModelViewSet):
    """街道办事处（只读；组织机构由区级在管理后台维护）。"""

    lookup_value_regex = ANY_SEGMENT
    serializer_class = StreetOfficeSerializer

    def get_queryset(self):
        return selectors.streets_for(user=self.request.user).select_related("district")


class CommunityViewSet(viewsets.ReadOnlyModelViewSet):
    """社区（只读）。"""

    lookup_value_regex = ANY_SEGMENT
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilterSet

    def get_queryset(self):
        return selectors.communities_for(user=self.request.user)
