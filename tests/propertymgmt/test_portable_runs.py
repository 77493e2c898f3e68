"""The portable runs (SQLite demo) against the PostgreSQL runs, on the same data.

Each test runs the SQL path of services.py in a savepoint, keeps what it wrote and
rolls it back, then runs propertymgmt.portable_runs on the same rows and compares
every field: amounts to the fen, score, factor, months, rate, reminder kinds. Any
drift between the SQL and the portable code fails here.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from communities.models import Estate
from propertymgmt import portable_runs, services
from propertymgmt.models import (
    Assessment,
    Committee,
    CommitteeStep,
    Notice,
    Reminder,
    ScoringScheme,
    SubsidyPayment,
    SubsidyPeriod,
    SubsidyRate,
)
from tests.factories import EstateFactory
from tests.propertymgmt.conftest import ContractFactory

pytestmark = pytest.mark.django_db

Q1 = date(2026, 2, 10)
START = date(2026, 1, 1)
PAYMENT_FIELDS = (
    "period_id",
    "tranche",
    "estate_id",
    "street_id",
    "management_mode",
    "area",
    "rate",
    "months",
    "share",
    "score",
    "factor",
    "amount",
    "status",
)


def _payments(tranche):
    return list(
        SubsidyPayment.objects.filter(tranche=tranche).order_by("estate_id", "period_id").values_list(*PAYMENT_FIELDS)
    )


def _compare(sql_run, portable_run, snapshot):
    """Run the SQL path twice in a rolled-back savepoint, then the portable path twice;
    return both snapshots and counts."""
    with transaction.atomic():
        sql_counts = (sql_run(), sql_run())
        sql_rows = snapshot()
        transaction.set_rollback(True)
    assert snapshot() == []  # the SQL run's rows are gone
    portable_counts = (portable_run(), portable_run())
    return sql_counts, sql_rows, portable_counts, snapshot()


@pytest.fixture
def estates(world):
    """Old and new, managed and not, odd areas (rounding at the fen), district rates over the defaults."""
    rng = random.Random(8)
    communities = [world.community_a1, world.community_a2, world.community_b1, world.estate_other_district.community]
    made = []
    for index in range(60):
        made.append(
            EstateFactory(
                community=communities[index % len(communities)],
                year_built=rng.choice([1960, 1985, 1999, 2000, 2000, 2001, 2010]),
                floor_area=Decimal(rng.randint(0, 9_000_000)) / 100 if index % 13 else Decimal("0"),
                management_mode=rng.choice(["market", "owners", "unit", "street_centre", "none"]),
            )
        )
    Estate.objects.filter(pk=world.estate_a1.pk).update(management_mode="market", floor_area=Decimal("21500.50"))
    services.set_subsidy_rate(user=world.official, management_mode="owners", rate=Decimal("2.03"))
    services.set_subsidy_rate(user=world.official, management_mode="unit", rate=Decimal("0"))  # no subsidy
    SubsidyRate.objects.filter(district__isnull=True, management_mode="street_centre").update(rate=Decimal("1.37"))
    return made


@pytest.fixture
def periods(world, estates):
    """This quarter in both districts; the other district's is two months at a 65% advance."""
    assert services.ensure_periods(day=Q1) == START
    SubsidyPeriod.objects.filter(district=world.other_district).update(
        ends_on=date(2026, 2, 28), advance_share=Decimal("0.650")
    )
    return {p.district_id: p for p in SubsidyPeriod.objects.filter(starts_on=START)}


def test_ensure_periods_makes_the_same_rows(world):
    def snapshot():
        return list(
            SubsidyPeriod.objects.order_by("district_id").values_list(
                "district_id", "starts_on", "ends_on", "label", "advance_share"
            )
        )

    with transaction.atomic():
        assert services.ensure_periods(day=Q1) == START
        services.ensure_periods(day=Q1)
        sql_rows = snapshot()
        transaction.set_rollback(True)
    assert snapshot() == []
    assert portable_runs.ensure_periods(day=Q1) == START
    portable_runs.ensure_periods(day=Q1)
    assert snapshot() == sql_rows and len(sql_rows) == 2


