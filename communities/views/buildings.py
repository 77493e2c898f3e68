"""Ledger pages of an estate's buildings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import Action
from communities import selectors, services
from communities.forms import BuildingForm
from communities.views._common import MergeOnConflict, estate_section
from core.edit_views import ScopedEditView


class BuildingCreate(ScopedEditView):
    """A new building of the estate: changing an estate's buildings is changing the estate."""

    form_class = BuildingForm
    template_name = "communities/building_form.html"

    def get_object(self):
        return selectors.estate_for(user=self.request.user, estate_id=self.kwargs["estate_pk"], action=Action.CHANGE)

    def save(self, form):
        return services.create_building(user=self.request.user, estate_id=self.object.pk, data=form.model_data())

    def get_success_message(self, building):
        return _("已新增楼栋“%(n)s”。") % {"n": building.number}

    def get_success_url(self, building):
        return estate_section(self.object.pk, "buildings")

    def get_context_data(self):
        return {
            "estate": self.object,
            "heading": _("新增楼栋"),
            "cancel_url": estate_section(self.object.pk, "buildings"),
        }


building_create = BuildingCreate.as_view()


class BuildingEdit(MergeOnConflict, ScopedEditView):
    form_class = BuildingForm
    template_name = "communities/building_form.html"

    def get_object(self):
        return selectors.building_for(user=self.request.user, building_id=self.kwargs["pk"], action=Action.CHANGE)

    def get_form_kwargs(self):
        return {"instance": self.object}

    def save(self, form):
        return services.update_building(
            user=self.request.user,
            building_id=self.object.pk,
            data=form.model_data(),
            expected_version=form.cleaned_data["version"],
        )

    def get_success_url(self, building):
        return estate_section(self.object.estate_id, "buildings")

    def get_context_data(self):
        return {
            "estate": self.object.estate,
            "building": self.object,
            "heading": _("编辑楼栋 %(n)s") % {"n": self.object.number},
            "cancel_url": estate_section(self.object.estate_id, "buildings"),
        }


building_edit = BuildingEdit.as_view()


@login_required
@require_POST
def building_delete(request, pk):
    building = selectors.building_for(user=request.user, building_id=pk, action=Action.CHANGE)
    services.delete_building(user=request.user, building_id=building.pk)
    messages.success(request, _("已删除楼栋“%(n)s”。") % {"n": building.number})
    return redirect(estate_section(building.estate_id, "buildings"))
