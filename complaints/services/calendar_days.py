"""The working-day calendar: holidays and make-up working days, kept by the district."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.scoping import Action, can
from complaints.models import CalendarDay


def _check_calendar_right(user):
    if not can(user, Action.CHANGE, CalendarDay):
        raise PermissionDenied(_("只有区级管理人员可以维护节假日与调休。"))


@transaction.atomic
def save_calendar_day(*, user, day: date, kind: str, name: str = "") -> CalendarDay:
    _check_calendar_right(user)
    row = CalendarDay.objects.filter(date=day).first() or CalendarDay(date=day)
    row.kind = kind
    row.name = name
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def delete_calendar_day(*, user, day_id: int) -> None:
    _check_calendar_right(user)
    CalendarDay.objects.filter(pk=day_id).delete()
