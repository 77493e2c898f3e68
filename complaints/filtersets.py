"""One filter set for the case queues, shared by the page, the REST API and the export."""

import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.selectors import scoped_communities, scoped_streets
from complaints.models import OPEN_STATUSES, Category, Channel, Complaint, Escalation, Status
from core.filtersets import PortalFilterSet
from core.validators import normalize_mobile
from core.widgets import FastSelect, YesNoSelect

QUEUES = [
    ("open", _("办理中")),
    ("mine", _("我的工单")),
    ("unassigned", _("本街道待分派")),
    ("overdue", _("已逾期")),
    ("escalated", _("已升级")),
    ("all", _("全部")),
]
NUMBER_RE = re.compile(r"^TS-?\d{8}-?\d{1,6}$", re.I)


DATE_PICKER = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ComplaintFilterSet(PortalFilterSet):
    queue = django_filters.ChoiceFilter(choices=QUEUES, method="filter_queue", label=_("队列"), empty_label=None)
    q = django_filters.CharFilter(method="filter_search", label=_("工单号/手机号/关键词"), max_length=50)
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("状态"), empty_label=_("全部状态"))
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.order_by("sort"), label=_("类别"), empty_label=_("全部类别"), widget=FastSelect
    )
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("渠道"), empty_label=_("全部渠道"))
    street = django_filters.ModelChoiceFilter(
        queryset=scoped_streets, label=_("街道"), empty_label=_("全部街道"), widget=FastSelect
    )
    community = django_filters.ModelChoiceFilter(
        queryset=scoped_communities, label=_("社区"), empty_label=_("全部社区"), widget=FastSelect
    )
    overdue = django_filters.BooleanFilter(label=_("逾期"), widget=YesNoSelect)
    escalation = django_filters.ChoiceFilter(
        choices=[(e.value, e.label) for e in Escalation if e.value], label=_("升级"), empty_label=_("不限")
    )
    # The browser's date picker (a text box invited "2026/3/5", "3月5日" … which the filter could not read).
    received_after = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__gte", label=_("收到自"), widget=DATE_PICKER
    )
    received_before = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__lte", label=_("收到至"), widget=DATE_PICKER
    )

    class Meta:
        model = Complaint
        fields = []

    def filter_queue(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == "mine":
            return queryset.filter(handler=user, status__in=OPEN_STATUSES)
        if value == "unassigned":
            street_id = getattr(user, "street_id", None)
            queryset = queryset.filter(status__in=(Status.SUBMITTED, Status.ACCEPTED))
            return queryset.filter(street_id=street_id) if street_id else queryset
        if value == "overdue":
            return queryset.filter(overdue=True, status__in=OPEN_STATUSES)
        if value == "escalated":
            return queryset.exclude(escalation="").filter(status__in=OPEN_STATUSES)
        return queryset

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if NUMBER_RE.match(value):
            digits = re.sub(r"\D", "", value)
            return queryset.filter(number=f"TS-{digits[:8]}-{int(digits[8:]):06d}")
        phone = normalize_mobile(value)
        if phone.isdigit() and len(phone) == 11:
            return queryset.filter(reporter_phone=phone)
        return queryset.filter(Q(estate__name__contains=value) | Q(description__contains=value))
