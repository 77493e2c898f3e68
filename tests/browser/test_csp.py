"""The Content-Security-Policy in a real browser: every page type, opened by
each role (and the public pages by a visitor), loads without a single CSP
violation, and what the policy could break still works: the dashboard's
charts, htmx swaps, forms, the API docs.

A violation is caught twice: chromium's console message ("Refused to …
because it violates the following Content Security Policy directive") and
the `securitypolicyviolation` event, collected into window.__csp by a script
the browser runs before the page's own.
"""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from tests.csp_pages import PASSWORD, PUBLIC, build_data, page_urls

pytestmark = pytest.mark.browser

COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                    " at " + (e.sourceFile || e.documentURI) + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""
ROLES = ("official", "staff_a", "worker_a1", "auditor", "admin")


@pytest.fixture
def portal(transactional_db, live_server, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    data = build_data(world)
    return world, data, page_urls(data)


class Watcher:
    """A page that remembers every CSP violation and script error it saw."""

    def __init__(self, page: Page):
        self.page = page
        self.problems = []
        page.add_init_script(COLLECT_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.problems.append(f"console: {text}")

    def collect(self, where: str) -> list[str]:
        """What went wrong on the current page since the last call, marked with where."""
        found = self.problems + [f"event: {v}" for v in self.page.evaluate("window.__csp || []")]
        self.problems = []
        self.page.evaluate("window.__csp = []")
        return [f"{where}: {problem}" for problem in found]


def log_in(page: Page, base: str, user) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("nav.navbar form[action$='/logout/']")).to_have_count(1)


def settle(page: Page, name: str) -> None:
    """Wait for what a page draws after load, so late violations are seen too."""
    if name == "dashboard:home":
        expect(page.locator(".chart").first).to_be_attached()
        for chart in page.locator(".chart").all():
            expect(chart.locator("svg")).to_have_count(1)
    elif name == "api:docs":
        expect(page.locator(".swagger-ui .opblock").first).to_be_visible()


def bar_percent(page: Page, selector: str) -> int:
    """How much of its track a progress bar fills, in whole percent."""
    return page.locator(selector).evaluate(
        "bar => Math.round(100 * bar.getBoundingClientRect().width / bar.parentElement.getBoundingClientRect().width)"
    )


def test_every_page_type_loads_without_a_csp_violation_for_every_role(new_page, live_server, portal):
    world, _data, pages = portal
    problems = []
    rendered = set()
    for role in (None, *ROLES):
        page = new_page()
        watcher = Watcher(page)
        if role:
            log_in(page, live_server.url, getattr(world, role))
            problems += watcher.collect(f"login as {role}")
        for name, path in pages:
            if role is None and name not in PUBLIC:
                continue
            response = page.goto(f"{live_server.url}{path}")
            if response.status == 200:
                rendered.add(name)
                settle(page, name)
            problems += watcher.collect(f"{name} {path} as {role or 'visitor'} ({response.status})")
    assert problems == [], "\n".join(problems)
    # Each page type was drawn (200) for someone, not only refused: the ids are right.
    assert {name for name, _path in pages} - rendered == set()


def test_charts_htmx_and_forms_work_under_the_policy(new_page, live_server, portal):
    world, data, _pages = portal
    base = live_server.url

    official = new_page()
    watcher = Watcher(official)
    log_in(official, base, world.official)

    # Dashboard: every chart drawn as SVG; a tooltip (HTML ECharts builds) shows.
    official.goto(f"{base}/dashboard/")
    charts = official.locator(".chart")
    expect(charts.first).to_be_attached()
    for chart in charts.all():
        expect(chart.locator("svg")).to_have_count(1)
    # Tooltips (built by dashboard.js as DOM, styled by classes) on a pie and an axis chart.
    for chart in ("coverage-pie", "coverage-groups"):
        official.evaluate(
            """id => echarts.getInstanceByDom(document.getElementById(id))
                        .dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: 0})""",
            f"chart-{chart}",
        )
        expect(official.locator(f"#chart-{chart} .chart-tip .chart-tip-value").first).to_be_visible()
    expect(official.locator("#chart-coverage-groups .chart-tip-title")).to_have_text("和平里街道")
    problems = watcher.collect("dashboard")

    # The print button is a delegated listener now: it calls window.print().
    official.evaluate("window.print = function () { window.__printed = true; }")
    official.get_by_role("button", name="打印").click()
    assert official.evaluate("window.__printed === true")

    # htmx: typing in the ledger's search box swaps the results and pushes the URL.
    official.goto(f"{base}/ledger/")
    expect(official.locator("#results")).to_contain_text("青年湖西里")
    official.locator("#id_q").fill("和平里")
    expect(official).to_have_url(re.compile(r"/ledger/\?q=%E5%92%8C%E5%B9%B3%E9%87%8C$"))
    expect(official.locator("#results")).not_to_contain_text("青年湖西里")
    expect(official.locator("#results")).to_contain_text("和平里七区")
    # Another filter's change event (the form's trigger, no filter expression) swaps too.
    official.goto(f"{base}/ledger/")
    official.locator("#id_year_to").fill("1980")
    official.locator("#id_year_to").press("Tab")
    expect(official).to_have_url(re.compile(r"/ledger/\?year_to=1980$"))
    expect(official.locator("#results")).to_contain_text("板厂南里")
    expect(official.locator("#results")).not_to_contain_text("和平里七区")
    problems += watcher.collect("ledger filter")

    # htmx polling: the export job's status is swapped in, its bar 40 % wide.
    official.goto(f"{base}/exports/{data['export_job'].pk}/")
    official.evaluate(
        """() => new Promise(resolve => document.body.addEventListener("htmx:afterSettle", resolve, {once: true}))"""
    )
    bar = official.locator("#export-status .progress-bar")
    expect(bar).to_have_text("40%")
    assert bar_percent(official, "#export-status .progress-bar") == 40
    problems += watcher.collect("export job")

    # A form: the language select submits itself (data-autosubmit), and back.
    official.goto(f"{base}/ledger/")
    official.locator("select[name=language]").select_option("en")
    expect(official.locator("html")).to_have_attribute("lang", "en")
    official.locator("select[name=language]").select_option("zh-hans")
    expect(official.locator("html")).to_have_attribute("lang", "zh-CN")
    problems += watcher.collect("language form")

    # A form as a street clerk: edit the estate, saved, shown on its page.
    clerk = new_page()
    clerk_watcher = Watcher(clerk)
    log_in(clerk, base, world.staff_a)
    clerk.goto(f"{base}/ledger/{data['estate'].pk}/edit/")
    clerk.locator("#id_remarks").fill("东侧围墙待修")
    clerk.locator("form button[type=submit]").filter(has_text="保存").click()
    expect(clerk).to_have_url(re.compile(rf"/ledger/{data['estate'].pk}/$"))
    expect(clerk.locator("#main")).to_contain_text("东侧围墙待修")
    problems += clerk_watcher.collect("estate edit")

    # Bootstrap's JS (a modal: backdrop, scrollbar padding) styles through the CSSOM, which the policy allows.
    clerk.goto(f"{base}/ledger/")
    clerk.get_by_label("选择 和平里七区").check()
    clerk.get_by_role("button", name=re.compile(r"^批量修改所选")).click()
    expect(clerk.locator("#bulk-edit")).to_be_visible()
    clerk.locator("#bulk-edit .btn-close").click()
    expect(clerk.locator("#bulk-edit")).to_be_hidden()
    problems += clerk_watcher.collect("bulk edit modal")

    # The project's progress bar, drawn from data-width.
    clerk.goto(f"{base}/renovation/{data['project'].pk}/")
    assert bar_percent(clerk, ".progress-bar[data-width]") == 40
    problems += clerk_watcher.collect("project detail")
    # …and the fee collection rate's thin bar (72 of 100), on the estate's property page.
    clerk.goto(f"{base}/property/estates/{data['estate'].pk}/")
    assert bar_percent(clerk, "#fees .progress-bar[data-width]") == 72
    problems += clerk_watcher.collect("estate property")

    assert problems == [], "\n".join(problems)
