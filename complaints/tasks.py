"""Celery tasks of the complaints app: thin wrappers around services."""

from celery import shared_task

from complaints import services


@shared_task(name="complaints.tasks.check_deadlines")
def check_deadlines() -> dict:
    """Beat: flag cases near their deadline, escalate those past it (idempotent)."""
    result = services.check_deadlines()
    result["closed_unrated"] = services.close_unrated()
    return result


@shared_task(name="complaints.tasks.deliver_notifications", acks_late=True)
def deliver_notifications() -> int:
    """Send what waits in the outbox (also run by beat, for messages queued
    while the broker was down)."""
    services.kicked()
    return services.deliver_pending()
