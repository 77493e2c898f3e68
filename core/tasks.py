from celery import shared_task

from core import exports


@shared_task(name="core.tasks.run_export", acks_late=True)
def run_export(job_id: str) -> None:
    exports.run_export_job(job_id)


@shared_task(name="core.tasks.purge_expired_files")
def purge_expired_files() -> int:
    return exports.purge_expired()
