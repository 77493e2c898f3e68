"""Household register (户) pages: the list of one estate's homes and its Excel import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.scoping import Action, get_scoped_object_or_404, scoped
from communities import services
from communities.models import Estate, Household, ImportBatch
from core.db import ExactSum
from core.forms import apply_errors
from core.pagination import paginate


@login_required
@require_GET
def household_list(request, estate_pk):
    estate = get_scoped_object_or_404(Estate.objects.select_related("community__street"), request.user, pk=estate_pk)
    queryset = scoped(Household.objects, request.user).filter(estate=estate).select_related("building")
    page = paginate(request, queryset.order_by("building__number", "unit", "room", "id"))
    totals = queryset.order_by().aggregate(homes=Count("id"), area=ExactSum("exclusive_area"))
    can_import = scoped(Estate.objects, request.user, Action.IMPORT).filter(pk=estate.pk).exists()
    can_change = scoped(Estate.objects, request.user, Action.CHANGE).filter(pk=estate.pk).exists()
    return render(
        request,
        "communities/household_list.html",
        {"estate": estate, "page": page, "totals": totals, "can_import": can_import, "can_change": can_change},
    )


@login_required
@require_GET
def household_template(request, estate_pk):
    import io

    from communities import household_excel

    get_scoped_object_or_404(Estate.objects, request.user, Action.IMPORT, pk=estate_pk)
    buffer = io.BytesIO()
    household_excel.write_template(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename="房屋户籍导入模板.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def household_import(request, estate_pk):
    from communities.forms import ImportUploadForm

    estate = get_scoped_object_or_404(Estate.objects, request.user, Action.IMPORT, pk=estate_pk)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.preview_household_import(
                user=request.user, estate_id=estate.pk, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("communities:household_import_preview", pk=batch.pk)
    return render(request, "communities/household_import.html", {"estate": estate, "form": form})


@login_required
def household_import_preview(request, pk):
    batch = (
        ImportBatch.objects.filter(pk=pk, uploaded_by=request.user, kind="household").select_related("estate").first()
    )
    if batch is None:
        raise Http404(_("没有找到该导入记录。"))
    if request.method == "POST":
        if request.POST.get("discard"):
            if services.discard_import(user=request.user, batch=batch):
                messages.info(request, _("已放弃本次导入，未写入任何数据。"))
            return redirect("communities:household_list", estate_pk=batch.estate_id)
        try:
            batch = services.commit_household_import(user=request.user, batch_id=batch.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if batch.status == ImportBatch.Status.COMMITTED:
                messages.success(
                    request,
                    _("导入完成：新增%(c)s户、更新%(u)s户。")
                    % {"c": batch.summary.get("create", 0), "u": batch.summary.get("update", 0)},
                )
            else:
                messages.error(request, _("导入时发现错误，未写入任何数据。"))
        return redirect("communities:household_import_preview", pk=batch.pk)
    return render(
        request,
        "communities/household_import_preview.html",
        {"batch": batch, "summary": batch.summary, "errors": batch.errors[:1000]},
    )


@login_required
def household_edit(request, estate_pk, pk=None):
    from django import forms

    from core.forms import add_bootstrap_classes

    estate = get_scoped_object_or_404(Estate.objects, request.user, Action.CHANGE, pk=estate_pk)
    home = None
    if pk is not None:
        home = get_scoped_object_or_404(Household.objects, request.user, Action.CHANGE, pk=pk, estate=estate)

    class HouseholdForm(forms.ModelForm):
        class Meta:
            model = Household
            fields = list(services.HOUSEHOLD_FIELDS)

    form = HouseholdForm(request.POST or None, instance=home)
    form.fields["building"].queryset = estate.buildings.all()
    add_bootstrap_classes(form)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_household(
                user=request.user, estate_id=estate.pk, data=form.cleaned_data, household_id=home.pk if home else None
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("communities:household_list", estate_pk=estate.pk)
    return render(request, "communities/household_form.html", {"estate": estate, "form": form, "home": home})
