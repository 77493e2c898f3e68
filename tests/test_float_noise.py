"""Figures an official can sign (issue 17): no page shows float noise.

A small demo district is seeded (the `make run` seeders), then each role (district
official, street staff, community worker, auditor) opens every page of the URLconf:
the pages without parameters, and the pages with ids reached by following the links
the role's own pages show (so the ids are real objects in the role's scope). Each page
is scanned for what floating point leaves behind — 2563282.74000000, 0.30000000000000004,
1790041.1999999 — and for counts of things shown with decimals (5.00 部, 57.00 个).

`make test` runs this on PostgreSQL and again on SQLite (`pytest -m figures` with a
sqlite DATABASE_URL), where the noise used to come from: SQLite sums decimals as floats.
"""

import io
import re
from collections import Counter, defaultdict, deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.models import User
from tests.test_junk_input import url_patterns

pytestmark = [pytest.mark.figures, pytest.mark.django_db]

# More than six decimals, or a run of five zeros or nines after the point: what a float
# (or a 15-digit Decimal made from one) looks like when it reaches a page.
FLOAT_NOISE = re.compile(r"\d\.\d{7,}|\d\.\d*(?:0{5,}|9{5,})\d*")
# A count of things with decimals: 5.00 部, 57.00 个 (not 71.4 个百分点, not 2.5 个月).
COUNT_WITH_DECIMALS = re.compile(r"\d\.\d+\s?(?:部|个(?!百分点|月)|件|栋|户|处|套|台|盏|家|笔|起)")

DEMO_USERS = {
    "district official": "quguan",
    "street staff": "jiedao",
    "community worker": "shequ",
    "auditor": "shenji",
}
# Distinct URLs opened per named page and role (a detail page for a few objects, a
# list with a few of its own filter or sort links).
PER_PAGE = 3
# Names never opened: downloads (xlsx, templates, attachments), background exports,
# and pages that end the session.
SKIP = re.compile(r"export|download|template|logout|schema|swagger|redoc|photo|attachment|open311")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href and href.startswith("/") and not href.startswith("//"):
                self.hrefs.append(href)


def links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def url_name(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name


TAG = re.compile(r"<[^>]*>")
# An API's timestamps carry microseconds (…T13:45:12.000001+08:00): a time, not a figure.
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}\.\d+")


def noise_in(text: str) -> list[str]:
    """The noisy figures of a page's text (tags and their attributes removed: an input's
    step="0.000001" is not a figure; the JSON of charts is kept), each with a little context."""
    text = TIMESTAMP.sub(" ", TAG.sub(" ", text))
    found = []
    for pattern in (FLOAT_NOISE, COUNT_WITH_DECIMALS):
        for match in pattern.finditer(text):
            start, end = max(match.start() - 30, 0), match.end() + 10
            found.append(text[start:end].replace("\n", " "))
    return found


def scan(client: Client) -> tuple[Counter, list[str]]:
    """Open every page the client reaches (breadth first from the pages without
    parameters); return the pages opened per name and the noise found."""
    start = [p.template for p in url_patterns() if not p.params and not SKIP.search(p.name)]
    queue = deque(start)
    seen: set[str] = set(start)
    opened: Counter = Counter()
    problems = []
    while queue:
        url = queue.popleft()
        name = url_name(url)
        if name is None or SKIP.search(name) or opened[name] >= PER_PAGE:
            continue
        response = client.get(url)
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith(("text/html", "application/json")):
            continue
        opened[name] += 1
        text = response.content.decode()
        problems += [f"{url}: …{hit}…" for hit in noise_in(text)]
        if content_type.startswith("text/html"):
            for href in links(text):
                if href not in seen:
                    seen.add(href)
                    queue.append(href)
    return opened, problems


@pytest.fixture
def demo_district(settings, tmp_path):
    """The `make run` demo, smaller: a district of 40 estates with projects, cases,
    contracts, votes, subsidies and snapshots (the logins file goes to a temporary directory).
    A cache of its own: reports and dashboards cached by another run (the same demo on the
    other database, or older code) must not stand in for the figures computed here."""
    settings.VAR_DIR = tmp_path
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "figures"}}
    call_command("seed_demo", estates=40, stdout=io.StringIO())


def test_no_page_shows_float_noise_or_counts_with_decimals(demo_district):
    covered, failures = {}, defaultdict(list)
    for role, username in DEMO_USERS.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        opened, problems = scan(client)
        covered[role] = opened
        failures[role] += problems
    summary = {role: (len(opened), sum(opened.values())) for role, opened in covered.items()}
    print("pages scanned (named pages, URLs) per role:", summary)  # noqa: T201 — shown with -s
    # The walk reached the pages with figures, through real objects in each scope.
    official = covered["district official"]
    for name in (
        "communities:estate_list",
        "communities:estate_detail",
        "communities:household_list",
        "renovation:project_detail",
        "renovation:street_report",
        "renovation:project_report",
        "propertymgmt:subsidy_payments",
        "propertymgmt:estate_property",
        "complaints:measures",
        "complaints:case_detail",
        "dashboard:home",
    ):
        assert official[name], f"the walk never opened {name} as a district official"
    assert sum(official.values()) > 60, summary
    for role, opened in covered.items():
        assert sum(opened.values()) > 20, f"{role} opened too few pages: {summary}"
    report = [f"{role}: {line}" for role, lines in failures.items() for line in lines]
    assert not report, f"{len(report)} noisy figures:\n" + "\n".join(report[:60])


@pytest.mark.parametrize(
    ("text", "noisy"),
    [
        ("合计 2563282.74000000 元", True),
        ("1,790,041.20000000", True),
        ("0.30000000000000004", True),
        ("1790041.1999999", True),
        ("5.00 部", True),
        ("57.00 个", True),
        ("3.0 件", True),
        ("合计 2,563,282.74 元", False),
        ("+71.4 个百分点", False),
        ("5 部，57 个", False),
        ("116.397128, 39.916527", False),
        ("2026年3月5日", False),
        ('<input name="longitude" step="0.000001" value="116.424600">', False),
        ('<td class="num">58.99999999999999</td>', True),
        ('"updated_at": "2026-12-02T13:45:12.000001+08:00"', False),
    ],
)
def test_the_scanner_knows_noise_when_it_sees_it(text, noisy):
    assert bool(noise_in(text)) is noisy
