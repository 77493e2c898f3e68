"""A street clerk keeps the maintenance-fund ledger in a real browser: opens the
estate's account, records the initial deposit and interest, sees the running balance,
and is refused a posting that would be wrong (a zero amount) on the field."""

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from tests.browser.test_ledger_browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def fund_world(transactional_db, live_server, world):
    cache.clear()
    return world


def test_staff_open_an_account_post_to_it_and_see_the_running_balance(page: Page, live_server, fund_world):
    world = fund_world
    log_in(page, live_server, world.staff_a)
    page.goto(f"{live_server.url}/property/estates/{world.estate_a1.pk}/")
    page.get_by_role("link", name="维修资金建账").click()
    page.get_by_label("资金持有方").select_option(label="银行专户")
    page.get_by_label("开户银行").fill("中国建设银行")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#main .alert-success")).to_contain_text("已建立维修资金账户")

    page.get_by_role("button", name="交存、续筹、利息、期初结转").click()
    page.get_by_label("类型").select_option(label="首期交存")
    page.get_by_label("金额（元）").fill("10000")
    page.locator("#form-record").get_by_role("button", name="保存").click()
    expect(page.locator("#balance")).to_have_text("10,000.00")

    page.get_by_role("button", name="交存、续筹、利息、期初结转").click()
    page.get_by_label("类型").select_option(label="利息")
    page.get_by_label("金额（元）").fill("0")
    page.locator("#form-record").get_by_role("button", name="保存").click()
    expect(page.locator("#form-record .invalid-feedback")).to_be_visible()
    page.get_by_label("金额（元）").fill("150.25")
    page.locator("#form-record").get_by_role("button", name="保存").click()
    expect(page.locator("#transactions tbody tr").last).to_contain_text("10,150.25")

    page.goto(f"{live_server.url}/property/fund/")
    expect(page.locator("#fund-accounts")).to_contain_text("和平里七区")
    expect(page.locator("#fund-accounts")).to_contain_text("10,150.25")
