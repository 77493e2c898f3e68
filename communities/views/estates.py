"""Ledger pages of the estates themselves: the list, one estate, its edits, deletion and history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import LEVEL_ALL, Action, can, user_scope
from communities import history, selectors, services
from communities.forms import AttachmentForm, BulkEditForm, EstateForm, NoteForm
from communities.models import Estate, PropertyRightsUnit
from communities.views._common import LEDGER_LIST, MergeOnConflict, query_without, safe_back
from core.edit_views import ScopedEditView
from core.pagination import paginate
from core.params import id_param


@login_required
@require_GET
def estate_list(request):
    filterset, queryset = selectors.filter_estates(user=request.user, params=request.GET, request=request)
    totals = selectors.cached_ledger_totals(user=request.user, params=request.GET, queryset=queryset)
    page = paginate(request, queryset, count=totals["count"], rows=selectors.with_row_figures)
    context = {
        "filterset": filterset,
        "page": page,
        "rows": selectors.ledger_rows(page.object_list),
        "totals": totals,
        "query": query_without(request, "page"),
        "saved_filters": selectors.saved_filters(user=request.user, list_name=LEDGER_LIST),
        "can_change": can(request.user, Action.CHANGE, Estate),
        "can_export": can(request.user, Action.EXPORT, Estate),
        "bulk_form": BulkEditForm(),
    }
    if request.htmx:
        return render(request, "communities/estate_list_results.html", context)
    form = filterset.form
    filterset.prepare_form(form)
    names = [
        "street",
        "community",
        "address",
        "is_old",
        "has_owners_committee",
        "has_dangerous_buildings",
        "has_illegal_structures",
        "excluded_from_renovation",
        "enclosure",
        "fund_status",
    ]
    if user_scope(request.user).level == LEVEL_ALL:
        names.insert(0, "district")
    context["sidebar_fields"] = [form[name] for name in names]
    return render(request, "communities/estate_list.html", context)


@login_required
@require_GET
def estate_detail(request, pk):
    estate = selectors.estate_detail(user=request.user, estate_id=pk)
    context = {
        "estate": estate,
        **selectors.estate_related(estate),
        "history": history.estate_history(estate),
        "can_change": can(request.user, Action.CHANGE, Estate)
        and selectors.estates_for(user=request.user, action=Action.CHANGE).filter(pk=pk).exists(),
        "can_delete": can(request.user, Action.DELETE, Estate),
        "can_revert": can(request.user, Action.REVERT, Estate),
        "note_form": NoteForm(),
        "attachment_form": AttachmentForm(),
    }
    return render(request, "communities/estate_detail.html", context)


class EstateCreate(ScopedEditView):
    form_class = EstateForm
    template_name = "communities/estate_form.html"

    def get_object(self):
        if not can(self.request.user, Action.CREATE, Estate):
            raise PermissionDenied(_("您没有新增小区的权限。"))
        return None

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def save(self, form):
        return services.create_estate(
            user=self.request.user, data=form.model_data(), mode_since=form.cleaned_data.get("mode_since")
        )

    def get_success_message(self, estate):
        return _("已新增小区“%(name)s”。") % {"name": estate.name}

    def get_success_url(self, estate):
        return reverse("communities:estate_detail", args=[estate.pk])

    def get_context_data(self):
        return {"estate": None}


estate_create = EstateCreate.as_view()


class EstateEdit(MergeOnConflict, ScopedEditView):
    form_class = EstateForm
    template_name = "communities/estate_form.html"

    def get_object(self):
        return selectors.estate_for(user=self.request.user, estate_id=self.kwargs["pk"], action=Action.CHANGE)

    def get_form_kwargs(self):
        return {"instance": self.object, "user": self.request.user}

    def save(self, form):
        return services.update_estate(
            user=self.request.user,
            estate_id=self.object.pk,
            data=form.model_data(),
            expected_version=form.cleaned_data["version"],
            mode_since=form.cleaned_data.get("mode_since"),
        )

    def get_success_url(self, estate):
        return reverse("communities:estate_detail", args=[estate.pk])

    def get_context_data(self):
        return {"estate": self.object}


estate_edit = EstateEdit.as_view()


@login_required
def estate_delete(request, pk):
    estate = selectors.estate_for(user=request.user, estate_id=pk, action=Action.DELETE)
    if request.method == "POST":
        try:
            services.delete_estate(user=request.user, estate_id=estate.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("communities:estate_detail", pk=estate.pk)
        messages.success(request, _("已删除小区“%(name)s”，区级管理人员可在回收站恢复。") % {"name": estate.name})
        return redirect("communities:estate_list")
    counts = selectors.estate_contents(estate)
    return render(request, "communities/estate_confirm_delete.html", {"estate": estate, "counts": counts})


@login_required
@require_POST
def estate_bulk_edit(request):
    if not can(request.user, Action.CHANGE, Estate):
        raise PermissionDenied(_("您没有修改小区台账的权限。"))
    form = BulkEditForm(request.POST)
    back = safe_back(request)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return HttpResponseRedirect(back)
    try:
        changed = services.bulk_update_estates(
            user=request.user,
            estate_ids=form.cleaned_data["estates"],
            changes=form.changes(),
            mode_since=form.cleaned_data.get("mode_since"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已修改%(n)s个小区。") % {"n": changed})
    return HttpResponseRedirect(back)


# --- History ----------------------------------------------------------------------


@login_required
@require_POST
def history_revert(request, kind, history_id):
    if not can(request.user, Action.REVERT, Estate):
        raise PermissionDenied(_("只有区级管理人员可以撤销修改。"))
    try:
        restored = services.revert_change(user=request.user, kind=kind, history_id=history_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已撤销该修改。"))
        estate_id = restored.pk if isinstance(restored, Estate) else getattr(restored, "estate_id", None)
        if estate_id:
            return redirect(reverse("communities:estate_detail", args=[estate_id]) + "#history")
        if isinstance(restored, PropertyRightsUnit):
            return redirect("communities:rights_unit_detail", pk=restored.pk)
    return HttpResponseRedirect(safe_back(request))


@login_required
def estate_trash(request):
    if not can(request.user, Action.REVERT, Estate):
        raise PermissionDenied(_("只有区级管理人员可以查看和恢复已删除的小区。"))
    if request.method == "POST":
        try:
            # Junk names no deletion record: 0 is "not found" to the service.
            history_id = id_param(request.POST, "history_id") or 0
            estate = services.restore_estate(user=request.user, history_id=history_id)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已恢复小区“%(name)s”。") % {"name": estate.name})
            return redirect("communities:estate_detail", pk=estate.pk)
    return render(request, "communities/estate_trash.html", {"records": selectors.deleted_estates(user=request.user)})
