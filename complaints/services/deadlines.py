"""Scheduled work on deadlines: reminders before the working-day deadline,
escalation after it, and closing what the resident did not rate in time."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import WORKING_STATUSES, Category, Complaint, Escalation, Notification, Status
from complaints.services.delivery import _notify
from complaints.services.transitions import _move, _step
from complaints.workdays import WorkCalendar, calendar_around


def check_deadlines(*, today: date | None = None) -> dict:
    """Flag cases near their deadline and escalate those past it.

    Safe to run twice or concurrently: the reminder's outbox row has a unique
    key (kind, case, deadline), and flags are set by conditional UPDATEs.
    """
    today = today or timezone.localdate()
    calendar = calendar_around(today)
    result = {"due_soon": 0, "overdue": 0}
    for category in Category.objects.all():
        horizon = calendar.add(today, category.remind_days)
        open_cases = Complaint.objects.filter(category=category, status__in=WORKING_STATUSES)
        with transaction.atomic():
            result["due_soon"] += _flag_due_soon(open_cases, category=category, today=today, horizon=horizon)
            result["overdue"] += _escalate_overdue(open_cases, today=today)
    # Not even accepted in time: flagged overdue for the station (not escalated).
    with transaction.atomic():
        result["overdue"] += _flag_unaccepted(today=today)
    return result


def _flag_due_soon(open_cases: QuerySet, *, category: Category, today: date, horizon: date) -> int:
    """Remind the street of the category's cases due by `horizon`, once per deadline."""
    soon = list(
        open_cases.filter(due_soon=False, overdue=False, resolve_due__gte=today, resolve_due__lte=horizon)
        .select_for_update(skip_locked=True)
        .only("id", "number", "street_id", "resolve_due", "handler_id")
    )
    for complaint in soon:
        _notify(
            complaint,
            kind=Notification.Kind.DUE_SOON,
            key=f"due_soon:{complaint.pk}:{complaint.resolve_due}",
            recipient=f"street:{complaint.street_id or 0}",
            text=_("工单%(number)s将于%(due)s到期，请抓紧办理。")
            % {"number": complaint.number, "due": complaint.resolve_due},
        )
        _step(
            complaint,
            user=None,
            action="due_soon",
            note=_("距办结时限不足%(n)s个工作日。") % {"n": category.remind_days},
        )
    return Complaint.objects.filter(pk__in=[c.pk for c in soon]).update(due_soon=True)


def _escalate_overdue(open_cases: QuerySet, *, today: date) -> int:
    """Flag the cases past their deadline and escalate them to the street (unless escalated already)."""
    late = list(
        open_cases.filter(overdue=False, resolve_due__lt=today)
        .select_for_update(skip_locked=True)
        .only("id", "number", "street_id", "resolve_due", "escalation")
    )
    for complaint in late:
        _notify(
            complaint,
            kind=Notification.Kind.OVERDUE,
            key=f"overdue:{complaint.pk}:{complaint.resolve_due}",
            recipient=f"street:{complaint.street_id or 0}",
            text=_("工单%(number)s已超过办结时限（%(due)s），已升级督办。")
            % {"number": complaint.number, "due": complaint.resolve_due},
        )
        _step(complaint, user=None, action="overdue", note=_("超过办结时限，自动升级督办。"))
    ids = [c.pk for c in late]
    flagged = Complaint.objects.filter(pk__in=ids).update(overdue=True)
    Complaint.objects.filter(pk__in=ids, escalation="").update(escalation=Escalation.STREET)
    return flagged


def _flag_unaccepted(*, today: date) -> int:
    """Flag the submitted cases past their acceptance deadline."""
    unaccepted = list(
        Complaint.objects.filter(status=Status.SUBMITTED, overdue=False, accept_due__lt=today)
        .select_for_update(skip_locked=True)
        .only("id", "number", "street_id", "accept_due")
    )
    for complaint in unaccepted:
        _notify(
            complaint,
            kind=Notification.Kind.OVERDUE,
            key=f"overdue_accept:{complaint.pk}:{complaint.accept_due}",
            recipient=f"street:{complaint.street_id or 0}",
            text=_("工单%(number)s超过受理时限（%(due)s）仍未受理。")
            % {"number": complaint.number, "due": complaint.accept_due},
        )
        _step(complaint, user=None, action="overdue", note=_("超过受理时限仍未受理。"))
    return Complaint.objects.filter(pk__in=[c.pk for c in unaccepted]).update(overdue=True)


def _rating_cutoff(today: date, calendar: WorkCalendar) -> date:
    """The latest resolution day that has had the full rating period (working days)."""
    cutoff = today
    for _i in range(settings.COMPLAINT_RATING_WORKING_DAYS):
        cutoff -= timedelta(days=1)
        while not calendar.is_working_day(cutoff):
            cutoff -= timedelta(days=1)
    return cutoff


def close_unrated(*, today: date | None = None) -> int:
    """Resolved cases the resident did not rate within the set working days are closed."""
    today = today or timezone.localdate()
    cutoff = _rating_cutoff(today, calendar_around(today))
    closed = 0
    limit = timezone.make_aware(datetime.combine(cutoff, datetime.min.time()))
    for pk in Complaint.objects.filter(status=Status.RESOLVED, resolved_at__lt=limit).values_list("pk", flat=True)[
        :1000
    ]:
        with transaction.atomic():
            complaint = (
                Complaint.objects.select_for_update(skip_locked=True).filter(pk=pk, status=Status.RESOLVED).first()
            )
            if complaint is None:
                continue
            complaint.closed_at = timezone.now()
            _move(complaint, user=None, action="close", note=_("居民逾期未评价，自动结案。"))
            closed += 1
    return closed
