"""The measures page reads as a clerk expects (issue 15): 收到投诉 and 其中已受理 are
visibly different things, the average rating always has two places, and the year's
month-by-month trend is drawn with the vendored chart library."""

import json

import pytest
from django.utils import timezone
from lxml import html

from complaints import selectors, services
from complaints.models import Complaint

pytestmark = pytest.mark.django_db


def _page(client, **params):
    response = client.get("/complaints/measures/", params)
    assert response.status_code == 200
    return html.fromstring(response.content)


def test_received_and_accepted_read_as_different_figures(world, file_case, client_for):
    file_case()
    page = _page(client_for(world.official))
    headers = [th.text_content() for th in page.xpath("//table//thead//th")]
    assert "收到投诉（件）" in headers and "其中已受理（件）" in headers and "受理量（件）" not in headers
    assert "含待受理和不予受理" in page.xpath("//p[@id='measures-help']")[0].text_content()


def test_average_satisfaction_always_shows_two_places(world, file_case, client_for):
    for phone, rating in (("13900000001", 4), ("13900000002", 5)):
        case = file_case(phone=phone)
        Complaint.objects.filter(pk=case.pk).update(satisfaction=rating, rated_at=timezone.now())
    services.rebuild_monthly_stats()
    page = _page(client_for(world.official))
    averages = [row.xpath("td")[-1].text_content() for row in page.xpath("//table//tr[td]")]
    assert "4.50" in averages and "4.5" not in averages


def test_the_years_trend_is_drawn_month_by_month(world, file_case, client_for):
    file_case()
    file_case(phone="13900000003")
    page = _page(client_for(world.official))
    trend = json.loads(page.xpath("//script[@id='measures-trend']")[0].text)
    this_month = timezone.localdate().month
    assert trend["categories"] == [f"{m}月" for m in range(1, this_month + 1)]
    assert trend["received"][-1] == 2 and sum(trend["received"]) == 2
    assert trend["resolved_rate"][-1] is None  # nothing accepted yet: no rate, not 0%
    assert trend["labels"]["received"] == "收到投诉"
    assert page.xpath("//div[@id='chart-measures-trend'][@role='img']")
    scripts = [s.get("src") for s in page.xpath("//script[@src]")]
    assert any("vendor/echarts" in src for src in scripts) and any("js/measures." in src for src in scripts)


def test_trend_follows_the_users_scope(world, file_case):
    file_case()  # street A
    file_case(estate=world.estate_b1, phone="13900000004")  # street B
    year = timezone.localdate().year
    assert sum(selectors.measure_trend(user=world.official, year=year)["received"]) == 2
    assert sum(selectors.measure_trend(user=world.staff_a, year=year)["received"]) == 1
    assert selectors.measure_trend(user=world.official, year=year + 1)["categories"] == []
    assert len(selectors.measure_trend(user=world.official, year=year - 1)["categories"]) == 12
