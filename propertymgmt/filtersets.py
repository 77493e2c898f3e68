"""Filter sets of the property pages: the filters a list offers, shared by the
page and anything else that lists the same rows (one FilterSet per list)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from communities.selectors import scoped_streets
from core.filtersets import PortalFilterSet
from core.widgets import FastSelect
from propertymgmt.choices import ManagingBody
from propertymgmt.models import Contract, PropertyCompany
from propertymgmt.selectors import companies_for


def scoped_companies(request):
    """The companies the user may see (none without a request), as the list's choices."""
    if request is None:
        return PropertyCompany.objects.none()
    return companies_for(user=request.user).order_by("name")


class ContractFilterSet(PortalFilterSet):
    """物业服务合同: by street (within the user's scope: the queryset is already
    scoped, the choices are too), in force or ended, managing body, company."""

    street = django_filters.ModelChoiceFilter(
        field_name="estate__community__street",
        queryset=scoped_streets,
        label=_("街道"),
        empty_label=_("全部街道"),
        widget=FastSelect,
    )
    active = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[("1", _("执行中")), ("0", _("已结束"))],
        empty_label=_("全部"),
        method="filter_active",
    )
    body = django_filters.ChoiceFilter(label=_("管理主体"), choices=ManagingBody.choices, empty_label=_("全部主体"))
    company = django_filters.ModelChoiceFilter(
        queryset=scoped_companies, label=_("物业服务企业"), empty_label=_("全部企业"), widget=FastSelect
    )

    class Meta:
        model = Contract
        fields = []

    def filter_active(self, queryset, name, value):
        return queryset.filter(ended_on__isnull=value == "1")
