"""The report workbook page: choose a period (and a street), get one .xlsx."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from communities.selectors import may_export_ledger
from core.models import ExportJob
from dashboard import workbook as workbook_module
from dashboard.forms import WorkbookForm


@login_required
@require_GET
def workbook(request):
    if not may_export_ledger(user=request.user):
        raise PermissionDenied(_("您没有导出报表的权限。"))
    form = WorkbookForm(request.GET if "year" in request.GET else None, user=request.user)
    if form.is_bound and form.is_valid():
        return workbook_module.export_workbook(
            user=request.user, period=form.period(), street=form.cleaned_data.get("street")
        )
    context = {
        "form": form,
        "sheets": workbook_module.sheet_names(),
        "async_estates": settings.WORKBOOK_ASYNC_ESTATES,
        "jobs": ExportJob.objects.filter(requested_by=request.user, kind=workbook_module.EXPORT_KIND)[:5],
    }
    return render(request, "dashboard/workbook.html", context, status=400 if form.is_bound else 200)
