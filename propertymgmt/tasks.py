"""Scheduled work of the property app. Thin: each task calls one service."""

from celery import shared_task

from propertymgmt import services


@shared_task(name="propertymgmt.tasks.run_subsidies")
def run_subsidies() -> dict:
    """Daily: the current quarter's advance and the last quarter's balance (idempotent)."""
    return services.subsidy_due()


@shared_task(name="propertymgmt.tasks.send_committee_reminders")
def send_committee_reminders() -> int:
    """Daily: reminders for committee steps (never twice for a step and date) and for
    rectification orders past their deadline unchecked (once an order)."""
    return services.send_reminders()


@shared_task(name="propertymgmt.tasks.build_disbursement_batches")
def build_disbursement_batches() -> dict:
    """Daily: approved subsidies with a payee into the period's open batch (exactly once)."""
    return services.build_batches()


@shared_task(name="propertymgmt.tasks.remind_fund_top_ups")
def remind_fund_top_ups() -> int:
    """Weekly: accounts below 30% of their initial deposit, told to the street once per episode."""
    return services.remind_fund_top_ups()
