"""Ledger pages of property-rights units (产权单位) and an estate's holdings (产权构成)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.scoping import Action, can
from communities import history, selectors, services
from communities.filtersets import RightsUnitFilterSet
from communities.forms import HoldingForm, RightsUnitForm
from communities.models import PropertyRightsUnit
from communities.views._common import MergeOnConflict, estate_section, query_without
from core.edit_views import ScopedEditView
from core.pagination import paginate


@login_required
@require_GET
def rights_unit_list(request):
    filterset = RightsUnitFilterSet(
        request.GET or None, queryset=selectors.rights_units_for(user=request.user), request=request
    )
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = paginate(request, queryset.order_by("name", "id"))
    return render(
        request,
        "communities/rights_unit_list.html",
        {
            "filterset": filterset,
            "page": page,
            "query": query_without(request, "page"),
            "can_create": can(request.user, Action.CREATE, PropertyRightsUnit),
        },
    )


@login_required
@require_GET
def rights_unit_detail(request, pk):
    unit = selectors.rights_unit_for(user=request.user, unit_id=pk)
    holdings = selectors.scoped_holdings_of(unit=unit, user=request.user)
    return render(
        request,
        "communities/rights_unit_detail.html",
        {
            "unit": unit,
            "holdings": holdings,
            "history": history.rights_unit_history(unit),
            "funds_held": selectors.estates_for(user=request.user).filter(fund_holder_unit=unit),
            "can_change": selectors.rights_units_for(user=request.user, action=Action.CHANGE).filter(pk=pk).exists(),
            "can_revert": can(request.user, Action.REVERT, PropertyRightsUnit),
        },
    )


class RightsUnitEdit(MergeOnConflict, ScopedEditView):
    """A new unit (no pk) or one the user may change."""

    form_class = RightsUnitForm
    template_name = "communities/rights_unit_form.html"
    success_message = gettext_lazy("已保存产权单位。")

    def get_object(self):
        if "pk" in self.kwargs:
            return selectors.rights_unit_for(user=self.request.user, unit_id=self.kwargs["pk"], action=Action.CHANGE)
        if not can(self.request.user, Action.CREATE, PropertyRightsUnit):
            raise PermissionDenied(_("您没有新增产权单位的权限。"))
        return None

    def get_form_kwargs(self):
        return {"instance": self.object, "user": self.request.user}

    def save(self, form):
        if self.object is None:
            return services.create_rights_unit(user=self.request.user, data=form.model_data())
        return services.update_rights_unit(
            user=self.request.user,
            unit_id=self.object.pk,
            data=form.model_data(),
            expected_version=form.cleaned_data["version"],
        )

    def get_success_url(self, unit):
        return reverse("communities:rights_unit_detail", args=[unit.pk])

    def get_context_data(self):
        unit = self.object
        return {
            "unit": unit,
            "heading": _("编辑产权单位 %(n)s") % {"n": unit.name} if unit else _("新增产权单位"),
            "cancel_url": reverse("communities:rights_unit_detail", args=[unit.pk])
            if unit
            else reverse("communities:rights_unit_list"),
        }


rights_unit_edit = RightsUnitEdit.as_view()


class HoldingEdit(ScopedEditView):
    """A new holding of the estate (no pk), or one of its holdings to correct or delete."""

    form_class = HoldingForm
    template_name = "communities/holding_form.html"
    success_message = gettext_lazy("已保存产权构成。")

    def get_object(self):
        estate = selectors.estate_for(user=self.request.user, estate_id=self.kwargs["estate_pk"], action=Action.CHANGE)
        holding_id = self.kwargs.get("pk")
        self.holding = (
            None
            if holding_id is None
            else selectors.holding_for(
                user=self.request.user, estate_id=estate.pk, holding_id=holding_id, action=Action.CHANGE
            )
        )
        return estate

    def get_form_kwargs(self):
        return {"instance": self.holding, "estate": self.object, "user": self.request.user}

    def post(self, request, *args, **kwargs):
        if request.POST.get("delete") and self.holding is not None:
            services.delete_holding(user=request.user, holding_id=self.holding.pk)
            messages.success(request, _("已删除该产权构成。"))
            return redirect(estate_section(self.object.pk, "holdings"))
        return super().post(request, *args, **kwargs)

    def save(self, form):
        return services.save_holding(
            user=self.request.user,
            estate_id=self.object.pk,
            data=form.cleaned_data,
            holding_id=self.holding.pk if self.holding else None,
        )

    def get_success_url(self, holding):
        return estate_section(self.object.pk, "holdings")

    def get_context_data(self):
        return {
            "estate": self.object,
            "holding": self.holding,
            "heading": _("编辑产权构成") if self.holding else _("新增产权构成"),
            "cancel_url": estate_section(self.object.pk, "holdings"),
        }


holding_edit = HoldingEdit.as_view()
