from celery import shared_task

from dashboard import services


@shared_task
def take_month_end_snapshots() -> int:
    """Daily: record last month's figures once (a month already recorded is left alone)."""
    return services.take_snapshots()
