"""REST API for the ledger. The same scoping, filters and services as the pages."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from accounts.api import ANY_SEGMENT, WRITE_ACTIONS, ScopedViewSetMixin
from accounts.scoping import Action
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
