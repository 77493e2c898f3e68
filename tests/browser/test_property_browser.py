"""Street staff put a matter to an estate's owners in a real browser: open the
vote, key in the paper ballots, close it, and read the result against the
quorum and the threshold of Civil Code art. 278."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Page, expect

from propertymgmt.models import OwnersVote, VoteStatus
from tests.browser.test_ledger_browser import log_in
from tests.propertymgmt.conftest import HouseholdFactory, rules  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

# Room, owner, exclusive area: 400 ㎡ and five owners in all.
HOMES = [
    ("101", "张建国", "120.00"),
    ("102", "李秀英", "100.00"),
    ("201", "王淑兰", "80.00"),
    ("202", "赵德明", "60.00"),
    ("301", "刘桂芳", "40.00"),
]


@pytest.fixture
def register(transactional_db, live_server, world, rules):  # noqa: F811
    """The household register of 和平里七区, committed for the live server."""
    cache.clear()
    building = world.estate_a1.buildings.get()
    for room, owner, area in HOMES:
        HouseholdFactory(building=building, unit="1单元", room=room, owner_name=owner, exclusive_area=Decimal(area))
    return world


def result_row(page: Page, heading: str):
    return page.locator("#vote-result tbody tr").filter(has=page.locator("th", has_text=re.compile(f"^{heading}$")))


def key_in(page: Page, home: str, choice: str) -> None:
    page.get_by_label("户", exact=True).select_option(label=home)
    page.get_by_label("意见", exact=True).select_option(label=choice)
    page.get_by_role("button", name="录入", exact=True).click()
    expect(page.locator("#main .alert-success")).to_contain_text("已录入纸质表决票。")
    # The home that has voted is no longer offered.
    expect(page.get_by_label("户", exact=True).locator("option", has_text=home)).to_have_count(0)


def test_street_staff_key_in_paper_ballots_close_the_vote_and_see_it_passed(page: Page, live_server, register):
    log_in(page, live_server, register.staff_a)
    page.goto(f"{live_server.url}/property/votes/")
    page.get_by_role("link", name="发起表决").click()
    expect(page.get_by_role("heading", name="发起表决", level=1)).to_be_visible()

    today = timezone.localdate()
    page.get_by_label("小区", exact=True).select_option(label="和平里七区")
    page.get_by_label("表决事项类型").select_option(label="改建、重建建筑物及其附属设施")
    page.get_by_label("表决事项", exact=True).fill("3号楼外墙保温及屋面防水改造")
    page.get_by_label("开始日期").fill(today.isoformat())
    page.get_by_label("截止日期").fill((today + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", name=re.compile("3号楼外墙保温及屋面防水改造"), level=1)).to_contain_text(
        "表决中"
    )
    # A building-works vote: two thirds take part, three quarters of them agree (inclusive).
    expect(page.locator("#main")).to_contain_text("参与比例 2/3 · 同意比例 3/4以上（含）")
    expect(result_row(page, "全体业主")).to_contain_text("400.00")
    expect(result_row(page, "全体业主")).to_contain_text("5")
    homes = page.get_by_label("户", exact=True).locator("option")
    expect(homes).to_have_count(5)
    expect(homes.first).to_have_text("1号楼1单元101 张建国")
    # Open and nobody has voted yet: the outcome is not 未通过 but still to come.
    expect(result_row(page, "同意")).to_contain_text("表决中")
    expect(result_row(page, "同意")).not_to_contain_text("未通过")

    key_in(page, "1号楼1单元101 张建国", "同意")
    key_in(page, "1号楼1单元102 李秀英", "同意")
    key_in(page, "1号楼1单元201 王淑兰", "弃权")
    key_in(page, "1号楼1单元202 赵德明", "同意")
    expect(homes).to_have_count(1)

    page.get_by_role("button", name="结束表决并固定结果").click()
    expect(page.locator("#main .alert-success")).to_contain_text("表决已结束，结果已固定。")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已结束")
    # Closed: nothing more can be keyed in.
    expect(page.get_by_role("button", name="录入", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="结束表决并固定结果")).to_have_count(0)

    # 360 of 400 ㎡ and 4 of 5 owners took part: the 2/3 quorum is met on both.
    taking_part = result_row(page, "参与表决")
    expect(taking_part).to_contain_text("360.00（占全体 90.0%）")
    expect(taking_part).to_contain_text("4（占全体 80.0%）")
    expect(taking_part).to_contain_text("面积和人数均不少于 2/3：达到")
    # 280 of those 360 ㎡ (7/9) and 3 of 4 owners (exactly 3/4) agree: passed, the bar being inclusive.
    agreeing = result_row(page, "同意")
    expect(agreeing).to_contain_text("280.00（占参与 77.8%）")
    expect(agreeing).to_contain_text("3（占参与 75.0%）")
    # The exact basis is on hover: 75.0% is exactly 3 of 4, which is what passes the bar.
    expect(agreeing.locator(".vote-share").first).to_have_attribute("title", "280.00 ÷ 360.00 ㎡")
    expect(agreeing.locator(".vote-share").last).to_have_attribute("title", "3 ÷ 4")
    expect(agreeing).to_contain_text("≥ 3/4：通过")
    expect(agreeing.locator("strong")).to_have_text("通过")

    vote = OwnersVote.objects.get()
    assert vote.status == VoteStatus.CLOSED and vote.passed is True and vote.quorum_met is True
