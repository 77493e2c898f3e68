"""REST API of the complaints app: the same scope and filter set as the pages."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from accounts.api import ScopedReadOnlyViewSet
from complaints import selectors
from complaints.api.serializers import ComplaintDetailSerializer, ComplaintSerializer
from complaints.filtersets import ComplaintFilterSet
from complaints.models import Complaint
from complaints.views import QUEUE_CAP, CappedPaginator, bounded_count
from core.pagination import PortalApiPagination


class CappedApiPagination(PortalApiPagination):
    """Counts at most QUEUE_CAP rows (then `count` says QUEUE_CAP): cheap at 5 million cases."""

    def paginate_queryset(self, queryset, request, view=None):
        count = min(bounded_count(queryset), QUEUE_CAP)
        self.django_paginator_class = lambda qs, size: CappedPaginator(
            qs, size, count=count, rows=selectors.with_list_joins
        )
        return super(PortalApiPagination, self).paginate_queryset(queryset, request, view)


@extend_schema_view(list=extend_schema(summary="投诉工单列表"), retrieve=extend_schema(summary="投诉工单详情"))
class ComplaintViewSet(ScopedReadOnlyViewSet):
    """投诉工单。筛选条件与工单页面相同（queue 默认全部）；结果限于调用者的管辖范围；手机号码脱敏。"""

    filterset_class = ComplaintFilterSet
    pagination_class = CappedApiPagination

    def base_queryset(self):
        """One case with what its detail shows (the list takes its rows from the selector)."""
        return Complaint.objects.select_related("category", "street", "estate").prefetch_related("steps")

    def get_queryset(self):
        return selectors.complaints_for(user=self.request.user).order_by("-id")

    def get_serializer_class(self):
        return ComplaintDetailSerializer if self.action == "retrieve" else ComplaintSerializer
