"""Rectification before exit (限期整改): an order out on the satisfaction ground needs a
failed or overdue rectification order first, the safety ground stays immediate; the
streets' opinions on companies; the overdue reminder; pages and API in scope."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse

from propertymgmt import selectors, services
from propertymgmt.models import (
    CompanyOpinion,
    CompanyStatus,
    Contract,
    ExitOrder,
    Notice,
    RectificationOrder,
)
from propertymgmt.services import assessments
from tests.conftest import counted
from tests.propertymgmt.conftest import CompanyFactory, ContractFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def no_upheld(monkeypatch):
    monkeypatch.setattr(assessments, "_upheld_counts", lambda *, start, end: {})


@pytest.fixture
def serving(world, company):
    """The company manages estate A1 (street A) under an active contract."""
    return ContractFactory(estate=world.estate_a1, company=company)


def _assess(world, contract, month=date(2026, 6, 1), *, incidents=0, satisfaction="60"):
    return services.record_assessment(
        user=world.official,
        contract_id=contract.pk,
        month=month,
        item_scores={"fee": 30, "inspection": 35, "safety": 18},
        satisfaction=Decimal(satisfaction),
        security_incidents=incidents,
    )


def _issue(world, company, *, user=None, street=None, issued=date(2026, 5, 1), deadline=date(2026, 5, 31), **extra):
    return services.issue_rectification(
        user=user or world.staff_a,
        company_id=company.pk,
        street_id=(street or world.street_a).pk,
        problems="楼道堆物未清理；监控损坏未修复",
        deadline=deadline,
        checker=extra.pop("checker", "街道城管科"),
        today=issued,
        **extra,
    )


def _order_out(world, company, user=None):
    return services.order_out(
        user=user or world.staff_a, company_id=company.pk, street_id=world.street_a.pk, reason="整改不到位", today=TODAY
    )


# --- ordering out --------------------------------------------------------------------------------


def test_exit_on_satisfaction_is_refused_without_a_rectification_order(world, company, serving):
    _assess(world, serving, satisfaction="60")
    with pytest.raises(ValidationError, match="限期整改通知"):
        _order_out(world, company)
    assert not ExitOrder.objects.exists()
    assert Contract.objects.get(pk=serving.pk).ended_on is None


def test_exit_is_refused_while_the_order_runs_or_after_it_passed(world, company, serving):
    _assess(world, serving, satisfaction="60")
    order = _issue(world, company, issued=date(2026, 6, 1), deadline=date(2026, 6, 30))
    with pytest.raises(ValidationError, match="限期整改通知"):
        _order_out(world, company)  # 整改中
    services.check_rectification(user=world.staff_a, order_id=order.pk, result="passed", checked_on=TODAY, today=TODAY)
    with pytest.raises(ValidationError, match="限期整改通知"):
        _order_out(world, company)  # 整改合格
    assert not ExitOrder.objects.exists()


def test_exit_is_allowed_after_a_failed_check_and_records_the_order_and_the_opinion(world, company, serving):
    _assess(world, serving, satisfaction="60")
    order = _issue(world, company)
    services.check_rectification(
        user=world.staff_a, order_id=order.pk, result="failed", checked_on=date(2026, 6, 1), remarks="监控仍未修复"
    )
    exit_order = _order_out(world, company)
    assert exit_order.evidence["ground"] == "rectification"
    assert exit_order.evidence["rectification"] == {"id": order.pk, "deadline": "2026-05-31", "result": "failed"}
    assert Contract.objects.get(pk=serving.pk).ended_on == TODAY
    company.refresh_from_db()
    assert company.status == CompanyStatus.ORDERED_OUT
    opinion = CompanyOpinion.objects.get()
    assert (opinion.kind, opinion.text, opinion.street_id, opinion.exit_order_id) == (
        "exit",
        "整改不到位",
        world.street_a.pk,
        exit_order.pk,
    )


def test_exit_is_allowed_after_an_overdue_unchecked_order(world, company, serving):
    _assess(world, serving, satisfaction="60")
    order = _issue(world, company, deadline=date(2026, 6, 14))
    exit_order = _order_out(world, company)
    assert exit_order.evidence["rectification"] == {"id": order.pk, "deadline": "2026-06-14", "result": "overdue"}


def test_an_order_older_than_a_year_does_not_count(world, company, serving):
    _assess(world, serving, satisfaction="60")
    order = _issue(world, company, issued=date(2025, 6, 1), deadline=date(2025, 6, 30))
    services.check_rectification(
        user=world.staff_a, order_id=order.pk, result="failed", checked_on=date(2025, 7, 1), remarks="未整改"
    )
    with pytest.raises(ValidationError, match="限期整改通知"):
        _order_out(world, company)


def test_an_order_of_another_street_does_not_count(world, company, serving):
    ContractFactory(estate=world.estate_b1, company=company)
    _assess(world, serving, satisfaction="60")
    _issue(world, company, user=world.staff_b, street=world.street_b, deadline=date(2026, 5, 2))  # overdue in B
    with pytest.raises(ValidationError, match="限期整改通知"):
        _order_out(world, company)


def test_exit_on_the_safety_ground_stays_immediate(world, company, serving):
    _assess(world, serving, incidents=5, satisfaction="95")
    exit_order = _order_out(world, company)
    assert exit_order.evidence["ground"] == "safety"
    assert exit_order.evidence["incidents"] == 5
    assert not RectificationOrder.objects.exists()


def test_community_worker_cannot_order_out_even_with_a_failed_order(world, company, serving):
    _assess(world, serving, satisfaction="60")
    _issue(world, company, deadline=date(2026, 6, 1))
    with pytest.raises(ValidationError, match="街道办事处"):
        _order_out(world, company, user=world.worker_a1)
    assert not ExitOrder.objects.exists()


# --- issuing and checking ------------------------------------------------------------------------


def test_staff_issue_to_a_company_not_on_the_exit_list(world, company, serving):
    order = _issue(world, company, estate_ids=[world.estate_a1.pk])
    assert order.status_on(date(2026, 5, 10)) == "open"
    assert order.status_on(date(2026, 6, 1)) == "overdue"
    assert list(order.estates.values_list("pk", flat=True)) == [world.estate_a1.pk]
    assert order.history.count() == 1


def test_another_streets_staff_cannot_issue_for_this_street(world, company, serving):
    with pytest.raises(Http404):
        _issue(world, company, user=world.staff_b)
    assert not RectificationOrder.objects.exists()


def test_community_worker_and_auditor_cannot_issue(world, company, serving):
    for user in (world.worker_a1, world.auditor):
        with pytest.raises(ValidationError, match="街道办事处"):
            _issue(world, company, user=user)
    assert not RectificationOrder.objects.exists()


def test_district_official_issues_for_any_street_of_the_district(world, company, serving):
    assert _issue(world, company, user=world.official).street == world.street_a


def test_issue_refused_for_a_company_not_serving_the_street(world, company, serving):
    with pytest.raises(ValidationError) as refused:
        _issue(world, CompanyFactory(district=world.district))
    assert "company" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _issue(world, company, estate_ids=[world.estate_a2.pk])  # A2 is not its estate
    assert "estates" in refused.value.message_dict


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"deadline": date(2026, 4, 30)}, "deadline"),
        ({"checker": ""}, "checker"),
    ],
)
def test_bad_orders_are_refused_naming_the_field(world, company, serving, changes, field):
    with pytest.raises(ValidationError) as refused:
        _issue(world, company, **changes)
    assert field in refused.value.message_dict


def test_one_open_order_per_company_and_street(world, company, serving):
    first = _issue(world, company)
    with pytest.raises(ValidationError, match="尚未验收"):
        _issue(world, company, issued=date(2026, 5, 2))
    with pytest.raises(IntegrityError), transaction.atomic():  # the database backs the rule
        RectificationOrder.objects.create(
            company=company,
            street=world.street_a,
            problems="x",
            deadline=date(2026, 7, 1),
            issued_on=date(2026, 6, 1),
            issued_by=world.staff_a,
        )
    services.check_rectification(
        user=world.staff_a, order_id=first.pk, result="passed", checked_on=date(2026, 5, 20), today=TODAY
    )
    assert _issue(world, company, issued=date(2026, 6, 1), deadline=date(2026, 6, 30)).pk != first.pk


def test_a_result_needs_a_check_date_in_the_database(world, company, serving):
    order = _issue(world, company)
    with pytest.raises(IntegrityError), transaction.atomic():
        RectificationOrder.objects.filter(pk=order.pk).update(result="passed")


def test_check_is_recorded_once_and_refused_outside_scope(world, company, serving):
    order = _issue(world, company)
    with pytest.raises(Http404):
        services.check_rectification(user=world.staff_b, order_id=order.pk, result="passed", checked_on=TODAY)
    with pytest.raises(PermissionDenied):
        services.check_rectification(user=world.worker_a1, order_id=order.pk, result="passed", checked_on=TODAY)
    with pytest.raises(ValidationError) as refused:
        services.check_rectification(user=world.staff_a, order_id=order.pk, result="failed", checked_on=TODAY)
    assert "remarks" in refused.value.message_dict
    services.check_rectification(user=world.staff_a, order_id=order.pk, result="passed", checked_on=TODAY)
    with pytest.raises(ValidationError, match="已验收"):
        services.check_rectification(user=world.staff_a, order_id=order.pk, result="failed", checked_on=TODAY)
    order.refresh_from_db()
    assert (order.result, order.checked_by) == ("passed", world.staff_a)


# --- opinions ------------------------------------------------------------------------------------


def test_staff_record_their_own_streets_opinion_and_the_district_sees_it(world, company):
    opinion = services.record_opinion(
        user=world.staff_a,
        company_id=company.pk,
        street_id=world.street_a.pk,
        kind="rating",
        grade="qualified",
        text="服务基本到位",
    )
    assert opinion.get_grade_display() == "合格"
    with pytest.raises(Http404):
        services.record_opinion(
            user=world.staff_b, company_id=company.pk, street_id=world.street_a.pk, kind="entry", text="同意进驻"
        )
    with pytest.raises(ValidationError, match="街道办事处"):
        services.record_opinion(
            user=world.worker_a1, company_id=company.pk, street_id=world.street_a.pk, kind="entry", text="同意进驻"
        )
    with pytest.raises(ValidationError) as refused:
        services.record_opinion(
            user=world.staff_a, company_id=company.pk, street_id=world.street_a.pk, kind="rating", text="好"
        )
    assert "grade" in refused.value.message_dict
    # Whoever sees the company sees the opinions: street B's staff and A1's worker too.
    for user in (world.staff_b, world.worker_a1, world.official, world.auditor):
        assert list(selectors.opinions_of(user=user, company=company)) == [opinion]


# --- the reminder --------------------------------------------------------------------------------


def test_the_street_is_reminded_once_when_the_deadline_passes_unchecked(world, company, serving):
    order = _issue(world, company, deadline=date(2026, 5, 31))
    assert services.send_rectification_reminders(today=date(2026, 5, 31)) == 0
    assert services.send_reminders(today=date(2026, 6, 1)) == 1
    assert services.send_reminders(today=date(2026, 6, 2)) == 0
    notice = Notice.objects.get(key=f"rectification-overdue:{order.pk}")
    assert notice.street == world.street_a and "整改逾期" in notice.text and company.name in notice.text
    other = ContractFactory(estate=world.estate_a2, company=CompanyFactory(district=world.district)).company
    checked = _issue(world, other, deadline=date(2026, 5, 2))
    checked.result, checked.checked_on = "passed", date(2026, 5, 2)
    checked.save()
    assert services.send_rectification_reminders(today=date(2026, 6, 3)) == 0  # checked in time: no reminder


# --- pages and API -------------------------------------------------------------------------------


def test_exit_list_row_offers_rectification_then_order_out(world, company, serving, client_for):
    today = date.today()
    _assess(world, serving, month=today.replace(day=1), satisfaction="60")
    client = client_for(world.staff_a)
    page = client.get(reverse("propertymgmt:home")).content.decode()
    assert "下达整改通知" in page and 'name="reason"' not in page
    _issue(world, company, issued=today - timedelta(days=10), deadline=today - timedelta(days=1))
    page = client.get(reverse("propertymgmt:home")).content.decode()
    assert "已逾期" in page and "下达整改通知" not in page and 'name="reason"' in page
    response = client.post(
        reverse("propertymgmt:order_out"),
        {"company": company.pk, "street": world.street_a.pk, "reason": "逾期未整改"},
    )
    assert response.status_code == 302
    assert ExitOrder.objects.get().evidence["ground"] == "rectification"


def test_issue_and_check_through_the_pages(world, company, serving, client_for):
    client = client_for(world.staff_a)
    today = date.today()
    response = client.post(
        reverse("propertymgmt:rectification_create"),
        {
            "company": company.pk,
            "street": world.street_a.pk,
            "problems": "楼道堆物",
            "deadline": (today + timedelta(days=30)).isoformat(),
            "checker": "街道城管科",
            "estates": [world.estate_a1.pk],
        },
    )
    order = RectificationOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "propertymgmt:rectification_detail", args=[order.pk]
    )
    again = client.post(
        reverse("propertymgmt:rectification_create"),
        {"company": company.pk, "street": world.street_a.pk, "problems": "x", "deadline": "2020-01-01", "checker": "x"},
    )
    assert again.status_code == 200 and "整改期限不能早于今天" in again.content.decode()
    response = client.post(
        reverse("propertymgmt:rectification_check", args=[order.pk]),
        {"result": "failed", "checked_on": today.isoformat(), "remarks": ""},
    )
    assert response.status_code == 200 and "请写明未整改到位的问题" in response.content.decode()
    client.post(
        reverse("propertymgmt:rectification_check", args=[order.pk]),
        {"result": "failed", "checked_on": today.isoformat(), "remarks": "仍有堆物"},
    )
    order.refresh_from_db()
    assert order.result == "failed"
    detail = client.get(reverse("propertymgmt:rectification_detail", args=[order.pk])).content.decode()
    assert "整改不合格" in detail and "仍有堆物" in detail


@pytest.mark.parametrize(("user", "status"), [("staff_a", 200), ("worker_a1", 200), ("staff_b", 404)])
def test_order_page_is_scoped(world, company, serving, client_for, user, status):
    order = _issue(world, company)
    assert (
        client_for(getattr(world, user)).get(reverse("propertymgmt:rectification_detail", args=[order.pk])).status_code
        == status
    )


def test_worker_cannot_check_an_order(world, company, serving, client_for):
    order = _issue(world, company)
    response = client_for(world.worker_a1).post(
        reverse("propertymgmt:rectification_check", args=[order.pk]),
        {"result": "passed", "checked_on": date.today().isoformat()},
    )
    assert response.status_code == 403
    assert RectificationOrder.objects.get().result == ""


def test_list_is_scoped_and_filtered_by_status(world, company, serving, client_for):
    other = CompanyFactory(district=world.district)
    ContractFactory(estate=world.estate_b1, company=other)
    today = date.today()
    _issue(world, company, issued=today - timedelta(days=20), deadline=today - timedelta(days=1))
    _issue(world, other, user=world.staff_b, street=world.street_b, issued=today, deadline=today + timedelta(days=5))
    url = reverse("propertymgmt:rectification_list")
    page = client_for(world.staff_a).get(url).content.decode()
    assert company.name in page and other.name not in page
    official = client_for(world.official)
    assert other.name in official.get(url).content.decode()
    overdue = official.get(url, {"status": "overdue"}).content.decode()
    assert company.name in overdue and other.name not in overdue
    assert other.name in official.get(url, {"status": "open"}).content.decode()


def test_list_queries_do_not_grow_with_rows(world, client_for):
    today = date.today()

    def orders(count):
        RectificationOrder.objects.bulk_create(
            RectificationOrder(
                company=CompanyFactory(district=world.district),
                street=world.street_a,
                problems="楼道堆物",
                deadline=today,
                issued_on=today,
                issued_by=world.staff_a,
            )
            for _i in range(count)
        )

    client = client_for(world.official)
    url = reverse("propertymgmt:rectification_list")
    orders(1)
    client.get(url)
    one = counted(lambda: client.get(url)).count
    orders(6)
    assert counted(lambda: client.get(url)).count == one


def test_company_page_shows_orders_and_opinions_and_takes_an_opinion(world, company, serving, client_for):
    order = _issue(world, company)
    url = reverse("propertymgmt:company_detail", args=[company.pk])
    client = client_for(world.staff_a)
    add = reverse("propertymgmt:company_opinion_add", args=[company.pk])
    response = client.post(
        add,
        {
            "street": world.street_a.pk,
            "kind": "entry",
            "grade": "",
            "text": "同意进驻",
            "given_on": date.today().isoformat(),
        },
    )
    assert response.status_code == 302
    for user in (world.staff_b, world.worker_a1):
        page = client_for(user).get(url).content.decode()
        assert "同意进驻" in page
    assert reverse("propertymgmt:rectification_detail", args=[order.pk]) in client.get(url).content.decode()
    # Street B's staff see the company but not street A's orders, and may record only their own street's opinion.
    page_b = client_for(world.staff_b).get(url).content.decode()
    assert reverse("propertymgmt:rectification_detail", args=[order.pk]) not in page_b
    client_for(world.staff_b).post(
        add, {"street": world.street_a.pk, "kind": "entry", "text": "冒名", "given_on": date.today().isoformat()}
    )
    assert not CompanyOpinion.objects.filter(text="冒名").exists()


def test_api_lists_only_orders_in_scope(world, company, serving, client_for):
    other = CompanyFactory(district=world.district)
    ContractFactory(estate=world.estate_b1, company=other)
    mine = _issue(world, company)
    theirs = _issue(world, other, user=world.staff_b, street=world.street_b)
    url = "/api/v1/rectification-orders/"
    ids = {row["id"] for row in client_for(world.staff_a).get(url).json()["results"]}
    assert ids == {mine.pk}
    assert {row["id"] for row in client_for(world.official).get(url).json()["results"]} == {mine.pk, theirs.pk}
    assert client_for(world.staff_a).get(f"{url}{theirs.pk}/").status_code == 404
    row = client_for(world.worker_a1).get(f"{url}{mine.pk}/").json()
    assert row["status"] == "overdue" and row["company_name"] == company.name
    assert client_for(world.staff_a).post(url, {}).status_code == 405
