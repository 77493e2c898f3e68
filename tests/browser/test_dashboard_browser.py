"""A district official opens the portal in a real browser: the dashboard draws
its charts from the vendored ECharts, a click on a figure or on a bar opens
the list behind it, and that list shows the same number."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from communities.models import Estate
from tests.browser.test_ledger_browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def managed_ledger(transactional_db, live_server, world):
    Estate.objects.filter(pk=world.estate_a1.pk).update(management_mode="market", floor_area=Decimal("25600"))
    Estate.objects.filter(pk=world.estate_a2.pk).update(management_mode="owners", floor_area=Decimal("18000"))
    Estate.objects.filter(pk=world.estate_b1.pk).update(management_mode="none", floor_area=Decimal("9000"))
    cache.clear()
    return world


def test_official_follows_dashboard_figures_to_their_lists(page: Page, live_server, managed_ledger):
    world = managed_ledger
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server, world.official)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台 · 东城区")
    for chart in ("coverage-pie", "coverage-groups", "stages", "complaints"):
        expect(page.locator(f"#chart-{chart}[data-ready] svg")).to_have_count(1)
    assert errors == []
    expect(page.locator("#figure-old_estates .value")).to_have_text("3")

    # The figure card opens the ledger of old estates, which counts the same.
    page.locator("#figure-old_estates").click()
    expect(page).to_have_url(re.compile(r"/ledger/\?is_old=true$"))
    expect(page.locator("#main")).to_contain_text("共 3 个小区")

    # A bar of the stacked chart opens that street's estates of that mode.
    page.go_back()
    page.locator("#chart-coverage-groups[data-ready]").scroll_into_view_if_needed()
    # The middle of the market-managed part (series 0) of the first street's bar.
    x, y = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.getElementById("chart-coverage-groups"));
            return chart.convertToPixel({seriesIndex: 0}, [0, 1.28]);
        }"""
    )
    box = page.locator("#chart-coverage-groups").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page).to_have_url(re.compile(r"management_mode=market&street=\d+"))
    expect(page.locator("#main")).to_contain_text("和平里七区")
    expect(page.locator("#main")).not_to_contain_text("青年湖西里")
