"""The subsidy runs and the committee reminder run on databases other than PostgreSQL.

propertymgmt.services computes these with PostgreSQL-only SQL (arrays, `= ANY`, LATERAL joins,
ON CONFLICT), benchmarked at national scale. The demo quick start runs on SQLite,
so services.run_advance, run_balance, ensure_periods and send_reminders hand over
to the functions here when `connection.vendor != "postgresql"`. They apply the same
rules to the same rows with the ORM and Python's Decimal, rounding half up to the fen
exactly as PostgreSQL's numeric round() does:

    full    = round(area × rate × months / 12, 2)
    advance = round(full × advance share, 2)
    balance = round((full − advance amount) × factor(score), 2)
    score   = round(average of the period's monthly assessment scores, 2)

Like the SQL, a run works in batches of estate (or step) ids, each batch in its own
transaction, and inserts keyed by the unique (estate, period, tranche) or (step, date)
with ignore_conflicts: a second run writes nothing. tests/propertymgmt/test_portable_runs.py
runs both paths on the same data and compares every field, so any drift between the SQL
and this module fails a test.

Concurrent runs: each batch first locks the rows it works from (the periods, the steps)
with SELECT … FOR UPDATE and only then reads what is already written, so on PostgreSQL
or MySQL a second run waits and then sees the first run's rows. SQLite has no row locks
but one writer at a time: a run whose reads went stale fails with "database is locked"
and writes nothing, never a payment or a reminder twice.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import selectors as ledger_selectors
from org.models import District
from propertymgmt.models import (
    Assessment,
    CommitteeStep,
    Reminder,
    ScoreFactor,
    SubsidyPayment,
    SubsidyPeriod,
    SubsidyRate,
)

# Only the package's leaf modules, which import no run: services.subsidies and
# services.reminders hand over to this module.
from propertymgmt.services.delivery import REMIND_BEFORE_DAYS, _deliver
from propertymgmt.services.periods import _quarter_label, quarter_of

FEN = Decimal("0.01")
TWELVE = Decimal(12)


def _fen(value: Decimal) -> Decimal:
    """PostgreSQL's round(numeric, 2): half away from zero (half up for the amounts here)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def _full(area: Decimal, rate: Decimal, months: int) -> Decimal:
    return _fen(area * rate * months / TWELVE)


def _estate_batches(batch: int):
    """The same id ranges as services.subsidies._id_batches("communities_estate", batch)."""
    bounds = ledger_selectors.estate_id_bounds()
    if bounds is None:
        return
    low, high = bounds
    for start in range(low, high + 1, batch):
        yield start, min(start + batch, high + 1)


# --- Subsidies ------------------------------------------------------------------------------------------------------


