"""One estate's property page: everything recorded through services, scoped per role."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from propertymgmt.models import Assessment, BuildingHead, Committee, FeeCollection
from tests.propertymgmt.conftest import ContractFactory

pytestmark = pytest.mark.django_db


def _url(estate):
    return reverse("propertymgmt:estate_property", args=[estate.pk])


@pytest.mark.parametrize(
    ("user", "status"), [("official", 200), ("staff_a", 200), ("worker_a1", 200), ("auditor", 200), ("staff_b", 404)]
)
def test_estate_page_scoping(world, client_for, user, status):
    assert client_for(getattr(world, user)).get(_url(world.estate_a1)).status_code == status


@pytest.mark.parametrize(("user", "status"), [("auditor", 403), ("staff_b", 404)])
def test_estate_page_refuses_writes_without_the_right(world, client_for, user, status):
    response = client_for(getattr(world, user)).post(
        _url(world.estate_a1),
        {
            "form": "fee",
            "fee-period_start": "2026-01-01",
            "fee-period_end": "2026-03-31",
            "fee-billed": "100",
            "fee-collected": "90",
        },
    )
    assert response.status_code == status
    assert not FeeCollection.objects.exists()


def test_staff_records_fee_collection_and_sees_the_break_even_line(world, client_for):
    client = client_for(world.staff_a)
    client.post(
        _url(world.estate_a1),
        {
            "form": "fee",
            "fee-period_start": "2026-01-01",
            "fee-period_end": "2026-03-31",
            "fee-billed": "10000",
            "fee-collected": "6000",
        },
    )
    assert FeeCollection.objects.get().collected == Decimal("6000.00")
    page = client.get(_url(world.estate_a1)).content.decode()
    assert "60.0%" in page and "低于保本线" in page  # rates to 0.1% (docs/figures.md)


def test_staff_records_an_assessment_and_a_committee_and_a_building_head(world, client_for, company, monkeypatch):
    from propertymgmt.services import assessments

    monkeypatch.setattr(assessments, "_upheld_counts", lambda *, start, end: {})
    ContractFactory(estate=world.estate_a1, company=company)
    client = client_for(world.staff_a)
    client.post(
        _url(world.estate_a1),
        {
            "form": "assessment",
            "assessment-month": "2026-05-01",
            "assessment-fee": "35",
            "assessment-inspection": "30",
            "assessment-safety": "18",
            "assessment-satisfaction": "88.5",
            "assessment-security_incidents": "0",
        },
    )
    assert Assessment.objects.get().score == Decimal("83.00")
    client.post(
        _url(world.estate_a1),
        {
            "form": "committee",
            "committee-kind": "mgmt_committee",
            "committee-term_starts_on": "2022-01-01",
            "committee-term_ends_on": "2027-01-01",
        },
    )
    committee = Committee.objects.get()
    assert committee.stage == "in_term"
    assert committee.steps.count() == 2
    building = world.estate_a1.buildings.first()
    client.post(_url(world.estate_a1), {"form": "head", "head-building": building.pk, "head-name": "王楼长"})
    assert BuildingHead.objects.get().name == "王楼长"
    step = committee.steps.order_by("due_on").first()
    response = client.post(_url(world.estate_a1), {"step": step.pk}, follow=True)
    assert "不能直接标记完成" in response.content.decode()
    step.refresh_from_db()
    assert step.done_on is None  # steps are done by the lifecycle move they wait for


def test_assessment_item_over_its_points_is_shown_on_the_form(world, client_for, company, monkeypatch):
    from propertymgmt.services import assessments

    monkeypatch.setattr(assessments, "_upheld_counts", lambda *, start, end: {})
    ContractFactory(estate=world.estate_a1, company=company)
    response = client_for(world.staff_a).post(
        _url(world.estate_a1),
        {
            "form": "assessment",
            "assessment-month": date(2026, 5, 1).isoformat(),
            "assessment-fee": "45",
            "assessment-inspection": "30",
            "assessment-safety": "18",
            "assessment-satisfaction": "88.5",
            "assessment-security_incidents": "0",
        },
    )
    assert response.status_code == 200 and "物业费收缴" in response.content.decode()
    assert not Assessment.objects.exists()
