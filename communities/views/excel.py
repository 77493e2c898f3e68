"""The ledger in Excel: the export, the import template, and an import's upload and preview."""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.scoping import Action, can
from communities import ledger_excel, selectors, services
from communities.forms import ImportUploadForm
from communities.models import Estate, ImportBatch
from core.edit_views import ScopedEditView
from core.exports import start_export
from core.xlsx import xlsx_download


@login_required
@require_GET
def estate_export(request):
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
        lambda handle: ledger_excel.write_ledger(queryset, handle, user=request.user, filterset=filterset),
        filename=filename,
    )


@login_required
@require_GET
def import_template(request):
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


class ImportUpload(ScopedEditView):
    """Upload a filled-in template: the service keeps it and checks it, writing no
    ledger row; the preview page shows what importing it would do."""

    form_class = ImportUploadForm
    template_name = "communities/import_upload.html"
    multipart = True
    success_message = ""  # the preview page says what happens next

    def get_object(self):
        if not can(self.request.user, Action.IMPORT, Estate):
            raise PermissionDenied(_("您没有导入台账的权限。"))
        return None

    def save(self, form):
        return services.preview_import(user=self.request.user, upload=form.cleaned_data["file"])

    def get_success_url(self, batch):
        return reverse("communities:import_preview", args=[batch.pk])

    def get_context_data(self):
        return {"recent": selectors.recent_imports(user=self.request.user, kind="ledger")}


import_upload = ImportUpload.as_view()


@login_required
def import_preview(request, pk):
    batch = selectors.import_batch_for(user=request.user, batch_id=pk, kind="ledger")
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
