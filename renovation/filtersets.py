"""One filter set for the project list: the page, the API and the reports use it."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Action
from communities.selectors import scoped_communities, scoped_streets
from core.filtersets import PortalFilterSet
from core.widgets import FastSelect, YesNoSelect
from renovation import selectors
from renovation.models import Project, Stage


class ProjectFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("项目或小区名称"), max_length=50)
    year = django_filters.NumberFilter(label=_("年度"))
    street = django_filters.ModelChoiceFilter(
        queryset=scoped_streets, label=_("街道"), empty_label=_("全部街道"), widget=FastSelect
    )
    community = django_filters.ModelChoiceFilter(
        field_name="estate__community",
        queryset=scoped_communities,
        label=_("社区"),
        empty_label=_("全部社区"),
        widget=FastSelect,
    )
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label=_("阶段"))
    behind = django_filters.BooleanFilter(method="filter_behind", label=_("进度滞后"), widget=YesNoSelect)
    over_budget = django_filters.BooleanFilter(method="filter_over_budget", label=_("超预算"), widget=YesNoSelect)
    funding_gap = django_filters.BooleanFilter(method="filter_funding_gap", label=_("资金缺口"), widget=YesNoSelect)
    sort = django_filters.OrderingFilter(
        fields=(("year", "year"), ("name", "name"), ("planned_end", "planned_end"), ("progress", "progress")),
        field_labels={"year": _("年度"), "name": _("项目名称"), "planned_end": _("计划完工"), "progress": _("进度")},
        label=_("排序"),
        empty_label=_("默认"),
    )

    class Meta:
        model = Project
        fields = []

    # A national view has 4,000 streets and 40,000 communities: longer lists
    # are narrowed by the level above first, as on the ledger page.
    MAX_OPTIONS = 300

    def prepare_form(self, form):
        """Street and community options for showing the form on a page
        (validation still accepts anything in the user's scope)."""
        if self.request is None:
            return
        data = self.data or {}
        street_id = _int_or_none(data.get("street"))
        streets = scoped_streets(self.request)
        communities = scoped_communities(self.request)
        if street_id:
            communities = communities.filter(street_id=street_id)
        street_rows = list(streets.values_list("pk", "name")[: self.MAX_OPTIONS + 1])
        form.fields["street"].widget.choices = _capped(
            street_rows, _("全部街道"), _("（选项过多，请按名称搜索）"), streets, street_id
        )
        community_rows = list(communities.values_list("pk", "name")[: self.MAX_OPTIONS + 1])
        form.fields["community"].widget.choices = _capped(
            community_rows, _("全部社区"), _("（请先选择街道）"), communities, _int_or_none(data.get("community"))
        )

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(estate__name__icontains=value))

    def filter_behind(self, queryset, name, value):
        condition = selectors.behind_schedule_q()
        return queryset.filter(condition if value else ~condition)

    def filter_over_budget(self, queryset, name, value):
        condition = selectors.over_budget_q()
        return queryset.filter(condition if value else ~condition)

    def filter_funding_gap(self, queryset, name, value):
        condition = selectors.funding_gap_q()
        return selectors.with_funding_gap_alias(queryset).filter(condition if value else ~condition)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _capped(rows, all_label, narrow_label, queryset, selected_id):
    """All options, or when too many, only the chosen one (so it stays shown)."""
    if len(rows) <= ProjectFilterSet.MAX_OPTIONS:
        return [("", all_label), *rows]
    chosen = list(queryset.filter(pk=selected_id).values_list("pk", "name")) if selected_id else []
    return [("", narrow_label), *chosen]


class _RequestLike:
    def __init__(self, user):
        self.user = user


def filter_projects(*, user, params, action=None, request=None):
    """Projects filtered as the list page, the API and the export filter them."""
    base = selectors.projects_for(user=user, action=action or Action.VIEW)
    filterset = ProjectFilterSet(params or None, queryset=base, request=request or _RequestLike(user))
    default_order = ("-year", "street_id", "name", "id")
    if not filterset.is_bound:
        return filterset, base.order_by(*default_order)
    if not filterset.is_valid():
        return filterset, base.none()
    queryset = filterset.qs
    if not params.get("sort"):
        queryset = queryset.order_by(*default_order)
    return filterset, queryset
