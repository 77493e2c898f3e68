"""Pagination for pages and the API.

Every page costs the same number of queries, whether it is page 1 or page
4,000 of a national ledger:

1. the row count comes from a query already made (the ledger's totals, which
   are cached per scope, filters and ledger generation);
2. the page's ids come from an id-only query that PostgreSQL answers from an
   index; a page past the middle is read from the other end (reversed order),
   so the deepest offset ever walked is half the result;
3. the page's rows, with their joins and per-row figures, are fetched for
   those ids only.
"""

from django.core.paginator import Page, Paginator
from rest_framework.pagination import PageNumberPagination

from core.params import parse_int

PAGE_SIZES = (20, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


class PortalPaginator(Paginator):
    """A paginator that takes its count from a query already made and fetches
    pages as ids first, rows second."""

    def __init__(self, object_list, per_page, *, count=None, rows=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.__dict__["count"] = count
        # rows(queryset_of_page) lets the caller add what only shown rows need.
        self.rows = rows

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if not hasattr(self.object_list, "values_list"):
            return super().page(number)
        return Page(self._fetch(bottom, top), number, self)

    def _fetch(self, bottom, top):
        queryset = self.object_list
        if top <= bottom:
            return []
        if bottom > self.count // 2 and queryset.ordered:
            # Read the back half from the end: offset count - top, reversed.
            ids = list(queryset.reverse().values_list("pk", flat=True)[self.count - top : self.count - bottom])
            ids.reverse()
        else:
            ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        if not ids:
            return []
        # The same queryset (scope, select_related) narrowed to the page's ids.
        rows_queryset = queryset.filter(pk__in=ids).order_by()
        if self.rows is not None:
            rows_queryset = self.rows(rows_queryset)
        by_id = {row.pk: row for row in rows_queryset}
        return [by_id[pk] for pk in ids if pk in by_id]


def page_size_from(request, default=DEFAULT_PAGE_SIZE):
    """One of PAGE_SIZES; anything else asked for (junk included) gives the default."""
    size = parse_int(request.GET.get("page_size", ""))
    return size if size in PAGE_SIZES else default


def paginate(request, queryset, *, count=None, rows=None):
    """The requested page (out-of-range numbers fall back to the last page)."""
    paginator = PortalPaginator(queryset, page_size_from(request), count=count, rows=rows)
    return paginator.get_page(request.GET.get("page"))


class PortalApiPagination(PageNumberPagination):
    """The API's pages, with `count` and `results`, fetched as the pages are.

    A view may define `count_for(queryset)` to supply the count from a cached
    query, and `rows_for(queryset)` to add per-row work to the page's rows.
    """

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = max(PAGE_SIZES)

    def paginate_queryset(self, queryset, request, view=None):
        count_for = getattr(view, "count_for", None)
        rows_for = getattr(view, "rows_for", None)
        count = count_for(queryset) if count_for is not None else None
        self.django_paginator_class = lambda qs, size: PortalPaginator(qs, size, count=count, rows=rows_for)
        return super().paginate_queryset(queryset, request, view)
