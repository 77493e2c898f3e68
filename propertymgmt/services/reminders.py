"""The daily committee reminder run: each (step, day) reminded once, whatever runs it."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from propertymgmt import portable_runs
from propertymgmt.models import CommitteeStep
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
