"""Fixtures of the renovation tests: a five-year plan with two annual plans
in the `world` district, and factories for projects and their parts."""

from datetime import date
from decimal import Decimal

import factory
import pytest

from renovation.models import (
    AnnualPlan,
    CatalogueItem,
    FiveYearPlan,
    FundingLine,
    Project,
    StreetConsent,
    WorkItem,
)


class FiveYearPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FiveYearPlan

    name = "“十四五”老旧小区改造规划"
    start_year = 2021
    end_year = 2025


class AnnualPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualPlan

    plan = factory.SubFactory(FiveYearPlanFactory)
    year = 2024


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"改造项目{n}")
    year = factory.LazyAttribute(lambda o: o.annual_plan.year)
    street = factory.LazyAttribute(lambda o: o.estate.community.street)


class WorkItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkItem

    item = factory.LazyFunction(lambda: CatalogueItem.objects.get(name="加装电梯"))
    quantity = Decimal("2")
    budget = Decimal("1200000.00")


class FundingLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingLine

    source = "city_county"
    planned = Decimal("500000.00")


@pytest.fixture(autouse=True)
def empty_cache():
    """Reports are cached per data generation (history ids); a new test
    database starts its sequences again, so start every test from an empty cache."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def plans(world):
    plan = FiveYearPlanFactory(district=world.district)
    return {
        2023: AnnualPlanFactory(plan=plan, year=2023),
        2024: AnnualPlanFactory(plan=plan, year=2024),
    }


@pytest.fixture
def project(world, plans):
    """A project of estate A1 (street A) in 2024, in the tender stage."""
    return ProjectFactory(
        annual_plan=plans[2024], estate=world.estate_a1, stage="tender", created_by=world.staff_a, name="和平里七区改造"
    )


@pytest.fixture
def ready_project(world, project):
    """`project` with every ledger- and app-based gate closed (fund collected,
    street consent, consent share above the line, the contractor and the permit
    recorded)."""
    from datetime import date

    from renovation.models import Approval, TenderAward
    from tests.factories import valid_credit_code

    estate = world.estate_a1
    estate.fund_status = "collected"
    estate.fund_holder = "centre"
    estate.save()
    StreetConsent.objects.create(
        project=project, consented_by="李主任", consented_on=date(2024, 3, 1), recorded_by=world.staff_a
    )
    project.consent_share = Decimal("80")
    project.save()
    TenderAward.objects.create(
        project=project,
        role="contractor",
        company_name="北京城建修缮工程有限公司",
        credit_code=valid_credit_code(4242),
        price=Decimal("3850000.00"),
        contract_date=date(2024, 4, 10),
        recorded_by=world.staff_a,
    )
    Approval.objects.create(
        project=project,
        kind="permit",
        number="110101202404150101",
        decided_on=date(2024, 4, 15),
        recorded_by=world.staff_a,
    )
    return project


@pytest.fixture
def property_module(world):
    """Long-term management arranged the real way: an active contract for estate_a1."""
    from tests.propertymgmt.conftest import ContractFactory

    return ContractFactory(estate=world.estate_a1, starts_on=date(2024, 1, 1))
