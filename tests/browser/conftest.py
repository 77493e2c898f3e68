"""Browser tests: Debian's chromium driven by Playwright (sync API) against
pytest-django's live server.

Never downloads a browser: chromium comes from the system package.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop running in the test thread, and
# Django refuses ORM calls from a thread with a running loop unless told.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FAILURE_DIR = Path(os.environ.get("BROWSER_FAILURE_DIR", "/tmp/oldestate-browser-failures"))
# Long enough for a loaded CI machine, short enough that a broken page fails fast.
DEFAULT_TIMEOUT_MS = 10_000


def _no_static_interception(app):
    return app


@pytest.fixture(scope="session")
def live_server(request, collected_static):
    """pytest-django's live server, with one change: static files are served by
    the app's own WhiteNoise middleware from STATIC_ROOT, as in production.

    pytest-django wraps the app in StaticFilesHandler, which looks files up
    with the finders and so answers 404 for the hashed names the manifest
    storage puts in the pages (DEBUG is off): no CSS, no htmx.
    """
    from pytest_django.live_server_helper import LiveServer

    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = LiveServer(addr, start=False)
    server.thread.static_handler = _no_static_interception
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    if not os.path.exists(CHROMIUM):
        # Fail, never skip: a missing browser must not pass for a tested page.
        pytest.fail(f"{CHROMIUM} is not installed: run scripts/ensure-services.sh (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # Read by new_page's teardown, to keep a screenshot of a failed test.
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def new_page(request, browser):
    """Open a page in a fresh browser context (its own cookies): call once per
    clerk. On failure every page the test opened is saved as a screenshot."""
    contexts = []
    pages = []

    def open_page():
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        return page

    yield open_page

    failed = any(
        getattr(request.node, f"report_{when}", None) is not None and getattr(request.node, f"report_{when}").failed
        for when in ("setup", "call")
    )
    if failed:
        FAILURE_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        for number, page in enumerate(pages, start=1):
            path = FAILURE_DIR / f"{name}-page{number}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as exc:  # a crashed page must not hide the real failure
                print(f"could not save {path}: {exc}")  # noqa: T201
            else:
                print(f"screenshot of the failure: {path}")  # noqa: T201
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
