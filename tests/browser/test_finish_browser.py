"""The finish a user sees (issue 15), in real chromium: the consent box sits beside
the first line of its label on a phone, and the measures page draws its
month-by-month trend without a script error or a refused inline style."""

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from complaints.models import Category
from tests.browser.test_ledger_browser import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 780}


@pytest.fixture
def ready_world(transactional_db, live_server, world):
    cache.clear()
    Category.objects.get_or_create(
        code="common_area", defaults={"name": "占用公共部位", "accept_days": 1, "resolve_days": 13}
    )
    return world


def test_consent_box_is_beside_the_first_line_of_its_label_on_a_phone(page: Page, live_server, ready_world):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/complaints/file/")
    box = page.locator("#id_consent").bounding_box()
    label = page.locator("label[for='id_consent']").bounding_box()
    line = page.locator("label[for='id_consent']").evaluate("el => parseFloat(getComputedStyle(el).lineHeight)")
    assert box["x"] + box["width"] <= label["x"]  # beside, not over, the text
    middle = box["y"] + box["height"] / 2
    assert label["y"] <= middle <= label["y"] + line  # centred on the label's first line
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_measures_page_draws_the_monthly_trend(page: Page, live_server, ready_world):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_server, ready_world.official)
    page.goto(f"{live_server.url}/complaints/measures/")
    expect(page.locator("#chart-measures-trend[data-ready] svg")).to_have_count(1)
    expect(page.locator("#trend-title")).to_contain_text("逐月趋势")
    assert errors == []
