"""A district official starts construction of a renovation project in a real
browser: the gates with their evidence, the refusal naming the open gate, an
override with a written reason, then the move."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from renovation.models import GateOverride, Project, Stage
from tests.browser.test_ledger_browser import log_in
from tests.renovation.conftest import plans, project, ready_project  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

REASON = "物业服务合同正在招标，区住建委承诺竣工前签订"


@pytest.fixture
def tender_project(transactional_db, live_server, world, ready_project):  # noqa: F811
    """`ready_project` committed for the live server: every gate closed but
    long-term management (no property contract, no owners' organisation)."""
    cache.clear()
    return ready_project


def gate_row(page: Page, gate: str):
    return page.locator(f'#gates tr[data-gate="{gate}"]')


def test_official_overrides_the_open_gate_and_then_starts_construction(page: Page, live_server, world, tender_project):
    log_in(page, live_server, world.official)
    page.goto(f"{live_server.url}/renovation/{tender_project.pk}/")
    expect(page.get_by_role("heading", name=re.compile("和平里七区改造"), level=1)).to_be_visible()
    expect(page.locator("#stage")).to_have_text("招标")

    # Every gate with its state and evidence; only long-term management is open.
    management = gate_row(page, "long_term_management")
    expect(management).to_contain_text("长效管理落实")
    expect(management).to_contain_text("未满足")
    expect(management).to_contain_text("没有有效的物业服务合同，也没有业主组织。")
    for gate, evidence in (
        ("illegal_structures", "台账中没有登记违建。"),
        ("street_consent", "李主任"),
        ("residents_consent", "登记的居民同意比例为80.00%"),
        ("maintenance_fund", "维修资金已归集"),
    ):
        expect(gate_row(page, gate)).to_contain_text("已满足")
        expect(gate_row(page, gate)).to_contain_text(evidence)
    expect(page.locator("#gates").get_by_text("未满足", exact=True)).to_have_count(1)

    # Starting construction now is refused, and the message names the open gate.
    page.get_by_label("转入阶段").select_option(label="在建")
    page.get_by_role("button", name="变更阶段").click()
    refusal = page.locator("#main .alert-danger")
    expect(refusal).to_contain_text("开工条件未全部满足，不能开工")
    expect(refusal).to_contain_text("长效管理落实（没有有效的物业服务合同，也没有业主组织。）")
    expect(refusal).not_to_contain_text("所在街道同意")
    expect(page.locator("#stage")).to_have_text("招标")
    expect(page.locator("#stages")).to_contain_text("尚无阶段变更。")

    # The official overrides that gate with a written reason.
    management.get_by_role("link", name="批准例外").click()
    expect(page.get_by_role("heading", name="批准开工条件例外：长效管理落实", level=1)).to_be_visible()
    page.get_by_label(re.compile("批准例外的理由")).fill(REASON)
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#main .alert-success")).to_contain_text("已批准例外，理由已记录。")
    expect(management).to_contain_text("例外放行")
    expect(management).to_contain_text(REASON)
    expect(management.get_by_role("link", name="批准例外")).to_have_count(0)

    # Now the move goes through; the reason stays on the page.
    page.get_by_label("转入阶段").select_option(label="在建")
    page.get_by_label("说明").fill("例外放行后开工")
    page.get_by_role("button", name="变更阶段").click()
    expect(page.locator("#main .alert-success")).to_contain_text("阶段已变更。")
    expect(page.locator("#stage")).to_have_text("在建")
    expect(page.locator("#stages ol")).to_contain_text("招标 → 在建（例外放行后开工）")
    expect(management).to_contain_text("例外放行")
    expect(management).to_contain_text(f"批准例外：{REASON}")
    expect(page.locator("#main .alert-danger")).to_have_count(0)

    tender_project.refresh_from_db()
    assert tender_project.stage == Stage.CONSTRUCTION
    assert GateOverride.objects.get(project=tender_project).reason == REASON
    assert Project.objects.get(pk=tender_project.pk).moves.get().to_stage == Stage.CONSTRUCTION
