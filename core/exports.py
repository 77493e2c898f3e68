"""Excel exports too large for a request run as background jobs.

A job belongs to the user who asked for it; its rows are chosen through that
user's scope when it runs, and only that user can download the file.
"""

import logging

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from core import registry
from core.models import ExportJob

logger = logging.getLogger(__name__)

# kind → dotted path of the exporter; each app registers its own from its
# AppConfig.ready() (core.registry), so core names none of them.
EXPORTERS = registry.exporters


def start_export(*, user, kind: str, params: dict, total_rows: int) -> ExportJob:
    """Record the job and hand it to the worker. If the broker is down the job
    is marked failed with a message the clerk can act on."""
    from core.tasks import run_export

    if kind not in EXPORTERS:
        raise ValueError(kind)
    job = ExportJob.objects.create(requested_by=user, kind=kind, params=params, total_rows=total_rows)
    try:
        run_export.delay(str(job.pk))
    except OperationalError:
        logger.exception("export %s: broker unavailable", job.pk)
        job.status = ExportJob.Status.FAILED
        job.error = _("后台任务服务暂时不可用，请稍后再试，或缩小筛选范围后直接下载。")
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
    return job


def run_export_job(job_id) -> None:
    """Produce the file of one queued job. Safe to call twice: a job that is
    already done or running elsewhere is left alone."""
    import tempfile

    with transaction.atomic():
        job = ExportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None or job.status != ExportJob.Status.QUEUED:
            return
        job.status = ExportJob.Status.RUNNING
        job.save(update_fields=["status"])

    def progress(rows_done):
        ExportJob.objects.filter(pk=job.pk).update(rows_done=rows_done)

    exporter = import_string(EXPORTERS[job.kind])
    try:
        with tempfile.TemporaryFile() as handle:
            rows, filename = exporter(job, handle, progress)
            handle.seek(0)
            job.file.save(f"{job.pk}.xlsx", File(handle), save=False)
    except Exception:
        # Record the failure for the user, then let Celery log the traceback.
        logger.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=_("导出失败，请稍后重试或联系管理员。"), finished_at=timezone.now()
        )
        raise
    job.rows_done = rows
    job.total_rows = rows
    job.filename = filename
    job.status = ExportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "rows_done", "total_rows", "filename", "status", "finished_at"])


def purge_expired() -> int:
    """Delete export files past their keep-until time, then run the apps'
    clean-ups of their own old files (core.registry.purge_hooks)."""
    now = timezone.now()
    removed = 0
    for job in ExportJob.objects.filter(expires_at__lt=now):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    for path in registry.purge_hooks:
        removed += import_string(path)(now=now)
    return removed
