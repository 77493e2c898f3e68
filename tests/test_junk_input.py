"""Junk in, a 4xx out, never a 500 (issue 11, part 3).

The URLs are not listed by hand: every pattern of the URLconf (the pages, the
DRF routers under /api/v1/, Open311) is generated from `get_resolver()`, each
captured parameter is replaced by junk, and every page that lists or reports
is asked again with junk in its query string: the fixed parameters the portal
reads (year, month, page, page_size, q, ...) and every field of the filter
forms the page itself shows. Each request is made as an anonymous visitor, a
district official and street staff; a response of 500 or above is a failure.

The matrix runs inside a few tests that collect every failure and report them
together, so one run shows the whole list.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urlencode

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from complaints import services as complaint_services
from complaints.models import Category, Channel
from tests.renovation.conftest import AnnualPlanFactory, FiveYearPlanFactory, ProjectFactory

pytestmark = pytest.mark.django_db

# Junk for a captured URL parameter, as it appears in the URL: letters, a NUL,
# non-ASCII digits (superscript two, Arabic-Indic twelve), a number beyond
# bigint, a negative number.
PATH_JUNK = ["abc", "%00", quote("²"), quote("١٢"), "99999999999999999999", "-1"]

# Junk in the query string of every list and report page.
QUERY_JUNK = [
    {"year": "-1"},
    {"year": "0"},
    {"year": "abc"},
    {"year": "²"},
    {"year": "99999999999999999999"},
    {"month": "13"},
    {"month": "abc"},
    {"page": "abc"},
    {"page": "99999999999999999999"},
    {"page_size": "-5"},
    {"page_size": "99999999999999999999"},
    {"q": "\x00"},
    {"\x00": "1"},
    {"q": "x" * 5000},
    {"street": "abc"},
    {"category": "abc"},
    {"district": "abc"},
    {"sort": "abc"},
]

# Junk in the form fields that pages read by hand (ids, numbers, coordinates).
POST_JUNK = {
    "address_id": "²",
    "lat": "abc",
    "long": "999",
    "year": "-1",
    "history_id": "99999999999999999999",
    "step": "١٢",
    "delete": "abc",
    "company": "abc",
    "street": "-1",
    "rate": "NaN",
    "page": "abc",
}

# Junk for each field of a page's own filter form (and a NUL in all of them at once:
# the middleware refuses it before any field is read).
FIELD_JUNK = ["abc", "-1", "99999999999999999999", "²"]

# Patterns not requested at all, and why.
SKIPPED = {
    # Django's admin has its own URL scheme (app labels, object ids as strings,
    # quoted primary keys) and is only open to superusers; it is not part of
    # the portal's pages.
    "admin",
}
# The OpenAPI schema is generated afresh on each request (a second or more);
# it reads no parameter of its own but format and lang, so two junk queries do.
SLOW_PAGES = {"api:schema"}
# POST to these would end the client's session (the rest of the matrix needs it).
NO_POST = {"accounts:logout"}

API_METHODS = ("get", "post", "patch", "put", "delete")


@dataclass(frozen=True)
class Pattern:
    template: str  # the URL with "{name}" where each parameter goes
    params: tuple[str, ...]
    name: str
    api: bool


_ROUTE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
_REGEX_PARAM = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def _piece(pattern) -> str:
    """One pattern's text with parameters as "{name}"."""
    if isinstance(pattern, RoutePattern):
        return _ROUTE_PARAM.sub(r"{\1}", str(pattern))
    assert isinstance(pattern, RegexPattern), pattern
    text = str(pattern).lstrip("^").rstrip("$")
    text = _REGEX_PARAM.sub(r"{\1}", text)
    return text.replace("/?", "/").replace("\\.", ".")


def url_patterns(resolvers=None, prefix="", namespace=""):
    """Every URL pattern of the URLconf, with DRF's routers and Open311 included."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        text = prefix + _piece(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry.url_patterns, text, inner)
        else:
            assert isinstance(entry, URLPattern)
            params = tuple(re.findall(r"{(\w+)}", text))
            yield Pattern("/" + text, params, f"{namespace}{entry.name}", text.startswith("api/"))


def fill(pattern: Pattern, values: dict) -> str:
    url = pattern.template
    for name in pattern.params:
        url = url.replace("{" + name + "}", str(values[name]), 1)
    return url


class _FormFields(HTMLParser):
    """The names of the fields of a page's GET forms (its filters)."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_get_form = (attrs.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self._in_get_form and attrs.get("name"):
            self.names.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


