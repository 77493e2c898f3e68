"""Working days: Monday to Friday, except the holidays and make-up working
days (调休) officials keep in the CalendarDay table."""

from datetime import date, timedelta

from complaints.models import CalendarDay


class WorkCalendar:
    """The calendar loaded once for a range of dates (one query), then pure."""

    def __init__(self, start: date, end: date):
        rows = CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind")
        self.holidays = {d for d, kind in rows if kind == CalendarDay.Kind.HOLIDAY}
        self.workdays = {d for d, kind in rows if kind == CalendarDay.Kind.WORKDAY}

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        return day.weekday() < 5

    def add(self, start: date, days: int) -> date:
        """The day `days` working days after `start` (0: `start` itself, or the
        next working day when `start` is not one)."""
        day = start
        if days == 0:
            while not self.is_working_day(day):
                day += timedelta(days=1)
            return day
        remaining = days
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when end < start)."""
        if end < start:
            return -self.between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def calendar_around(day: date, *, days_ahead: int = 120) -> WorkCalendar:
    """Enough calendar for deadlines starting near `day` (long holidays included)."""
    return WorkCalendar(day - timedelta(days=days_ahead), day + timedelta(days=days_ahead))


# The State Council's notice for 2026 (国办发明电〔2025〕7号): holidays and make-up
# working days. Loaded by a data migration; officials add later years in the portal.
CALENDAR_2026 = [
    ("2026-01-01", "holiday", "元旦"),
    ("2026-01-02", "holiday", "元旦"),
    ("2026-01-03", "holiday", "元旦"),
    ("2026-01-04", "workday", "元旦调休"),
    ("2026-02-14", "workday", "春节调休"),
    *[(f"2026-02-{d:02d}", "holiday", "春节") for d in range(15, 24)],
    ("2026-02-28", "workday", "春节调休"),
    ("2026-04-04", "holiday", "清明节"),
    ("2026-04-05", "holiday", "清明节"),
    ("2026-04-06", "holiday", "清明节"),
    *[(f"2026-05-{d:02d}", "holiday", "劳动节") for d in range(1, 6)],
    ("2026-05-09", "workday", "劳动节调休"),
    ("2026-06-19", "holiday", "端午节"),
    ("2026-06-20", "holiday", "端午节"),
    ("2026-06-21", "holiday", "端午节"),
    ("2026-09-20", "workday", "国庆节调休"),
    ("2026-09-25", "holiday", "中秋节"),
    ("2026-09-26", "holiday", "中秋节"),
    ("2026-09-27", "holiday", "中秋节"),
    *[(f"2026-10-{d:02d}", "holiday", "国庆节") for d in range(1, 8)],
    ("2026-10-10", "workday", "国庆节调休"),
]
