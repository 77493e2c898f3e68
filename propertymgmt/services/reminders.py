"""The daily reminder run: committee steps, each (step, day) reminded once, and overdue
rectification orders, each reminded once, whatever runs it."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propertymgmt import portable_runs
from propertymgmt.models import CommitteeStep, Notice, RectificationOrder
from propertymgmt.services.delivery import REMIND_BEFORE_DAYS, REMINDER_BATCH, _deliver

REMINDER_SQL = """
INSERT INTO propertymgmt_reminder (step_id, on_date, kind, created_at, channels)
SELECT s.id, %(today)s,
       CASE WHEN s.due_on > %(today)s THEN 'before' WHEN s.due_on = %(today)s THEN 'due' ELSE 'overdue' END,
       now(), ''
FROM propertymgmt_committeestep s
WHERE s.done_on IS NULL AND s.id >= %(low)s AND s.id < %(high)s
  AND (s.due_on = ANY(%(before)s) OR s.due_on = %(today)s
       OR (s.due_on < %(today)s AND (%(today)s - s.due_on) %% 7 = 0))
ON CONFLICT (step_id, on_date) DO NOTHING
RETURNING id
"""


def send_reminders(*, today: date | None = None, batch: int = REMINDER_BATCH) -> int:
    """The daily run: committee steps (send_committee_reminders) and rectification
    orders past their deadline unchecked (send_rectification_reminders)."""
    today = today or timezone.localdate()
    return send_committee_reminders(today=today, batch=batch) + send_rectification_reminders(today=today)


def send_rectification_reminders(*, today: date | None = None) -> int:
    """Tell the street once when one of its rectification orders passes its deadline
    unchecked: the notice's key names the order, and the unique key makes a second run
    (or a concurrent one) write nothing. Plain ORM, so the demo's SQLite runs it too."""
    today = today or timezone.localdate()
    overdue = RectificationOrder.objects.filter(result="", deadline__lt=today).select_related("company")
    orders = {f"rectification-overdue:{order.pk}": order for order in overdue.order_by("pk")}
    if not orders:
        return 0
    with transaction.atomic():
        known = set(Notice.objects.filter(key__in=list(orders)).values_list("key", flat=True))
        fresh = [
            Notice(
                street_id=order.street_id,
                key=key,
                text=_("【整改逾期】%(company)s的限期整改通知已于%(deadline)s到期，尚未验收，请组织验收。")
                % {
                    "company": order.company.name,
                    "deadline": f"{order.deadline.year}年{order.deadline.month}月{order.deadline.day}日",
                },
            )
            for key, order in orders.items()
            if key not in known
        ]
        created = Notice.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(created)


def send_committee_reminders(*, today: date | None = None, batch: int = REMINDER_BATCH) -> int:
    """Remind committees of steps due soon, due today, or (weekly) overdue. The reminder
    record is inserted first under a unique (step, date) key, and only the rows this run
    inserted are delivered: a second run or a concurrent beat process sends nothing."""
    if connection.vendor != "postgresql":  # the demo's SQLite: same rules, portable code
        return portable_runs.send_reminders(today=today, batch=batch)
    today = today or timezone.localdate()
    bounds = CommitteeStep.objects.filter(done_on__isnull=True).order_by().values_list("id", flat=True)
    low = bounds.order_by("id").first()
    if low is None:
        return 0
    high = bounds.order_by("-id").first() + 1
    before = [today + timedelta(days=d) for d in REMIND_BEFORE_DAYS]
    sent = 0
    for start in range(low, high, batch):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    REMINDER_SQL, {"today": today, "before": before, "low": start, "high": min(start + batch, high)}
                )
                ids = [row[0] for row in cursor.fetchall()]
            if ids:
                _deliver(ids)
        sent += len(ids)
    return sent
