"""Subsidies: exact to the fen, exactly once, approved by district officials."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from communities.models import Estate
from propertymgmt import services
from propertymgmt.models import Assessment, ScoringScheme, SubsidyPayment, SubsidyRate
from tests.propertymgmt.conftest import ContractFactory

pytestmark = pytest.mark.django_db

Q1 = date(2026, 2, 10)


def _period(world):
    return services.ensure_period(district_id=world.district.pk, day=Q1)


def _assess(estate, month, score):
    contract = ContractFactory(estate=estate)
    return Assessment.objects.create(
        contract=contract,
        estate=estate,
        company=contract.company,
        month=month,
        scheme=ScoringScheme.objects.get(is_default=True),
        score=Decimal(score),
        satisfaction=Decimal("90"),
    )


def test_quarter_period_is_created_once(world):
    period = _period(world)
    assert (period.starts_on, period.ends_on, period.months, period.label) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
        3,
        "2026年第1季度",
    )
    assert services.ensure_period(district_id=world.district.pk, day=date(2026, 3, 31)) == period


def test_advance_is_seventy_percent_rounded_half_up_to_the_fen(world):
    Estate.objects.filter(pk=world.estate_a1.pk).update(management_mode="market", floor_area=Decimal("21500.50"))
    period = _period(world)
    assert services.run_advance(period_id=period.pk) == 3  # the three old estates of the district
    payment = SubsidyPayment.objects.get(estate=world.estate_a1, period=period, tranche="advance")
    # full = 21500.50 × 1.20 × 3 / 12 = 6450.15; × 0.7 = 4515.105 → 4515.11
    assert (payment.area, payment.rate, payment.months, payment.share) == (
        Decimal("21500.50"),
        Decimal("1.20"),
        3,
        Decimal("0.700"),
    )
    assert payment.amount == Decimal("4515.11")
    owners = SubsidyPayment.objects.get(estate=world.estate_b1, tranche="advance")
    assert owners.rate == Decimal("1.80")  # self-managed estates get the higher rate
    assert not SubsidyPayment.objects.filter(estate=world.estate_other_district).exists()


def test_district_rate_overrides_the_default(world):
    services.set_subsidy_rate(user=world.official, management_mode="owners", rate=Decimal("2.00"))
    assert SubsidyRate.objects.filter(district__isnull=True, management_mode="owners").get().rate == Decimal("1.80")
    period = _period(world)
    services.run_advance(period_id=period.pk)
    assert SubsidyPayment.objects.get(estate=world.estate_b1).rate == Decimal("2.00")


def test_street_staff_cannot_set_rates(world):
    with pytest.raises(ValidationError):
        services.set_subsidy_rate(user=world.staff_a, management_mode="owners", rate=Decimal("9.00"))


def test_unmanaged_and_new_estates_get_no_subsidy(world):
    Estate.objects.filter(pk=world.estate_a1.pk).update(management_mode="none")
    Estate.objects.filter(pk=world.estate_a2.pk).update(year_built=2015)
    period = _period(world)
    services.run_advance(period_id=period.pk)
    assert list(SubsidyPayment.objects.values_list("estate", flat=True)) == [world.estate_b1.pk]


def test_second_run_adds_nothing(world):
    period = _period(world)
    assert services.run_advance(period_id=period.pk) == 3
    assert services.run_advance(period_id=period.pk) == 0
    assert SubsidyPayment.objects.count() == 3


def test_failure_half_way_leaves_whole_payments_and_the_rerun_completes(world):
    period = _period(world)
    ids = sorted(Estate.objects.values_list("pk", flat=True))

    def fail_after_first(low, high):
        raise RuntimeError("worker lost")

    with pytest.raises(RuntimeError):
        services.run_advance(period_id=period.pk, batch=ids[1] - ids[0], on_batch=fail_after_first)
    assert SubsidyPayment.objects.count() == 0  # the failed batch rolled back whole
    assert services.run_advance(period_id=period.pk, batch=1) == 3
    assert SubsidyPayment.objects.filter(amount__gt=0).count() == 3


def test_only_district_officials_approve(world):
    period = _period(world)
    services.run_advance(period_id=period.pk)
    with pytest.raises(ValidationError):
        services.approve_payments(user=world.staff_a, period_id=period.pk, tranche="advance")
    assert services.approve_payments(user=world.official, period_id=period.pk, tranche="advance") == 3
    assert not SubsidyPayment.objects.filter(status="proposed").exists()


@pytest.mark.parametrize(
    ("score", "factor", "amount"),
    [
        ("80.00", Decimal("1"), Decimal("1935.04")),
        ("79.99", Decimal("0.8"), Decimal("1548.03")),
        ("70.00", Decimal("0.8"), Decimal("1548.03")),
        ("69.99", Decimal("0"), Decimal("0.00")),
    ],
)
def test_balance_is_scaled_by_the_period_score(world, score, factor, amount):
    Estate.objects.filter(pk=world.estate_a1.pk).update(management_mode="market", floor_area=Decimal("21500.50"))
    period = _period(world)
    services.run_advance(period_id=period.pk)
    services.approve_payments(user=world.official, period_id=period.pk, tranche="advance")
    with pytest.raises(ValidationError):
        services.run_balance(period_id=period.pk, today=date(2026, 3, 31))
    _assess(world.estate_a1, date(2026, 1, 1), score)
    assert services.run_balance(period_id=period.pk, today=date(2026, 4, 2)) == 1  # only the assessed estate
    balance = SubsidyPayment.objects.get(estate=world.estate_a1, tranche="balance")
    # full 6450.15 − advance 4515.11 = 1935.04, × factor
    assert (balance.score, balance.factor, balance.amount) == (Decimal(score), factor, amount)
    assert services.run_balance(period_id=period.pk, today=date(2026, 4, 3)) == 0


def test_balance_uses_the_average_of_the_period_months(world):
    period = _period(world)
    services.run_advance(period_id=period.pk)
    services.approve_payments(user=world.official, period_id=period.pk, tranche="advance")
    _assess(world.estate_b1, date(2026, 1, 1), "90")
    Assessment.objects.create(
        contract=world.estate_b1.contracts.get(),
        estate=world.estate_b1,
        month=date(2026, 2, 1),
        scheme=ScoringScheme.objects.get(is_default=True),
        score=Decimal("69.99"),
        satisfaction=Decimal("80"),
    )
    services.run_balance(period_id=period.pk, today=date(2026, 4, 2))
    assert SubsidyPayment.objects.get(estate=world.estate_b1, tranche="balance").score == Decimal("80.00")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_produce_exactly_one_set(rules, world):
    period = _period(world)
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(services.run_advance(period_id=period.pk, batch=1))
        except Exception as exc:  # reported below; the test fails on any
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 3
    assert SubsidyPayment.objects.filter(period=period).count() == 3


def test_daily_task_pays_every_district_once_into_its_own_period(world):
    first = services.subsidy_due(today=Q1)
    assert first == {"advance": 4, "balance": 0}
    assert services.subsidy_due(today=Q1) == {"advance": 0, "balance": 0}
    other = SubsidyPayment.objects.get(estate=world.estate_other_district)
    assert other.period.district == world.other_district
    assert SubsidyPayment.objects.get(estate=world.estate_a1).period.district == world.district