def ensure_periods(*, day: date) -> date:
    """services.ensure_periods: every district's period containing `day`, created once."""
    start, end = quarter_of(day)
    label = _quarter_label(start)
    SubsidyPeriod.objects.bulk_create(
        [
            SubsidyPeriod(district_id=pk, starts_on=start, ends_on=end, label=label, advance_share=Decimal("0.700"))
            for pk in District.objects.order_by("pk").values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )
    return start


def _periods(*, start: date, period_id: int | None) -> list:

    periods = SubsidyPeriod.objects.filter(starts_on=start)
    if period_id is not None:
        periods = periods.filter(pk=period_id)
    return list(periods.order_by("pk"))


def _run(*, tranche: str, start: date, period_id: int | None, batch: int, build, on_batch=None) -> int:
    """services.subsidies._run: per batch of estate ids, in one transaction, the candidates less
    those already paid this tranche, and the payments `build` makes of the rest."""
    periods = _periods(start=start, period_id=period_id)
    if not periods:
        return 0
    period_ids = [p.pk for p in periods]
    created = 0
    for low, high in _estate_batches(batch):
        with transaction.atomic():
            # Serialise concurrent runs of these periods (a no-op on SQLite, which has one writer).
            list(SubsidyPeriod.objects.select_for_update().filter(pk__in=period_ids).order_by("pk").values("pk"))
            paid = set(
                SubsidyPayment.objects.filter(
                    estate_id__gte=low, estate_id__lt=high, tranche=tranche, period_id__in=period_ids
                ).values_list("estate_id", flat=True)
            )
            payments = build(low=low, high=high, periods=periods, paid=paid)
            if payments:
                SubsidyPayment.objects.bulk_create(payments, ignore_conflicts=True)
                created += len(payments)
            if on_batch is not None:
                on_batch(low, high)
    return created


def _advance_payments(*, low: int, high: int, periods: list, paid: set, cutoff: int) -> list:
    """ADVANCE_CANDIDATES_SQL and ADVANCE_SQL for one batch."""
    by_district = {p.district_id: p for p in periods}
    estates = (
        ledger_selectors.all_estates()
        .filter(
            id__gte=low,
            id__lt=high,
            community__street__district_id__in=list(by_district),
            year_built__lte=cutoff,
            floor_area__gt=0,
        )
        .exclude(management_mode="none")
        .order_by("id")
        .values_list("id", "community__street_id", "community__street__district_id", "management_mode", "floor_area")
    )
    todo = [row for row in estates if row[0] not in paid]
    if not todo:
        return []
    # The district's rate for the mode, else the global one (district NULL).
    rates = {
        (d, mode): rate for d, mode, rate in SubsidyRate.objects.values_list("district_id", "management_mode", "rate")
    }
    now = timezone.now()
    payments = []
    for estate_id, street_id, district_id, mode, area in todo:
        period = by_district[district_id]
        rate = rates.get((district_id, mode), rates.get((None, mode)))
        if rate is None or not rate > 0:
            continue
        months = period.months
        payments.append(
            SubsidyPayment(
                period_id=period.pk,
                tranche="advance",
                estate_id=estate_id,
                street_id=street_id,
                management_mode=mode,
                area=area,
                rate=rate,
                months=months,
                share=period.advance_share,
                score=None,
                factor=Decimal("1"),
                amount=_fen(_full(area, rate, months) * period.advance_share),
                status="proposed",
                created_at=now,
            )
        )
    return payments


def _balance_payments(*, low: int, high: int, periods: list, paid: set) -> list:
    """BALANCE_CANDIDATES_SQL and BALANCE_SQL for one batch."""
    by_pk = {p.pk: p for p in periods}
    advances = [
        a
        for a in SubsidyPayment.objects.filter(
            estate_id__gte=low, estate_id__lt=high, tranche="advance", status="approved", period_id__in=list(by_pk)
        ).order_by("estate_id", "period_id")
        if a.estate_id not in paid
    ]
    if not advances:
        return []
    first = min(p.starts_on for p in periods)
    last = max(p.ends_on for p in periods)
    scores: dict[int, list[tuple[date, Decimal]]] = {}
    for estate_id, month, score in Assessment.objects.filter(
        estate_id__gte=low, estate_id__lt=high, month__gte=first, month__lte=last
    ).values_list("estate_id", "month", "score"):
        scores.setdefault(estate_id, []).append((month, score))
    factors = list(ScoreFactor.objects.order_by("-min_score").values_list("min_score", "factor"))
    now = timezone.now()
    payments = []
    for advance in advances:
        period = by_pk[advance.period_id]
        marks = [s for month, s in scores.get(advance.estate_id, ()) if period.starts_on <= month <= period.ends_on]
        if not marks:
            continue  # not assessed yet: a candidate again next run
        score = _fen(sum(marks, Decimal("0")) / Decimal(len(marks)))
        factor = next((f for min_score, f in factors if min_score <= score), None)
        if factor is None:
            continue
        full = _full(advance.area, advance.rate, advance.months)
        payments.append(
            SubsidyPayment(
                period_id=advance.period_id,
                tranche="balance",
                estate_id=advance.estate_id,
                street_id=advance.street_id,
                management_mode=advance.management_mode,
                area=advance.area,
                rate=advance.rate,
                months=advance.months,
                share=1 - advance.share,
                score=score,
                factor=factor,
                amount=_fen((full - advance.amount) * factor),
                status="proposed",
                created_at=now,
            )
        )
    return payments


def run_advance(*, period_id: int | None = None, start: date | None = None, batch: int, on_batch=None) -> int:
    """services.run_advance on any database."""
    if period_id is not None:
        start = SubsidyPeriod.objects.get(pk=period_id).starts_on
    cutoff = settings.OLD_ESTATE_CUTOFF_YEAR

    def build(**kwargs):
        return _advance_payments(cutoff=cutoff, **kwargs)

    return _run(tranche="advance", start=start, period_id=period_id, batch=batch, build=build, on_batch=on_batch)


def run_balance(
    *, period_id: int | None = None, start: date | None = None, batch: int, today: date | None = None
) -> int:
    """services.run_balance on any database: only after the period ends."""
    today = today or timezone.localdate()
    if period_id is not None:
        start = SubsidyPeriod.objects.get(pk=period_id).starts_on
    if today <= quarter_of(start)[1]:
        raise ValidationError(_("期间结束并考核后才能拨付尾款。"))
    return _run(tranche="balance", start=start, period_id=period_id, batch=batch, build=_balance_payments)


# --- Committee reminders --------------------------------------------------------------------------------------------


def _reminder_kind(due_on: date, today: date) -> str:
    if due_on > today:
        return "before"
    if due_on == today:
        return "due"
    return "overdue"


def send_reminders(*, today: date | None = None, batch: int) -> int:
    """services.send_reminders on any database: steps not done that are due in 30 or 7
    days, due today, or overdue by a whole number of weeks get one reminder for the
    date; only the reminders this run inserted are delivered."""
    today = today or timezone.localdate()
    bounds = CommitteeStep.objects.filter(done_on__isnull=True).order_by().aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return 0
    low, high = bounds["low"], bounds["high"] + 1
    before = [today + timedelta(days=d) for d in REMIND_BEFORE_DAYS]
    sent = 0
    for start in range(low, high, batch):
        end = min(start + batch, high)
        with transaction.atomic():
            # Lock the steps first, then read their reminders for the date: a concurrent run
            # waits here and then finds this run's rows (SQLite: one writer, a stale run fails).
            steps = CommitteeStep.objects.select_for_update().filter(
                Q(due_on__in=before) | Q(due_on__lte=today), done_on__isnull=True, id__gte=start, id__lt=end
            )
            due = {
                step_id: _reminder_kind(due_on, today)
                for step_id, due_on in steps.order_by("id").values_list("id", "due_on")
                if due_on in before or due_on == today or (due_on < today and (today - due_on).days % 7 == 0)
            }
            if not due:
                continue
            existing = set(
                Reminder.objects.filter(step_id__gte=start, step_id__lt=end, on_date=today).values_list(
                    "step_id", flat=True
                )
            )
            new = {step_id: kind for step_id, kind in due.items() if step_id not in existing}
            if not new:
                continue
            now = timezone.now()
            Reminder.objects.bulk_create(
                [
                    Reminder(step_id=step_id, on_date=today, kind=kind, created_at=now, channels="")
                    for step_id, kind in sorted(new.items())
                ],
                ignore_conflicts=True,
            )
            ids = [
                pk
                for pk, step_id in Reminder.objects.filter(
                    step_id__gte=start, step_id__lt=end, on_date=today
                ).values_list("pk", "step_id")
                if step_id in new
            ]
            _deliver(ids)
        sent += len(ids)
    return sent
