from celery import shared_task

from renovation import services


@shared_task(name="renovation.tasks.remind_behind_schedule")
def remind_behind_schedule() -> int:
    """Weekly: remind street offices of their projects behind schedule (idempotent per project and week)."""
    return services.send_schedule_reminders()
