"""Ledger pages. Views parse the request, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import LEVEL_ALL, Action, can, get_scoped_object_or_404, user_scope
from communities import history, selectors, services
from communities.filtersets import RightsUnitFilterSet
from communities.forms import (
    AttachmentForm,
    BuildingForm,
    BulkEditForm,
    EstateForm,
    HoldingForm,
    IllegalStructureForm,
    NoteForm,
    RightsUnitForm,
    SavedFilterForm,
    merge_after_conflict,
)
from communities.models import (
    Building,
    Estate,
    EstateAttachment,
    IllegalStructure,
    PropertyRightsUnit,
    RightsHolding,
)
from core.forms import apply_errors
from core.pagination import PAGE_SIZES, paginate
from core.params import id_param

LEDGER_LIST = "ledger"


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
        "page_sizes": PAGE_SIZES,
        "query": _query_without(request, "page"),
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


def _query_without(request, *names):
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


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


@login_required
def estate_create(request):
    if not can(request.user, Action.CREATE, Estate):
        raise PermissionDenied(_("您没有新增小区的权限。"))
    form = EstateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            estate = services.create_estate(
                user=request.user, data=form.model_data(), mode_since=form.cleaned_data.get("mode_since")
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已新增小区“%(name)s”。") % {"name": estate.name})
            return redirect("communities:estate_detail", pk=estate.pk)
    return render(request, "communities/estate_form.html", {"form": form, "estate": None})


@login_required
def estate_edit(request, pk):
    estate = get_scoped_object_or_404(
        Estate.objects.select_related("community__street"), request.user, Action.CHANGE, pk=pk
    )
    form = EstateForm(request.POST or None, instance=estate, user=request.user)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_estate(
                user=request.user,
                estate_id=estate.pk,
                data=form.model_data(),
                expected_version=form.cleaned_data["version"],
                mode_since=form.cleaned_data.get("mode_since"),
            )
        except services.EditConflict as exc:
            # Saving again is a decision made after seeing the other change;
            # untouched fields take the other clerk's values (merge_after_conflict).
            data, exc.rows = merge_after_conflict(form, exc)
            conflict = exc
            form = EstateForm(data, instance=estate, user=request.user)
            form.is_valid()
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("communities:estate_detail", pk=estate.pk)
    status = 409 if conflict else 200
    return render(
        request, "communities/estate_form.html", {"form": form, "estate": estate, "conflict": conflict}, status=status
    )


@login_required
def estate_delete(request, pk):
    estate = get_scoped_object_or_404(
        Estate.objects.select_related("community__street"), request.user, Action.DELETE, pk=pk
    )
    if request.method == "POST":
        try:
            services.delete_estate(user=request.user, estate_id=estate.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("communities:estate_detail", pk=estate.pk)
        messages.success(request, _("已删除小区“%(name)s”，区级管理人员可在回收站恢复。") % {"name": estate.name})
        return redirect("communities:estate_list")
    counts = {
        "buildings": estate.buildings.count(),
        "holdings": estate.holdings.count(),
        "structures": estate.illegal_structures.count(),
        "notes": estate.notes.count(),
        "attachments": estate.attachments.count(),
    }
    return render(request, "communities/estate_confirm_delete.html", {"estate": estate, "counts": counts})


@login_required
@require_POST
def estate_bulk_edit(request):
    if not can(request.user, Action.CHANGE, Estate):
        raise PermissionDenied(_("您没有修改小区台账的权限。"))
    form = BulkEditForm(request.POST)
    back = _safe_back(request)
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


def _safe_back(request, default_name="communities:estate_list"):
    back = request.POST.get("next") or request.GET.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return reverse(default_name)


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
    return HttpResponseRedirect(_safe_back(request))


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


# --- Buildings --------------------------------------------------------------------


@login_required
def building_create(request, estate_pk):
    estate = get_scoped_object_or_404(Estate.objects, request.user, Action.CHANGE, pk=estate_pk)
    form = BuildingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            building = services.create_building(user=request.user, estate_id=estate.pk, data=form.model_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已新增楼栋“%(n)s”。") % {"n": building.number})
            return redirect(reverse("communities:estate_detail", args=[estate.pk]) + "#buildings")
    return render(
        request,
        "communities/building_form.html",
        {
            "form": form,
            "estate": estate,
            "heading": _("新增楼栋"),
            "cancel_url": reverse("communities:estate_detail", args=[estate.pk]) + "#buildings",
        },
    )


@login_required
def building_edit(request, pk):
    building = get_scoped_object_or_404(Building.objects.select_related("estate"), request.user, Action.CHANGE, pk=pk)
    form = BuildingForm(request.POST or None, instance=building)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_building(
                user=request.user,
                building_id=building.pk,
                data=form.model_data(),
                expected_version=form.cleaned_data["version"],
            )
        except services.EditConflict as exc:
            data, exc.rows = merge_after_conflict(form, exc)
            conflict = exc
            form = BuildingForm(data, instance=building)
            form.is_valid()
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(reverse("communities:estate_detail", args=[building.estate_id]) + "#buildings")
    return render(
        request,
        "communities/building_form.html",
        {
            "form": form,
            "estate": building.estate,
            "building": building,
            "conflict": conflict,
            "heading": _("编辑楼栋 %(n)s") % {"n": building.number},
            "cancel_url": reverse("communities:estate_detail", args=[building.estate_id]) + "#buildings",
        },
        status=409 if conflict else 200,
    )


@login_required
@require_POST
def building_delete(request, pk):
    building = get_scoped_object_or_404(Building.objects, request.user, Action.CHANGE, pk=pk)
    services.delete_building(user=request.user, building_id=building.pk)
    messages.success(request, _("已删除楼栋“%(n)s”。") % {"n": building.number})
    return redirect(reverse("communities:estate_detail", args=[building.estate_id]) + "#buildings")


# --- Holdings, illegal structures, notes, attachments -------------------------------------


@login_required
def holding_edit(request, estate_pk, pk=None):
    estate = get_scoped_object_or_404(
        Estate.objects.select_related("community__street"), request.user, Action.CHANGE, pk=estate_pk
    )
    instance = None
    if pk is not None:
        instance = get_scoped_object_or_404(
            RightsHolding.objects.filter(estate=estate), request.user, Action.CHANGE, pk=pk
        )
    form = HoldingForm(request.POST or None, instance=instance, estate=estate, user=request.user)
    if request.method == "POST":
        if request.POST.get("delete") and instance is not None:
            services.delete_holding(user=request.user, holding_id=instance.pk)
            messages.success(request, _("已删除该产权构成。"))
            return redirect(reverse("communities:estate_detail", args=[estate.pk]) + "#holdings")
        if form.is_valid():
            try:
                services.save_holding(
                    user=request.user,
                    estate_id=estate.pk,
                    data=form.cleaned_data,
                    holding_id=instance.pk if instance else None,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存产权构成。"))
                return redirect(reverse("communities:estate_detail", args=[estate.pk]) + "#holdings")
    return render(
        request,
        "communities/holding_form.html",
        {
            "form": form,
            "estate": estate,
            "holding": instance,
            "heading": _("编辑产权构成") if instance else _("新增产权构成"),
            "cancel_url": reverse("communities:estate_detail", args=[estate.pk]) + "#holdings",
        },
    )


@login_required
def structure_edit(request, estate_pk, pk=None):
    estate = get_scoped_object_or_404(Estate.objects, request.user, Action.CHANGE, pk=estate_pk)
    instance = None
    if pk is not None:
        instance = get_scoped_object_or_404(
            IllegalStructure.objects.filter(estate=estate), request.user, Action.CHANGE, pk=pk
        )
    form = IllegalStructureForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_illegal_structure(
                user=request.user,
                estate_id=estate.pk,
                data=form.cleaned_data,
                structure_id=instance.pk if instance else None,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存违法建设记录。"))
            return redirect(reverse("communities:estate_detail", args=[estate.pk]) + "#structures")
    return render(
        request,
        "communities/structure_form.html",
        {
            "form": form,
            "estate": estate,
            "structure": instance,
            "heading": _("编辑违法建设") if instance else _("登记违法建设"),
            "cancel_url": reverse("communities:estate_detail", args=[estate.pk]) + "#structures",
        },
    )


@login_required
@require_POST
def note_add(request, estate_pk):
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_note(user=request.user, estate_id=estate_pk, text=form.cleaned_data["text"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已添加工作记录。"))
    else:
        messages.error(request, _("请填写工作记录内容（最多5000字）。"))
    return redirect(reverse("communities:estate_detail", args=[estate_pk]) + "#notes")


@login_required
@require_POST
def attachment_add(request, estate_pk):
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(
                user=request.user,
                estate_id=estate_pk,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已上传附件。"))
    else:
        messages.error(request, _("请选择要上传的文件。"))
    return redirect(reverse("communities:estate_detail", args=[estate_pk]) + "#attachments")


@login_required
@require_GET
def attachment_download(request, pk):
    attachment = get_scoped_object_or_404(EstateAttachment.objects, request.user, Action.VIEW, pk=pk)
    inline = attachment.kind == EstateAttachment.Kind.PHOTO and request.GET.get("inline") == "1"
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_delete(request, pk):
    attachment = get_scoped_object_or_404(EstateAttachment.objects, request.user, Action.CHANGE, pk=pk)
    services.delete_attachment(user=request.user, attachment_id=attachment.pk)
    messages.success(request, _("已删除附件。"))
    return redirect(reverse("communities:estate_detail", args=[attachment.estate_id]) + "#attachments")


# --- Saved filters -----------------------------------------------------------------


@login_required
@require_POST
def saved_filter_create(request):
    form = SavedFilterForm(request.POST)
    back = reverse("communities:estate_list")
    if form.is_valid():
        query = _clean_query(form.cleaned_data["query"])
        try:
            saved = services.save_filter(
                user=request.user, list_name=LEDGER_LIST, name=form.cleaned_data["name"], query=query
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已保存常用筛选“%(name)s”。") % {"name": saved.name})
        return HttpResponseRedirect(f"{back}?{query}" if query else back)
    messages.error(request, _("请填写常用筛选的名称（最多50字）。"))
    return HttpResponseRedirect(back)


def _clean_query(query):
    """Only the filters actually chosen: no empty values, no page number."""
    from django.http import QueryDict

    params = QueryDict(query, mutable=True)
    kept = QueryDict(mutable=True)
    for key in params:
        if key in ("page", "csrfmiddlewaretoken"):
            continue
        values = [v for v in params.getlist(key) if v != ""]
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


@login_required
@require_POST
def saved_filter_delete(request, pk):
    if not services.delete_filter(user=request.user, filter_id=pk):
        raise Http404(_("没有找到该常用筛选。"))  # another user's filter is not there for you
    messages.success(request, _("已删除常用筛选。"))
    return redirect("communities:estate_list")


# --- Property-rights units --------------------------------------------------------------


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
            "query": _query_without(request, "page"),
            "can_create": can(request.user, Action.CREATE, PropertyRightsUnit),
        },
    )


@login_required
@require_GET
def rights_unit_detail(request, pk):
    unit = get_scoped_object_or_404(selectors.rights_units_for(user=request.user), request.user, pk=pk)
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


@login_required
def rights_unit_edit(request, pk=None):
    unit = None
    if pk is not None:
        unit = get_scoped_object_or_404(PropertyRightsUnit.objects, request.user, Action.CHANGE, pk=pk)
    elif not can(request.user, Action.CREATE, PropertyRightsUnit):
        raise PermissionDenied(_("您没有新增产权单位的权限。"))
    form = RightsUnitForm(request.POST or None, instance=unit, user=request.user)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            if unit is None:
                unit = services.create_rights_unit(user=request.user, data=form.model_data())
            else:
                services.update_rights_unit(
                    user=request.user,
                    unit_id=unit.pk,
                    data=form.model_data(),
                    expected_version=form.cleaned_data["version"],
                )
        except services.EditConflict as exc:
            data, exc.rows = merge_after_conflict(form, exc)
            conflict = exc
            form = RightsUnitForm(data, instance=unit, user=request.user)
            form.is_valid()
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存产权单位。"))
            return redirect("communities:rights_unit_detail", pk=unit.pk)
    return render(
        request,
        "communities/rights_unit_form.html",
        {
            "form": form,
            "unit": unit,
            "conflict": conflict,
            "heading": _("编辑产权单位 %(n)s") % {"n": unit.name} if unit else _("新增产权单位"),
            "cancel_url": reverse("communities:rights_unit_detail", args=[unit.pk])
            if unit
            else reverse("communities:rights_unit_list"),
        },
        status=409 if conflict else 200,
    )


# --- Excel ---------------------------------------------------------------------------


@login_required
@require_GET
def estate_export(request):
    from django.conf import settings

    from communities import ledger_excel
    from core.exports import start_export
    from core.xlsx import xlsx_download

    if not can(request.user, Action.EXPORT, Estate):
        raise PermissionDenied(_("您没有导出台账的权限。"))
    filterset, queryset = selectors.filter_estates(
        user=request.user, params=request.GET, action=Action.EXPORT, request=request
    )
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, _("筛选条件有误，请修改后再导出。"))
        return redirect(f"{reverse('communities:estate_list')}?{request.GET.urlencode()}")
    total = queryset.count()
    filename = ledger_excel.export_filename(request.user)
    if total > settings.EXPORT_SYNC_MAX_ROWS:
        job = start_export(
            user=request.user,
            kind="ledger",
            total_rows=total,
            params={"query": request.GET.urlencode(), "filename": filename},
        )
        return redirect("core:export_job", pk=job.pk)
    return xlsx_download(
        lambda handle: ledger_excel.write_ledger(queryset, handle, user=request.user), filename=filename
    )


@login_required
@require_GET
def import_template(request):
    import io

    from communities import ledger_excel

    if not can(request.user, Action.IMPORT, Estate):
        raise PermissionDenied(_("您没有导入台账的权限。"))
    buffer = io.BytesIO()
    ledger_excel.write_template(buffer, user=request.user)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename="小区台账导入模板.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def import_upload(request):
    from communities.forms import ImportUploadForm
    from communities.models import ImportBatch

    if not can(request.user, Action.IMPORT, Estate):
        raise PermissionDenied(_("您没有导入台账的权限。"))
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.preview_import(user=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("communities:import_preview", pk=batch.pk)
    recent = ImportBatch.objects.filter(uploaded_by=request.user, kind="ledger")[:10]
    return render(request, "communities/import_upload.html", {"form": form, "recent": recent})


@login_required
def import_preview(request, pk):
    from django.http import Http404

    from communities.models import ImportBatch

    batch = ImportBatch.objects.filter(pk=pk, uploaded_by=request.user, kind="ledger").first()
    if batch is None:
        raise Http404(_("没有找到该导入记录。"))
    if request.method == "POST":
        if request.POST.get("discard"):
            if services.discard_import(user=request.user, batch=batch):
                messages.info(request, _("已放弃本次导入，未写入任何数据。"))
            return redirect("communities:import_upload")
        try:
            batch = services.commit_import(user=request.user, batch_id=batch.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if batch.status == ImportBatch.Status.COMMITTED:
                messages.success(
                    request,
                    _("导入完成：新增%(c)s个、更新%(u)s个小区。")
                    % {"c": batch.summary.get("create", 0), "u": batch.summary.get("update", 0)},
                )
            else:
                messages.error(request, _("导入时发现错误，未写入任何数据。"))
        return redirect("communities:import_preview", pk=batch.pk)
    errors = batch.errors
    return render(
        request,
        "communities/import_preview.html",
        {
            "batch": batch,
            "summary": batch.summary,
            "errors": errors[:1000],
            "more_errors": max(0, len(errors) - 1000),
        },
    )
