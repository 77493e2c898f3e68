from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.models import ExportJob


def _own_job(request, pk):
    """A job is only ever shown to the user who asked for it."""
    job = ExportJob.objects.filter(pk=pk, requested_by=request.user).first()
    if job is None:
        raise Http404(_("没有找到该导出任务。"))
    return job


@login_required
@require_GET
def export_job(request, pk):
    job = _own_job(request, pk)
    template = "core/export_job_status.html" if request.htmx else "core/export_job.html"
    return render(request, template, {"job": job})


@login_required
@require_GET
def export_download(request, pk):
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file or job.expires_at < timezone.now():
        raise Http404(_("文件尚未生成或已过期。"))
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
