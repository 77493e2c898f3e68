"""One filter set per list, shared by the page, the REST API and the export."""

import re

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from communities import selectors
from communities.models import (
    Building,
    DangerGrade,
    Enclosure,
    Estate,
    FundStatus,
    IllegalStructure,
    ManagementMode,
    OwnersBody,
    PropertyRightsUnit,
    RightsForm,
    RightsUnitStatus,
    Structure,
)
from communities.selectors import scoped_communities, scoped_districts, scoped_streets
from core.db import pinyin_ordering, substring_q
from core.filtersets import PortalFilterSet
from core.widgets import FastSelect, YesNoSelect
from org.models import Community

# What a clerk types for pinyin initials: Latin letters only.
INITIALS_RE = re.compile(r"[A-Za-z]{1,20}")


class EstateFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("小区名称"), max_length=50)
    address = django_filters.CharFilter(method="filter_address", label=_("地址"), max_length=100)
    district = django_filters.ModelChoiceFilter(
        field_name="community__street__district",
        queryset=scoped_districts,
        label=_("区"),
        empty_label=_("全部区"),
        widget=FastSelect,
    )
    street = django_filters.ModelChoiceFilter(
        field_name="community__street",
        queryset=scoped_streets,
        label=_("街道"),
        empty_label=_("全部街道"),
        widget=FastSelect,
    )
    community = django_filters.ModelChoiceFilter(
        queryset=scoped_communities, label=_("社区"), empty_label=_("全部社区"), widget=FastSelect
    )
    year_from = django_filters.NumberFilter(field_name="year_built", lookup_expr="gte", label=_("建成年份自"))
    year_to = django_filters.NumberFilter(field_name="year_built", lookup_expr="lte", label=_("建成年份至"))
    management_mode = django_filters.MultipleChoiceFilter(
        choices=ManagementMode.choices, label=_("管理模式"), widget=forms.CheckboxSelectMultiple
    )
    is_old = django_filters.BooleanFilter(method="filter_is_old", label=_("老旧小区"), widget=YesNoSelect)
    has_owners_committee = django_filters.BooleanFilter(
        method="filter_owners_committee", label=_("有业主组织"), widget=YesNoSelect
    )
    has_dangerous_buildings = django_filters.BooleanFilter(
        method="filter_dangerous", label=_("有C/D级危房"), widget=YesNoSelect
    )
    has_illegal_structures = django_filters.BooleanFilter(
        method="filter_illegal_structures", label=_("有待拆违建"), widget=YesNoSelect
    )
    enclosure = django_filters.ChoiceFilter(
        choices=Enclosure.choices, label=_("开放形式"), empty_label=_("全部"), widget=FastSelect
    )
    fund_status = django_filters.ChoiceFilter(
        choices=FundStatus.choices, label=_("维修资金归集"), empty_label=_("全部"), widget=FastSelect
    )
    excluded_from_renovation = django_filters.BooleanFilter(
        method="filter_excluded", label=_("计划征收或棚改"), widget=YesNoSelect
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("year_built", "year_built"),
            ("households", "households"),
            ("floor_area", "floor_area"),
            ("building_count", "building_count"),
            ("community", "community"),
            ("updated_at", "updated_at"),
        ),
        field_labels={
            "name": _("小区名称"),
            "year_built": _("建成年份"),
            "households": _("户数"),
            "floor_area": _("建筑面积"),
            "building_count": _("楼栋数"),
            "community": _("社区"),
            "updated_at": _("更新时间"),
        },
        label=_("排序"),
        empty_label=_("默认（按名称）"),
    )

    class Meta:
        model = Estate
        fields = []

    # Drop-downs longer than this are narrowed by the level above them first
    # (a national view has 40,000 communities; nobody scrolls through those).
    MAX_OPTIONS = 300

    def prepare_form(self, form):
        """Street options follow the chosen district and community options the
        chosen street; validation still accepts anything in the user's scope."""
        if self.request is None:
            return
        data = self.data or {}
        district_id, street_id = _int_or_none(data.get("district")), _int_or_none(data.get("street"))
        streets = scoped_streets(self.request)
        communities = scoped_communities(self.request)
        if district_id:
            streets = streets.filter(district_id=district_id)
            communities = communities.filter(street__district_id=district_id)
        if street_id:
            communities = communities.filter(street_id=street_id)
        street_rows = list(streets.values_list("pk", "name")[: self.MAX_OPTIONS + 1])
        form.fields["street"].widget.choices = self._capped(
            street_rows, street_id, _("全部街道"), _("（请先选择区）"), scoped_streets(self.request)
        )
        community_rows = [
            (pk, f"{street} / {name}" if not street_id else name)
            for pk, street, name in communities.values_list("pk", "street__name", "name")[: self.MAX_OPTIONS + 1]
        ]
        form.fields["community"].widget.choices = self._capped(
            community_rows,
            _int_or_none(data.get("community")),
            _("全部社区"),
            _("（请先选择街道）"),
            scoped_communities(self.request),
        )

    def _capped(self, rows, selected_id, all_label, narrow_label, queryset):
        if len(rows) <= self.MAX_OPTIONS:
            return [("", all_label), *rows]
        choices = [("", narrow_label)]
        if selected_id:
            chosen = queryset.filter(pk=selected_id).first()
            if chosen is not None:
                choices.append((chosen.pk, str(chosen)))
        return choices

    def filter_search(self, queryset, name, value):
        """Part of the name, or the start of its pinyin initials ("gmbl", "GMBL"
        for 光明北里) when only Latin letters are typed."""
        value = value.strip()
        if not value:
            return queryset
        found = substring_q("name", value)
        if INITIALS_RE.fullmatch(value):
            found |= Q(name_initials__startswith=value.lower())
        return queryset.filter(found)

    def filter_address(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(substring_q("address", value)) if value else queryset

    def filter_is_old(self, queryset, name, value):
        cutoff = Q(year_built__lte=settings.OLD_ESTATE_CUTOFF_YEAR)
        return queryset.filter(cutoff if value else ~cutoff)

    def filter_owners_committee(self, queryset, name, value):
        has = ~Q(owners_body=OwnersBody.NONE)
        return queryset.filter(has if value else ~has)

    def filter_dangerous(self, queryset, name, value):
        exists = selectors.dangerous_building_exists()
        return queryset.filter(exists if value else ~exists)

    def filter_illegal_structures(self, queryset, name, value):
        exists = Exists(IllegalStructure.objects.filter(estate=OuterRef("pk"), status=IllegalStructure.Status.PENDING))
        return queryset.filter(exists if value else ~exists)

    def filter_excluded(self, queryset, name, value):
        excluded = Q(expropriation_planned=True) | Q(shantytown=True)
        return queryset.filter(excluded if value else ~excluded)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return queryset.order_by(*ledger_ordering(list(queryset.query.order_by)))


def ledger_ordering(ordering):
    """The chosen sort (by name if none), names in pinyin order, ending in id
    so that the order is total and pages never overlap."""
    ordering = [term for term in ordering if term not in ("id", "-id")] or ["name"]
    return [*pinyin_ordering(ordering), "id"]


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class BuildingFilterSet(PortalFilterSet):
    estate = django_filters.NumberFilter(field_name="estate_id", label=_("小区编号"))
    street = django_filters.ModelChoiceFilter(
        field_name="estate__community__street", queryset=scoped_streets, label=_("街道")
    )
    community = django_filters.ModelChoiceFilter(
        field_name="estate__community", queryset=scoped_communities, label=_("社区")
    )
    danger_grade = django_filters.MultipleChoiceFilter(choices=DangerGrade.choices, label=_("危房等级"))
    structure = django_filters.ChoiceFilter(choices=Structure.choices, label=_("结构"))
    has_elevator = django_filters.BooleanFilter(method="filter_elevator", label=_("有电梯"))
    year_from = django_filters.NumberFilter(field_name="year_built", lookup_expr="gte", label=_("建成年份自"))
    year_to = django_filters.NumberFilter(field_name="year_built", lookup_expr="lte", label=_("建成年份至"))

    class Meta:
        model = Building
        fields = []

    def filter_elevator(self, queryset, name, value):
        return queryset.filter(elevators__gt=0) if value else queryset.filter(elevators=0)


class RightsUnitFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("名称"), max_length=50)
    status = django_filters.ChoiceFilter(choices=RightsUnitStatus.choices, label=_("状态"), empty_label=_("全部"))
    nobody_responsible = django_filters.BooleanFilter(
        method="filter_nobody_responsible", label=_("无人承接"), widget=YesNoSelect
    )
    rights_form = django_filters.ChoiceFilter(
        field_name="holdings__rights_form",
        choices=RightsForm.choices,
        label=_("产权形式"),
        distinct=True,
        empty_label=_("全部"),
    )

    class Meta:
        model = PropertyRightsUnit
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(substring_q("name", value) | Q(credit_code__iexact=value)) if value else queryset

    def filter_nobody_responsible(self, queryset, name, value):
        gone = ~Q(status=RightsUnitStatus.ACTIVE) & Q(successor__isnull=True)
        return queryset.filter(gone if value else ~gone)


class CommunityFilterSet(PortalFilterSet):
    street = django_filters.ModelChoiceFilter(queryset=scoped_streets, label=_("街道"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称"))

    class Meta:
        model = Community
        fields = []