@pytest.mark.parametrize("batch", [1, 7, services.SUBSIDY_BATCH])
def test_advance_matches_the_sql_for_every_district(world, periods, batch):
    sql_counts, sql_rows, portable_counts, rows = _compare(
        lambda: services.run_advance(start=START, batch=batch),
        lambda: portable_runs.run_advance(start=START, batch=batch),
        lambda: _payments("advance"),
    )
    assert sql_counts[0] >= 20 and sql_counts[1] == 0
    assert portable_counts == sql_counts
    assert rows == sql_rows
    # The examples of test_subsidies hold on both: 21500.50 × 1.20 × 3 / 12 = 6450.15; × 0.7 → 4515.11.
    a1 = SubsidyPayment.objects.get(estate=world.estate_a1)
    assert (a1.rate, a1.months, a1.amount) == (Decimal("1.20"), 3, Decimal("4515.11"))
    other = SubsidyPayment.objects.get(estate=world.estate_other_district)
    assert (other.months, other.share, other.rate) == (2, Decimal("0.650"), Decimal("1.80"))  # the global owners rate
    assert SubsidyPayment.objects.get(estate=world.estate_b1).rate == Decimal("2.03")  # the district's own
    assert not SubsidyPayment.objects.filter(management_mode="none").exists()
    units = SubsidyPayment.objects.filter(management_mode="unit")
    assert not units.filter(period__district=world.district).exists()  # the district's rate is 0
    assert units.exclude(period__district=world.district).exists()  # the global 1.20 elsewhere
    assert not SubsidyPayment.objects.filter(estate__year_built__gt=2000).exists()
    assert not SubsidyPayment.objects.filter(area=0).exists()


def test_advance_of_one_period_matches_the_sql(world, periods):
    period = periods[world.district.pk]
    sql_counts, sql_rows, portable_counts, rows = _compare(
        lambda: services.run_advance(period_id=period.pk, batch=5),
        lambda: portable_runs.run_advance(period_id=period.pk, batch=5),
        lambda: _payments("advance"),
    )
    assert portable_counts == sql_counts and sql_counts[0] > 0
    assert rows == sql_rows and {row[0] for row in rows} == {period.pk}


def test_a_failed_batch_rolls_back_whole_and_the_rerun_completes(world, periods):
    def fail(low, high):
        raise RuntimeError("worker lost")

    with pytest.raises(RuntimeError):
        portable_runs.run_advance(start=START, batch=10**9, on_batch=fail)
    assert not SubsidyPayment.objects.exists()
    assert portable_runs.run_advance(start=START, batch=3) == SubsidyPayment.objects.count() > 0


def _assess(estate, months_scores):
    contract = ContractFactory(estate=estate)
    scheme = ScoringScheme.objects.get(is_default=True)
    for month, score in months_scores:
        Assessment.objects.create(
            contract=contract,
            estate=estate,
            company=contract.company,
            month=month,
            scheme=scheme,
            score=Decimal(score),
            satisfaction=Decimal("90"),
        )


@pytest.mark.parametrize("batch", [1, services.SUBSIDY_BATCH])
def test_balance_matches_the_sql(world, estates, periods, batch):
    services.run_advance(start=START)
    paid = list(SubsidyPayment.objects.order_by("estate_id").values_list("estate_id", flat=True))
    unapproved = paid[-1]
    SubsidyPayment.objects.exclude(estate_id=unapproved).update(status="approved", approved_at=timezone.now())
    # Averages that round across the factor lines: 79.995 → 80.00 (full), 69.9966… → 70.00 (80%),
    # 69.99 (nothing), one month only, none in the period (not yet a balance), no assessment at all.
    scores = [
        [(date(2026, 1, 1), "79.99"), (date(2026, 2, 1), "80.00")],
        [(date(2026, 1, 1), "70.00"), (date(2026, 2, 1), "70.00"), (date(2026, 3, 1), "69.99")],
        [(date(2026, 3, 1), "69.99")],
        [(date(2026, 2, 1), "100.00")],
        [(date(2025, 12, 1), "95.00"), (date(2026, 4, 1), "95.00")],
        [(date(2026, 1, 1), "88.33"), (date(2026, 2, 1), "91.67"), (date(2026, 3, 1), "75.01")],
    ]
    assessed = list(dict.fromkeys([*paid[: len(scores) * 3], unapproved]))
    for index, estate_id in enumerate(assessed):
        _assess(Estate.objects.get(pk=estate_id), scores[index % len(scores)])
    today = date(2026, 4, 2)
    sql_counts, sql_rows, portable_counts, rows = _compare(
        lambda: services.run_balance(start=START, today=today, batch=batch),
        lambda: portable_runs.run_balance(start=START, today=today, batch=batch),
        lambda: _payments("balance"),
    )
    assert sql_counts[0] > 10 and sql_counts[1] == 0
    assert portable_counts == sql_counts
    assert rows == sql_rows
    by_score = {row[9] for row in rows}
    assert {Decimal("80.00"), Decimal("70.00"), Decimal("69.99"), Decimal("85.00")} <= by_score
    assert not SubsidyPayment.objects.filter(tranche="balance", estate_id=unapproved).exists()


