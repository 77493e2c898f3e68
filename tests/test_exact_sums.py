"""core.db.ExactSum and Quantized: sums of money and areas come back exact to the fen on
PostgreSQL and on SQLite (which sums REAL in floating point). `make test` runs these
on both databases (marker `figures`)."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import F, OuterRef, Q, Subquery, Value

from communities import selectors as ledger_selectors
from communities.models import Estate, IllegalStructure
from core.db import ExactSum, Quantized
from tests.factories import EstateFactory, IllegalStructureFactory

pytestmark = [pytest.mark.figures, pytest.mark.django_db]

# Amounts whose float sum is not the decimal sum: 0.1 + 0.2 + … in binary floating point.
NOISY = [Decimal("0.10"), Decimal("0.20"), Decimal("0.30"), Decimal("1790041.20"), Decimal("1658647.07")] * 7


@pytest.fixture
def structures(world):
    for area in NOISY:
        IllegalStructureFactory(estate=world.estate_a1, area=area)
    IllegalStructureFactory(
        estate=world.estate_a2,
        area=Decimal("0.07"),
        status=IllegalStructure.Status.DEMOLISHED,
        demolished_on=datetime.date(2025, 6, 1),
    )
    return IllegalStructure.objects.all()


def exact_total(values):
    return sum(values, Decimal(0))


def test_a_sum_is_exact_to_the_fen(structures):
    total = structures.aggregate(total=ExactSum("area"))["total"]
    assert total == exact_total(NOISY) + Decimal("0.07")
    assert str(total) == str(exact_total(NOISY) + Decimal("0.07"))  # 2 places, not 8 or 15 digits
    assert total.as_tuple().exponent == -2


def test_a_filtered_and_grouped_sum_is_exact(structures, world):
    pending = Q(status=IllegalStructure.Status.PENDING)
    rows = dict(
        structures.order_by()
        .values("estate_id")
        .annotate(a=ExactSum("area", filter=pending))
        .values_list("estate_id", "a")
    )
    assert rows[world.estate_a1.pk] == exact_total(NOISY)
    assert rows[world.estate_a2.pk] is None


def test_default_fills_an_empty_sum_and_an_empty_queryset(structures):
    assert structures.filter(area__lt=0).aggregate(t=ExactSum("area", default=0))["t"] == Decimal("0.00")
    assert structures.none().aggregate(t=ExactSum("area", default=0))["t"] == Decimal("0.00")
    assert structures.filter(area__lt=0).aggregate(t=ExactSum("area"))["t"] is None


def test_a_product_sums_to_the_places_of_its_factors(structures):
    """area (0.01) × a rate (0.01) has four places: sum it to four, round for display later."""
    rate = Decimal("1.25")
    total = structures.aggregate(t=ExactSum(F("area") * Value(rate), places=4))["t"]
    assert total == sum((area * rate for area in [*NOISY, Decimal("0.07")]), Decimal(0))
    assert total.as_tuple().exponent == -4


def test_quantized_subquery_per_row(structures, world):
    per_estate = (
        IllegalStructure.objects.filter(estate=OuterRef("pk"), status=IllegalStructure.Status.PENDING)
        .order_by()
        .values("estate")
        .annotate(t=ExactSum("area"))
        .values("t")
    )
    rows = dict(
        Estate.objects.filter(pk__in=[world.estate_a1.pk, world.estate_a2.pk])
        .annotate(pending=Quantized(Subquery(per_estate), default=0))
        .values_list("pk", "pending")
    )
    assert rows == {world.estate_a1.pk: exact_total(NOISY), world.estate_a2.pk: Decimal("0.00")}


def test_ledger_figures_are_exact(world):
    for area in NOISY:
        EstateFactory(community=world.community_a1, floor_area=area, year_built=1990)
    queryset = Estate.objects.filter(community=world.community_a1, floor_area__in=NOISY)
    totals = ledger_selectors.ledger_totals(queryset)
    assert totals["floor_area"] == exact_total(NOISY)
    assert isinstance(totals["households"], int)
    _groups, total = ledger_selectors.ledger_breakdown(queryset, by="community")
    assert total.floor_area == exact_total(NOISY)
    assert total.old_floor_area == exact_total(NOISY)
    assert str(total.floor_area) == str(exact_total(NOISY))


def test_ledger_row_figures_are_exact(structures, world):
    rows = ledger_selectors.with_row_figures(Estate.objects.filter(pk=world.estate_a1.pk))
    assert str(rows.get().illegal_area_pending) == str(exact_total(NOISY))
    figures = ledger_selectors.illegal_structure_figures(estate_id=world.estate_a1.pk)
    assert str(figures["pending_area"]) == str(exact_total(NOISY))


def test_project_totals_are_exact(world):
    """The 合计 of renovation reports: planned funding per source, actual cost and the
    estates' area over the projects, to the fen on both databases."""
    from renovation.models import CatalogueItem
    from renovation.selectors import project_totals
    from tests.renovation.conftest import (
        AnnualPlanFactory,
        FiveYearPlanFactory,
        FundingLineFactory,
        ProjectFactory,
        WorkItemFactory,
    )

    year = AnnualPlanFactory(plan=FiveYearPlanFactory(district=world.district), year=2024)
    projects = [
        ProjectFactory(annual_plan=year, estate=estate, created_by=world.staff_a)
        for estate in (world.estate_a1, world.estate_a2, world.estate_b1)
    ]
    items = list(CatalogueItem.objects.order_by("pk")[: len(NOISY)])
    assert len(items) == len(NOISY)
    for project in projects:
        for item, amount in zip(items, NOISY, strict=True):
            FundingLineFactory(project=project, source="city_county", planned=amount)
            WorkItemFactory(project=project, item=item, budget=amount, actual_cost=amount)
        FundingLineFactory(project=project, source="residents", planned=Decimal("0.07"))
    totals = project_totals([p.pk for p in projects])
    assert totals.count == 3
    assert totals.by_source["city_county"] == 3 * exact_total(NOISY)
    assert totals.by_source["central"] == Decimal("0.00")
    assert totals.by_source["residents"] == Decimal("0.21")
    assert totals.planned == 3 * exact_total(NOISY) + Decimal("0.21")
    assert str(totals.actual) == str(3 * exact_total(NOISY))
    estates = (world.estate_a1, world.estate_a2, world.estate_b1)
    assert totals.floor_area == sum((e.floor_area for e in estates), Decimal(0))
    assert totals.households == sum(e.households for e in estates)
