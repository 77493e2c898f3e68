"""Pagination for pages and the API.

Every page costs the same number of queries, whether it is page 1 or page
4,000: one count (or a totals query that supplies it) and one for the rows.
"""

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination

PAGE_SIZES = (20, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


class PortalPaginator(Paginator):
    """A paginator that can take the row count from a query already made."""

    def __init__(self, object_list, per_page, *, count=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.__dict__["count"] = count


def page_size_from(request, default=DEFAULT_PAGE_SIZE):
    try:
        size = int(request.GET.get("page_size", default))
    except (TypeError, ValueError):
        return default
    return size if size in PAGE_SIZES else default


def paginate(request, queryset, *, count=None):
    """The requested page (out-of-range numbers fall back to the last page)."""
    paginator = PortalPaginator(queryset, page_size_from(request), count=count)
    return paginator.get_page(request.GET.get("page"))


class PortalApiPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = max(PAGE_SIZES)
    django_paginator_class = PortalPaginator