def test_balance_waits_for_the_end_of_the_period(world, periods):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        portable_runs.run_balance(start=START, today=date(2026, 3, 31), batch=100)


DUE = date(2026, 6, 30)
# Days from DUE to each step's due date: 30 and 7 before, due, weekly overdue, and days with nothing.
OFFSETS = (30, 7, 0, -7, -14, -70, -364, 29, 31, 8, 6, 1, -1, -6, -8, -13, -15)


@pytest.fixture
def steps(world):
    steps = []
    for index, estate in enumerate((world.estate_a1, world.estate_a2, world.estate_b1)):
        committee = Committee.objects.create(
            estate=estate,
            stage="preparation",
            chair="刘组长",
            contact_phone="13911112222" if index != 1 else "",
            contact_email="chouzu@example.cn" if index != 2 else "",
        )
        for offset in OFFSETS:
            steps.append(
                CommitteeStep.objects.create(
                    committee=committee, estate=estate, kind="preparation", due_on=DUE + timedelta(days=offset)
                )
            )
    done = steps[2]  # due today, but done
    done.done_on = DUE - timedelta(days=3)
    done.save()
    # Another day's reminder of the same step does not stop today's.
    Reminder.objects.create(step=steps[5], on_date=DUE - timedelta(days=1), kind="overdue")
    return steps


def _reminders():
    return list(
        Reminder.objects.order_by("step_id", "on_date").values_list("step_id", "on_date", "kind", "channels", "sent_at")
    )


def _notices():
    return list(Notice.objects.order_by("reminder__step_id").values_list("street_id", "estate_id", "text"))


@pytest.mark.parametrize("batch", [1, 4, services.REMINDER_BATCH])
def test_reminders_match_the_sql(world, steps, batch, sms_outbox, django_capture_on_commit_callbacks):
    with transaction.atomic():
        sql_counts = (services.send_reminders(today=DUE, batch=batch), services.send_reminders(today=DUE, batch=batch))
        sql_rows, sql_notices = _reminders(), _notices()
        transaction.set_rollback(True)
    assert len(_reminders()) == 1  # the SQL run's rows are gone
    with django_capture_on_commit_callbacks(execute=True):
        counts = (
            portable_runs.send_reminders(today=DUE, batch=batch),
            portable_runs.send_reminders(today=DUE, batch=batch),
        )
        rows, notices = _reminders(), _notices()
    # 30 and 7 days before, due today (one of three done), 7, 14, 70 and 364 days overdue.
    assert sql_counts == (3 * 7 - 1, 0)
    assert counts == sql_counts
    assert rows == sql_rows  # step, date, kind; not yet sent inside the transaction
    assert notices == sql_notices and len(notices) == counts[0]
    kinds = {(step_id, kind) for step_id, _d, kind, _c, _s in rows}
    assert (steps[0].pk, "before") in kinds and (steps[19].pk, "due") in kinds and (steps[3].pk, "overdue") in kinds
    # Delivered once, after commit: only this run's reminders.
    assert Reminder.objects.filter(on_date=DUE, sent_at__isnull=False).count() == counts[0]
    assert Reminder.objects.filter(on_date=DUE - timedelta(days=1), sent_at__isnull=True).count() == 1
    assert len(mail.outbox) == 2 * 7 - 1 and len(sms_outbox) == 2 * 7 - 1


def test_no_open_steps_no_reminders(world):
    assert portable_runs.send_reminders(today=DUE, batch=10) == 0