def filter_names(response) -> set[str]:
    if not response.get("Content-Type", "").startswith("text/html"):
        return set()
    parser = _FormFields()
    parser.feed(response.content.decode())
    return parser.names


@pytest.fixture
def clients(world):
    """An anonymous visitor, a district official and street staff."""
    anonymous = Client(raise_request_exception=False)
    official = Client(raise_request_exception=False)
    official.force_login(world.official)
    staff = Client(raise_request_exception=False)
    staff.force_login(world.staff_a)
    return {"anonymous": anonymous, "official": official, "staff": staff}


@pytest.fixture
def real(world):
    """Real ids to put before a junk one, so nested lookups are reached."""
    plan = FiveYearPlanFactory(district=world.district)
    project = ProjectFactory(
        annual_plan=AnnualPlanFactory(plan=plan, year=2024), estate=world.estate_a1, created_by=world.staff_a
    )
    complaint = complaint_services.file_complaint(
        filing=complaint_services.Filing(
            category=Category.objects.get(code="common_area"),
            description="楼道被杂物堵塞",
            reporter_name="李秀英",
            reporter_phone="13812345678",
            estate=world.estate_a1,
            channel=Channel.WEB,
            consent=True,
        )
    )
    return {
        "/ledger/": world.estate_a1.pk,
        "/property/": world.estate_a1.pk,
        "/renovation/": project.pk,
        "/complaints/t/": complaint.access_token,
    }


def _reaches_a_view(url: str) -> bool:
    """Whether the URL resolves at all. Junk that an `<int:…>` converter does not
    match ("abc", "-1", "²") never reaches a view: Django's resolver answers 404
    before any of the portal's code runs, so those URLs need no request. A NUL
    does resolve (`<str:…>` takes it), so the middleware is what answers it."""
    try:
        resolve(unquote(url))
    except Resolver404:
        return False
    return True


def _request(client, method, url, **kwargs):
    return getattr(client, method)(url, **kwargs)


class Failures(list):
    def check(self, who, method, url, response):
        if response.status_code >= 500:
            self.append(f"{response.status_code} {who} {method.upper()} {url!r}")

    def report(self):
        assert not self, f"{len(self)} server errors:\n" + "\n".join(self)


def test_junk_in_every_url_parameter_is_never_a_server_error(clients, real):
    failures = Failures()
    patterns = [p for p in url_patterns() if p.params]
    assert len(patterns) > 70, "the URLconf walk found too few patterns"
    requested = 0
    for pattern in patterns:
        variants = [dict.fromkeys(pattern.params, junk) for junk in PATH_JUNK]
        if len(pattern.params) > 1:
            # A real first id, junk after it: reaches the nested lookup.
            first = next((v for prefix, v in real.items() if pattern.template.startswith(prefix)), None)
            if first is not None:
                variants += [{pattern.params[0]: first} | dict.fromkeys(pattern.params[1:], j) for j in PATH_JUNK]
        methods = API_METHODS if pattern.api else ("get", "post")
        for values in variants:
            url = fill(pattern, values)
            if not _reaches_a_view(url):
                continue
            requested += 1
            for who, client in clients.items():
                for method in methods:
                    if method == "post" and pattern.name in NO_POST:
                        continue
                    failures.check(who, method, url, _request(client, method, url))
    assert requested > 150, "too few junk URLs reach a view"
    failures.report()


def _pages(clients):
    """The pages without parameters that each client may open (200, or a
    redirect that is not to the login page: an export started, say)."""
    login = resolve_url(settings.LOGIN_URL)
    for pattern in url_patterns():
        if pattern.params:
            continue
        for who, client in clients.items():
            response = client.get(pattern.template)
            opened = response.status_code == 200 or (
                response.status_code == 302 and not response["Location"].startswith(login)
            )
            if opened:
                yield who, client, pattern, response


def test_junk_in_the_query_string_of_every_page_is_never_a_server_error(clients):
    """The fixed parameters the portal reads, then each field of the page's own filter forms."""
    failures = Failures()
    pages = fields = 0
    for who, client, pattern, response in _pages(clients):
        pages += 1
        queries = QUERY_JUNK if pattern.name not in SLOW_PAGES else QUERY_JUNK[:1] + [{"q": "\x00"}]
        names = sorted(filter_names(response))
        fields += len(names)
        queries = queries + [{name: junk} for name in names for junk in FIELD_JUNK]
        if names:
            queries.append(dict.fromkeys(names, "\x00"))
        for query in queries:
            url = f"{pattern.template}?{urlencode(query)}"
            failures.check(who, "get", url, client.get(url))
    assert pages > 40, "too few pages answered"
    assert fields > 30, "too few filter fields found"
    failures.report()


