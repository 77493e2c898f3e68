"""Fixtures and factories of the property app's tests."""

from datetime import date
from decimal import Decimal

import factory
import pytest

from communities.models import Household
from propertymgmt.models import Contract, ManagingBody, PropertyCompany
from tests.factories import BuildingFactory, valid_credit_code


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PropertyCompany

    name = factory.Sequence(lambda n: f"安居物业服务有限公司{n}")
    credit_code = factory.Sequence(lambda n: valid_credit_code(500 + n))
    contact_person = "王经理"
    contact_phone = "13812345678"


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    body = ManagingBody.COMPANY
    company = factory.SubFactory(CompanyFactory, district=factory.SelfAttribute("..estate.community.street.district"))
    starts_on = date(2026, 1, 1)
    fee_standard = Decimal("0.25")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.SubFactory(BuildingFactory)
    estate = factory.SelfAttribute("building.estate")
    unit = "1单元"
    room = factory.Sequence(lambda n: f"{100 + n}")
    exclusive_area = Decimal("60.00")
    owner_name = factory.Sequence(lambda n: f"业主{n}")
    owner_phone = factory.Sequence(lambda n: f"139{n:08d}")


@pytest.fixture
def company(world):
    return CompanyFactory(district=world.district)


@pytest.fixture
def rules(transactional_db):
    """A transactional test with the rules kept as data (vote thresholds, scoring
    scheme, rates): tests/conftest.py's reference_data seeds them again after a flush."""


@pytest.fixture(autouse=True)
def fresh_cast_throttle(monkeypatch):
    """The ballot page's counters live in the (shared, persistent) cache: each test counts afresh."""
    import uuid

    from propertymgmt import throttle

    monkeypatch.setattr(throttle, "NAMESPACE", f"test:{uuid.uuid4().hex}:propertymgmt:cast")