def test_empty_nul_and_junk_posts_to_every_page_are_never_a_server_error(clients):
    failures = Failures()
    for pattern in url_patterns():
        if pattern.params or pattern.api or pattern.name in NO_POST:
            continue
        for who, client in clients.items():
            for data in ({}, {"name": "\x00", "q": "a\x00b"}, POST_JUNK):
                failures.check(who, "post", pattern.template, client.post(pattern.template, data))
    failures.report()


# --- The examples of the issue, and the shape of each 400 -------------------------------------

NUL_MESSAGE = "请求中含有不允许的字符（空字符）。"


def test_nul_in_a_page_path_is_a_400_page_that_says_why(world):
    response = Client().get("/complaints/t/%00/")
    assert response.status_code == 400
    assert "400.html" in [t.name for t in response.templates]
    assert NUL_MESSAGE in response.content.decode()


def test_nul_in_a_query_string_key_or_value_is_a_400(world):
    assert Client().get("/complaints/estates.json?q=%00").status_code == 400
    assert Client().get("/complaints/estates.json?%00=1").status_code == 400


def test_nul_in_a_form_field_is_a_400_but_not_in_a_file(world):
    refused = Client().post("/complaints/file/", {"reporter_name": "李\x00秀英"})
    assert refused.status_code == 400
    assert NUL_MESSAGE in refused.content.decode()
    upload = SimpleUploadedFile("a.jpg", b"\xff\xd8\x00\x00binary", content_type="image/jpeg")
    answered = Client().post("/complaints/file/", {"reporter_name": "李秀英", "photos": upload})
    assert NUL_MESSAGE not in answered.content.decode()  # the form's own errors, if any


def test_open311_errors_are_georeport_errors_in_json_and_xml(world):
    response = Client().post("/open311/v2/requests.json", {"service_code": "noise", "description": "吵\x00闹"})
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": NUL_MESSAGE}]
    xml = Client().get("/open311/v2/requests.xml?service_code=%00")
    assert xml.status_code == 400 and xml["Content-Type"].startswith("application/xml")
    assert f"<code>400</code><description>{NUL_MESSAGE}</description>" in xml.content.decode()


def test_api_errors_are_json_detail_for_query_strings_and_json_bodies(world, client_for):
    client = client_for(world.official)
    response = client.get("/api/v1/estates/?search=%00")
    assert response.status_code == 400 and response.json() == {"detail": NUL_MESSAGE}
    url = f"/api/v1/estates/{world.estate_a1.pk}/"
    for body in ('{"name": "a\\u0000b"}', '{"name": "a\x00b"}', '{"name": "a\\\\\\u0000b"}'):
        response = client.patch(url, body, content_type="application/json")
        assert response.status_code == 400 and response.json() == {"detail": NUL_MESSAGE}, body
    # An escaped backslash followed by the text "u0000" is no NUL.
    response = client.patch(url, '{"remarks": "C:\\\\u0000"}', content_type="application/json")
    assert response.json() != {"detail": NUL_MESSAGE}


def test_over_long_query_values_are_a_400_naming_the_parameter(world, client_for):
    response = client_for(world.official).get("/ledger/", {"q": "x" * 2001})
    assert response.status_code == 400 and "“q”" in response.content.decode()
    assert client_for(world.official).get("/ledger/", {"q": "x" * 2000}).status_code == 200
    many = "&".join(f"f{i}=1234567890" for i in range(800))
    assert client_for(world.official).get(f"/ledger/?{many}").status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/complaints/measures/?year=-1",
        "/complaints/measures/?year=0",
        "/complaints/measures/?year=99999999999999999999",
        "/complaints/measures/?year=abc",
        "/complaints/measures/?month=13",
        "/complaints/measures.xlsx?year=-1",
        "/complaints/calendar/?year=0",
        "/renovation/reports/projects/?year=-1",
        "/renovation/reports/projects.xlsx?year=99999999999999999999",
        "/renovation/reports/streets/?year=1948",
        "/renovation/reports/streets.xlsx?year=2101",
    ],
)
def test_numbers_out_of_range_are_a_400_naming_the_parameter(world, client_for, url):
    response = client_for(world.official).get(url)
    assert response.status_code == 400
    name = url.split("?")[1].split("=")[0]
    assert f"“{name}”" in response.content.decode()
