"""One figure, one number (issue 17): a figure with the same definition, scope and
period is the same number on every surface that shows it.

The demo district is seeded once for the module, with a second, small district
beside it so that the whole country is more than the demo district. For each scope
— the district (district official), a street (street staff), a community (community
worker) and the country (a superuser) — every figure that appears on more than one
surface is read from what the user receives:

- P  the pages (HTML tables, totals lines, headline cards),
- X  the pages' .xlsx exports (read back with openpyxl),
- W  the report workbook (dashboard/workbook/, the year),
- D  the dashboard (工作台: cards, tables and the charts' JSON),
- A  the REST API (/api/v1/: counts, and the rows an API client adds up),

normalised to a Decimal in the unit its column shows (元, 万元, 万㎡, %, counts) and
compared. Where one surface gives the exact figure (the API's rows, in 元 and ㎡) it
is rounded once, half up, to the unit the other shows (docs/figures.md).
Each failure names the figure, the scope, the two surfaces and their values.

`make test` runs it on PostgreSQL and again on SQLite (`-m figures`).
"""

import io
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from lxml import html as lxml_html
from openpyxl import load_workbook

from accounts.models import User
from communities.models import ManagementMode
from complaints.excel import MEASURE_HEADERS
from complaints.models import Status
from core.figures import round_to, share, wan
from propertymgmt.models import SubsidyPayment, Tranche
from renovation.models import FundingSource, Output, Stage
from tests.excel import content_of, read_report
from tests.factories import CommunityFactory, DistrictFactory, EstateFactory, StreetFactory

pytestmark = [pytest.mark.figures, pytest.mark.django_db]

# The scopes, each with the demo login that sees it (the country: a superuser).
SCOPES = {
    "district": "quguan",  # 东城区
    "street": "jiedao",  # 和平里街道
    "community": "shequ",  # 交林社区
    "country": "admin",  # everything: 东城区 and 西城区
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The street report's output columns, by output (the dashboard's outputs table names them by key).
OUTPUT_HEADERS = {
    Output.PIPES_KM: "改造管线（公里）",
    Output.ELEVATORS: "加装电梯（部）",
    Output.PARKING: "停车位（个）",
    Output.CHARGERS: "充电桩（个）",
    Output.RETROFIT_M2: "节能改造（万㎡）",
    Output.FACILITIES: "服务设施（个）",
}
DONE = {Status.RESOLVED, Status.CLOSED}


# --- the demo, and what its users receive ---------------------------------------------------


def _second_district():
    """西城区 beside the demo's 东城区: a few estates (old and new, managed and not)
    that the country's figures count and the district's must not."""
    street = StreetFactory(district=DistrictFactory(name="西城区", code="110102"), name="德胜街道", code="110102001")
    community = CommunityFactory(street=street, name="六铺炕社区", code="110102001001")
    for name, year, households, buildings, area, mode in (
        ("六铺炕北里", 1978, 412, 6, "23456.78", ManagementMode.MARKET),
        ("六铺炕南里", 1992, 305, 5, "18001.35", ManagementMode.NONE),
        ("德胜新苑", 2012, 640, 9, "60000.05", ManagementMode.MARKET),
    ):
        EstateFactory(
            community=community,
            name=name,
            year_built=year,
            households=households,
            building_count=buildings,
            floor_area=Decimal(area),
            management_mode=mode,
        )


class Received:
    """What each demo user receives from the portal (the page, the downloaded .xlsx
    bytes, the JSON), fetched once per module: the data does not change in between."""

    def __init__(self):
        self._got = {}

    def _get(self, username, url, content_type):
        client = Client()  # a fresh login: each test's sessions are rolled back with it
        client.force_login(User.objects.get(username=username))
        response = client.get(url)
        assert response.status_code == 200, f"{username}: GET {url} answered {response.status_code}"
        assert response["Content-Type"].startswith(content_type), (username, url, response["Content-Type"])
        return response

    def _once(self, key, fetch):
        if key not in self._got:
            self._got[key] = fetch()
        return self._got[key]

    def page(self, username, url):
        def fetch():
            return lxml_html.fromstring(self._get(username, url, "text/html").content.decode())

        return self._once(("page", username, url), fetch)

    def xlsx(self, username, url):
        def fetch():
            return load_workbook(io.BytesIO(content_of(self._get(username, url, XLSX))))

        return self._once(("xlsx", username, url), fetch)

    def api(self, username, url) -> list[dict]:
        """Every row of an API list, page after page (its `count` checked against them)."""

        def fetch():
            rows, next_url, count = [], url, None
            while next_url:
                body = self._get(username, next_url, "application/json").json()
                count = body["count"] if count is None else count
                rows += body["results"]
                next_url = body["next"] and _path(body["next"])
            assert len(rows) == count, f"{username}: {url} counted {count} and listed {len(rows)}"
            return rows

        return self._once(("api", username, url), fetch)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The `make run` demo, smaller (40 estates with their projects, cases, committees,
    subsidies and snapshots), and 西城区 beside it; rolled back when the module ends.
    A cache of its own: figures cached by another run must not stand in for these."""
    overrides = override_settings(
        VAR_DIR=tmp_path_factory.mktemp("var"),
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cross"}},
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), overrides, transaction.atomic():
        call_command("seed_demo", estates=40, stdout=io.StringIO())
        _second_district()
        yield Received()
        transaction.set_rollback(True)


@pytest.fixture(params=list(SCOPES))
def scope(request):
    return request.param


# --- reading figures ------------------------------------------------------------------------


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def without(url: str, *names: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in names]
    return f"{parts.path}?{urlencode(query)}" if query else parts.path


def number(value) -> Decimal | None:
    """A figure as a Decimal: a cell's int or float (as Excel shows it), or a page's text
    (1,234.50 · 71.4% · −3 · — for none)."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip().replace(",", "").replace("−", "-").removesuffix("%").strip()
    return None if text in ("", "—") else Decimal(text)


def leading_number(text: str) -> Decimal | None:
    """The first number of a label such as 12个项目 or 91笔."""
    found = re.search(r"-?[\d,]+(?:\.\d+)?", text or "")
    return number(found.group()) if found else None


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def html_table(doc, xpath: str) -> dict:
    """A table's header texts and the cell texts of its body and foot rows."""
    found = doc.xpath(xpath)
    assert found, f"no table {xpath}"
    table = found[0]

    def rows(section):
        return [[text_of(cell) for cell in row.xpath("./td|./th")] for row in table.xpath(f"./{section}/tr")]

    return {
        "headers": [text_of(th) for th in table.xpath("./thead/tr/th")],
        "body": rows("tbody"),
        "foot": rows("tfoot"),
    }


def by_header(headers, row) -> dict:
    return dict(zip(headers, row, strict=True))


def sheet_total(report, header):
    return number(report.total(header))


def workbook_url(year: int) -> str:
    return f"/dashboard/workbook/?year={year}&quarter=&month=&street="


def workbook_rows(report) -> list[dict]:
    return [by_header(report.headers, [cell.value for cell in row]) for row in report.data]


class Board:
    """The dashboard page as its reader sees it: the headline cards, the tables and the
    charts' JSON."""

    def __init__(self, doc):
        self.doc = doc
        self.cards = {}
        for card in doc.xpath("//a[@data-figure]"):
            note = card.xpath(".//*[contains(@class, 'figure-note')]")
            self.cards[card.get("data-figure")] = {
                "value": number(text_of(card.xpath(".//span[contains(@class, 'value')]")[0])),
                "note": text_of(note[0]) if note else "",
                "url": card.get("href"),
            }
        script = doc.xpath("//script[@id='dashboard-charts']")
        self.charts = json.loads(script[0].text) if script else {}

    def value(self, key):
        return self.cards[key]["value"]

    def note(self, key, pattern) -> tuple:
        found = re.search(pattern, self.cards[key]["note"])
        assert found, (key, pattern, self.cards[key]["note"])
        return tuple(number(group) for group in found.groups())

    def rows(self, table_id) -> list:
        return self.doc.xpath(f"//table[@id='{table_id}']/tbody/tr")


class Check:
    """Compares each figure across the surfaces that show it; collects every
    difference, so one report names them all."""

    def __init__(self, scope: str):
        self.scope = scope
        self.problems: list[str] = []
        self.compared = 0

    def same(self, figure: str, shown: dict) -> None:
        """`shown`: surface → the figure as that surface shows it (any form `number` reads)."""
        values = {surface: number(value) for surface, value in shown.items()}
        assert len(values) >= 2, f"{figure}: one surface only"
        (first, reference), *others = values.items()
        for surface, value in others:
            self.compared += 1
            if value != reference:
                self.problems.append(f"{figure} [{self.scope}]: {first} shows {reference}, {surface} shows {value}")

    def done(self, *, at_least: int) -> None:
        assert self.compared >= at_least, f"[{self.scope}] only {self.compared} comparisons: the reading broke"
        assert not self.problems, f"{len(self.problems)} figures differ between surfaces:\n" + "\n".join(self.problems)


def exact_sum(rows, field) -> Decimal:
    return sum((Decimal(row[field]) for row in rows if row[field] is not None), Decimal(0))


# --- the estate ledger ----------------------------------------------------------------------

LEDGER_TOTALS = re.compile(
    r"共 ([\d,]+) 个小区，其中老旧小区 ([\d,]+) 个；([\d,]+) 栋，([\d,]+) 户，建筑面积 ([\d,.]+) 万平方米"
)


def ledger_totals(doc) -> dict:
    text = text_of(doc.xpath("//p[@id='totals']")[0])
    found = LEDGER_TOTALS.search(text)
    assert found, text
    keys = ("count", "old", "buildings", "households", "area")
    return dict(zip(keys, (number(g) for g in found.groups()), strict=True))


def listed(demo, user, url) -> dict:
    """The totals line of a ledger list, on its smallest page (the totals cover every page)."""
    return ledger_totals(demo.page(user, f"{url}{'&' if '?' in url else '?'}page_size=20"))


def api_ledger(rows) -> dict:
    return {
        "count": len(rows),
        "buildings": sum(row["building_count"] or 0 for row in rows),
        "households": sum(row["households"] or 0 for row in rows),
        "area": wan(exact_sum(rows, "floor_area")),
        "area_exact": exact_sum(rows, "floor_area"),
    }


def test_ledger_and_coverage(demo, scope):
    user, check, year = SCOPES[scope], Check(scope), timezone.localdate().year
    page, page_old = listed(demo, user, "/ledger/"), listed(demo, user, "/ledger/?is_old=true")
    export = read_report(demo.xlsx(user, "/ledger/export.xlsx"))
    export_old = read_report(demo.xlsx(user, "/ledger/export.xlsx?is_old=true"))
    book = demo.xlsx(user, workbook_url(year))
    summary, coverage = read_report(book, "台账汇总"), read_report(book, "管理模式覆盖")
    board = Board(demo.page(user, "/dashboard/"))
    api = api_ledger(demo.api(user, "/api/v1/estates/?page_size=200"))
    api_old = api_ledger(demo.api(user, "/api/v1/estates/?is_old=true&page_size=200"))
    assert page["count"] > 0 and page_old["count"] > 0, "the scope has no estates: nothing would be compared"

    check.same(
        "小区数（个）",
        {
            "P 台账合计行": page["count"],
            "X 台账.xlsx 行数": len(export.data),
            "W 台账汇总 合计": sheet_total(summary, "小区数（个）"),
            "D 台账共…个小区": board.note("old_estates", r"台账共([\d,]+)个小区")[0],
            "A estates count": api["count"],
        },
    )
    old_rows = [row for row in export.data if row[export.headers.index("老旧小区")].value == "是"]
    check.same(
        "老旧小区数（个）",
        {
            "P 台账合计行": page["old"],
            "P 台账?is_old": page_old["count"],
            "X 台账.xlsx 老旧小区=是": len(old_rows),
            "X 台账.xlsx?is_old 行数": len(export_old.data),
            "W 台账汇总 合计": sheet_total(summary, "老旧小区数（个）"),
            "W 管理模式覆盖 合计": sheet_total(coverage, "老旧小区数（个）"),
            "D 老旧小区": board.value("old_estates"),
            "A estates?is_old count": api_old["count"],
        },
    )
    for figure, key, header in (
        ("楼栋数（栋）", "buildings", "楼栋数（栋）"),
        ("户数（户）", "households", "户数（户）"),
        ("建筑面积（万㎡）", "area", "建筑面积（万㎡）"),
    ):
        check.same(
            figure,
            {
                "P 台账合计行": page[key],
                "X 台账.xlsx 合计": sheet_total(export, header),
                "W 台账汇总 合计": sheet_total(summary, header),
                "A estates 之和": api[key],
            },
        )
    check.same(
        "建筑面积（㎡）",
        {"X 台账.xlsx 合计": sheet_total(export, "建筑面积（㎡）"), "A estates 之和": api["area_exact"]},
    )
    check.same(
        "老旧小区楼栋数（栋）",
        {
            "P 台账?is_old": page_old["buildings"],
            "X 台账.xlsx?is_old 合计": sheet_total(export_old, "楼栋数（栋）"),
            "A estates?is_old 之和": api_old["buildings"],
        },
    )
    check.same(
        "老旧小区户数（户）",
        {
            "P 台账?is_old": page_old["households"],
            "X 台账.xlsx?is_old 合计": sheet_total(export_old, "户数（户）"),
            "W 台账汇总 合计": sheet_total(summary, "老旧小区户数（户）"),
            "D 老旧小区户数": board.value("old_households"),
            "A estates?is_old 之和": api_old["households"],
        },
    )
    coverage_foot = html_table(board.doc, "//table[@id='coverage']")["foot"][0]
    check.same(
        "老旧小区建筑面积（万㎡）",
        {
            "P 台账?is_old": page_old["area"],
            "X 台账.xlsx?is_old 合计": sheet_total(export_old, "建筑面积（万㎡）"),
            "W 台账汇总 合计": sheet_total(summary, "老旧小区建筑面积（万㎡）"),
            "W 管理模式覆盖 合计": sheet_total(coverage, "老旧小区建筑面积（万㎡）"),
            "D 老旧小区建筑面积": board.value("old_floor_area"),
            "D 管理模式表 合计": coverage_foot[2],
            "A estates?is_old 之和": api_old["area"],
        },
    )
    check.same("老旧小区数（个）", {"D 老旧小区": board.value("old_estates"), "D 管理模式表 合计": coverage_foot[1]})

    # Coverage by management mode: the dashboard's table, the list each row links to,
    # the workbook's 合计 and the API's estates of that mode.
    pie = {item["name"]: item["value"] for item in board.charts["coverage_pie"]["data"]}
    modes = {row.get("data-mode"): row for row in board.rows("coverage")}
    assert set(modes) == set(ManagementMode.values)
    api_area = {}
    for mode, label in ManagementMode.choices:
        cells = [text_of(td) for td in modes[mode].xpath("./td")]
        linked = listed(demo, user, modes[mode].xpath(".//a/@href")[0])
        api_mode = api_ledger(demo.api(user, f"/api/v1/estates/?is_old=true&management_mode={mode}&page_size=200"))
        api_area[mode] = api_mode["area_exact"]
        check.same(
            f"{label} 老旧小区数（个）",
            {
                "D 管理模式表": cells[1],
                "P 台账（该行链接）": linked["count"],
                "W 管理模式覆盖 合计": sheet_total(coverage, f"{label}（个）"),
                "A estates?management_mode count": api_mode["count"],
            },
        )
        area_shown = {
            "D 管理模式表": cells[2],
            "P 台账（该行链接）": linked["area"],
            "W 管理模式覆盖 合计": sheet_total(coverage, f"{label}（万㎡）"),
            "A estates?management_mode 之和": api_mode["area"],
        }
        if str(label) in pie:
            area_shown["D 饼图 JSON"] = pie[str(label)]
        check.same(f"{label} 老旧小区建筑面积（万㎡）", area_shown)
        check.same(
            f"{label} 面积占比（%）",
            {
                "D 管理模式表": cells[3],
                "W 管理模式覆盖 合计": sheet_total(coverage, f"{label}面积占比（%）"),
                "A estates 面积之比": share(api_mode["area_exact"], api_old["area_exact"]),
            },
        )
    check.same(
        "物业管理覆盖率（按面积，%）",
        {
            "D 物业管理覆盖率": board.value("managed_share"),
            "A estates 面积之比": share(api_old["area_exact"] - api_area[ManagementMode.NONE], api_old["area_exact"]),
        },
    )

    # One level down (districts, streets or communities): each row of the dashboard's
    # table against the ledger list it links to; by street, against the workbook's rows too.
    groups = board.rows("groups")
    names = {text_of(row.xpath("./td")[0]) for row in groups}
    assert ("西城区" in names) == (scope == "country"), (
        f"[{scope}] groups {names}: the country reaches 西城区, no one else"
    )
    by_street = {row["街道"]: row for row in workbook_rows(summary)}
    street_level = html_table(board.doc, "//table[@id='groups']")["headers"][0] == "街道"
    for row in groups:
        name, estates, old, households, area = (text_of(td) for td in row.xpath("./td"))
        link = row.xpath(".//a/@href")[0]
        old_list, whole_list = (
            listed(demo, user, link),
            listed(demo, user, without(link, "is_old")),
        )
        shown = {  # figure → (the dashboard's cell, the linked list's, the workbook's column)
            f"{name} 台账小区（个）": (estates, whole_list["count"], "小区数（个）"),
            f"{name} 老旧小区（个）": (old, old_list["count"], "老旧小区数（个）"),
            f"{name} 老旧小区户数（户）": (households, old_list["households"], "老旧小区户数（户）"),
            f"{name} 老旧小区建筑面积（万㎡）": (area, old_list["area"], "老旧小区建筑面积（万㎡）"),
        }
        for figure, (on_board, on_list, header) in shown.items():
            surfaces = {"D 按下级统计表": on_board, "P 台账（该行链接）": on_list}
            if street_level:
                surfaces["W 台账汇总 该街道行"] = by_street[name][header]
            check.same(figure, surfaces)
    check.done(at_least=60)


# --- renovation -----------------------------------------------------------------------------

STREET_REPORT_SUMMED = [
    "项目数（个）",
    "户数（户）",
    "楼栋数（栋）",
    "建筑面积（万㎡）",
    "总投资（万元）",
    *(f"{source.label}（万元）" for source in FundingSource),
    "资金缺口（万元）",
    "资金缺口项目（个）",
    *OUTPUT_HEADERS.values(),
    *(f"{stage.label}（个）" for stage in Stage),
    "受违建阻碍项目（个）",
    "待拆违建（㎡）",
]
PROJECT_REPORT_SUMMED = [
    "楼栋数（栋）",
    "户数（户）",
    "建筑面积（万㎡）",
    "总投资（万元）",
    *(f"{source.label}（万元）" for source in FundingSource),
    "资金缺口（万元）",
    "完成投资（万元）",
]


class RenovationApi:
    """A scope's projects, their funding lines and work items as the API lists them."""

    def __init__(self, demo, user):
        self.projects = demo.api(user, "/api/v1/renovation-projects/?page_size=200")
        self.lines = demo.api(user, "/api/v1/renovation-funding/?page_size=200")
        self.items = demo.api(user, "/api/v1/renovation-work-items/?page_size=200")
        self.catalogue = {row["id"]: row for row in demo.api(user, "/api/v1/renovation-catalogue/?page_size=200")}
        self.estates = {row["id"]: row for row in demo.api(user, "/api/v1/estates/?page_size=200")}

    def of_year(self, year) -> list[dict]:
        return [p for p in self.projects if p["year"] == year]

    def figures(self, year) -> dict:
        """The year's figures an API client adds up, in the report's units (万元, 万㎡)."""
        projects = self.of_year(year)
        ids = {p["id"] for p in projects}
        estates = [self.estates[p["estate"]] for p in projects]
        lines = [line for line in self.lines if line["project"] in ids]
        items = [item for item in self.items if item["project"] in ids]
        money = [p["money"] for p in projects]
        figures = {
            "项目数（个）": len(projects),
            "户数（户）": sum(e["households"] or 0 for e in estates),
            "楼栋数（栋）": sum(e["building_count"] or 0 for e in estates),
            "建筑面积（万㎡）": wan(exact_sum(estates, "floor_area")),
            "总投资（万元）": wan(exact_sum(money, "total_investment")),
            "资金缺口（万元）": wan(exact_sum(money, "gap")),
            "资金缺口项目（个）": sum(1 for m in money if Decimal(m["gap"]) > 0),
            "完成投资（万元）": wan(exact_sum(items, "actual_cost")),
        }
        for source in FundingSource:
            figures[f"{source.label}（万元）"] = wan(exact_sum([x for x in lines if x["source"] == source], "planned"))
        for output, header in OUTPUT_HEADERS.items():
            quantity = exact_sum([i for i in items if self.catalogue[i["item"]]["output"] == output], "quantity")
            places = 0 if header.endswith(("（部）", "（个）")) else 2
            figures[header] = wan(quantity) if output == Output.RETROFIT_M2 else round_to(quantity, places)
        for stage in Stage:
            figures[f"{stage.label}（个）"] = sum(1 for p in projects if p["stage"] == stage)
        return figures


def street_report_page(doc) -> dict:
    table = html_table(doc, "//table[@id='street-report']")
    return by_header(table["headers"], table["foot"][0])


def test_renovation_reports_by_year(demo, scope):
    """The street report (page) against the API's projects, funding lines and work items,
    every year with projects; this year and last year, also the street report's .xlsx,
    the project report (page and .xlsx) and the workbook's 改造进展与成效. The dashboard's
    year, outputs and stages (of every year)."""
    user, check, this_year = SCOPES[scope], Check(scope), timezone.localdate().year
    api = RenovationApi(demo, user)
    years = sorted({p["year"] for p in api.projects} | {this_year})
    assert len(api.of_year(this_year)) > 0, "no project this year: nothing would be compared"
    stages_over_years = Counter()
    for year in years:
        street_page = street_report_page(demo.page(user, f"/renovation/reports/streets/?year={year}"))
        for stage in Stage:
            stages_over_years[stage.value] += int(number(street_page[f"{stage.label}（个）"]))
        from_api = api.figures(year)
        projects = api.of_year(year)
        check.same(
            f"{year}年 计划筹措（元）",
            {
                "A renovation-projects money.planned": exact_sum([p["money"] for p in projects], "planned"),
                "A renovation-funding planned": exact_sum(
                    [x for x in api.lines if x["project"] in {p["id"] for p in projects}], "planned"
                ),
            },
        )
        if year < this_year - 1:
            for header in STREET_REPORT_SUMMED:
                if header in from_api:
                    check.same(
                        f"{year}年 {header}",
                        {"P 按街道统计 合计": street_page[header], "A renovation-* 之和": from_api[header]},
                    )
            continue
        street_xlsx = read_report(demo.xlsx(user, f"/renovation/reports/streets.xlsx?year={year}"))
        workbook = read_report(demo.xlsx(user, workbook_url(year)), "改造进展与成效")
        project_doc = demo.page(user, f"/renovation/reports/projects/?year={year}&page_size=200")
        project_table = html_table(project_doc, "//table[@id='project-report']")
        project_page = by_header(project_table["headers"], project_table["foot"][0])
        project_xlsx = read_report(demo.xlsx(user, f"/renovation/reports/projects.xlsx?year={year}"))
        for header in STREET_REPORT_SUMMED:
            shown = {
                "P 按街道统计 合计": street_page[header],
                "X 按街道统计.xlsx 合计": sheet_total(street_xlsx, header),
                "W 改造进展与成效 合计": sheet_total(workbook, header),
            }
            if header in PROJECT_REPORT_SUMMED:
                shown["P 改造项目表 合计"] = project_page[header]
                shown["X 改造项目表.xlsx 合计"] = sheet_total(project_xlsx, header)
            if header in from_api:
                shown["A renovation-* 之和"] = from_api[header]
            check.same(f"{year}年 {header}", shown)
        check.same(
            f"{year}年 完成投资（万元）",
            {
                "P 改造项目表 合计": project_page["完成投资（万元）"],
                "X 改造项目表.xlsx 合计": sheet_total(project_xlsx, "完成投资（万元）"),
                "A renovation-work-items 之和": from_api["完成投资（万元）"],
            },
        )
        count_line = text_of(project_doc.xpath("//p[contains(., '个项目')]")[0])
        check.same(
            f"{year}年 项目数（个）",
            {
                "P 按街道统计 合计": street_page["项目数（个）"],
                "P 改造项目表 共…个项目": re.search(r"共 ([\d,]+) 个项目", count_line).group(1),
                "P 改造项目表 合计行": leading_number(project_page["小区名称"]),
                "X 改造项目表.xlsx 行数": len(project_xlsx.data),
                "X 改造项目表.xlsx 合计行": leading_number(project_xlsx.total("小区名称")),
            },
        )

    # The dashboard: this year's projects and outputs, and the pipeline of every year.
    board = Board(demo.page(user, "/dashboard/"))
    street_page = street_report_page(demo.page(user, f"/renovation/reports/streets/?year={this_year}"))
    check.same(
        f"{this_year}年 改造项目（个）",
        {
            "D 本年改造项目": board.value("projects_this_year"),
            "P 按街道统计 合计": street_page["项目数（个）"],
            "A renovation-projects?year": len(api.of_year(this_year)),
        },
    )
    from_api = api.figures(this_year)
    outputs = board.rows("outputs")
    assert len(outputs) == len(OUTPUT_HEADERS)
    for row in outputs:
        header = OUTPUT_HEADERS[Output(row.get("data-output"))]
        check.same(
            f"{this_year}年 {header}",
            {
                "D 改造项目产出 本年": text_of(row.xpath("./td")[1]),
                "P 按街道统计 合计": street_page[header],
                "A renovation-work-items 之和": from_api[header],
            },
        )
    by_stage = Counter(p["stage"] for p in api.projects)
    chart = dict(zip(board.charts["stages"]["categories"], board.charts["stages"]["data"], strict=True))
    for cell in board.doc.xpath("//table[@id='stages']//a[@data-stage]"):
        stage = Stage(cell.get("data-stage"))
        check.same(
            f"{stage.label}（个，各年度）",
            {
                "D 改造项目按阶段": text_of(cell),
                "D 阶段图 JSON": chart[str(stage.label)],
                "P 按街道统计 各年合计之和": stages_over_years[stage.value],
                "A renovation-projects 按阶段": by_stage[stage.value],
            },
        )
    check.same(
        "在建项目（个）",
        {"D 在建项目": board.value("projects_started"), "A renovation-projects 按阶段": by_stage[Stage.CONSTRUCTION]},
    )
    check.done(at_least=120)


MONEY_LINE = re.compile(r"^([\d,]+\.\d{2}) 元")


def project_money_page(doc) -> dict:
    """A project page's money (dl#money): 总投资, 计划筹措 and by source, 已到位, 资金缺口, in 元."""
    facts = doc.xpath("//dl[@id='money']")[0]
    shown = {text_of(dt): text_of(dd) for dt, dd in zip(facts.xpath("./dt"), facts.xpath("./dd"), strict=True)}
    planned = shown["计划筹措"]
    by_source = {}
    inner = re.search(r"（(.*)）", planned)
    for part in inner.group(1).split("，") if inner else []:
        label, amount = part.rsplit(" ", 1)
        by_source[label] = number(amount)
    gap = text_of(facts.xpath(".//dd[@id='gap']")[0])
    return {
        "total_investment": number(MONEY_LINE.search(shown["总投资（预算）"]).group(1)),
        "planned": number(MONEY_LINE.search(planned).group(1)),
        "received": number(MONEY_LINE.search(shown["已到位"]).group(1)),
        "gap": Decimal(0) if gap.startswith("无") else number(MONEY_LINE.search(gap).group(1)),
        "by_source": by_source,
    }


def test_renovation_projects(demo, scope):
    """Each of this year's projects: its page's money, the API's money and funding lines,
    and its row of the project report (page and .xlsx, in 万元)."""
    user, check, year = SCOPES[scope], Check(scope), timezone.localdate().year
    api = RenovationApi(demo, user)
    projects = api.of_year(year)
    assert projects, "no project this year"
    table = html_table(
        demo.page(user, f"/renovation/reports/projects/?year={year}&page_size=200"), "//table[@id='project-report']"
    )
    page_rows = {(row["社区"], row["小区名称"]): row for row in (by_header(table["headers"], r) for r in table["body"])}
    xlsx_rows = {
        (row["社区"], row["小区名称"]): row
        for row in workbook_rows(read_report(demo.xlsx(user, f"/renovation/reports/projects.xlsx?year={year}")))
    }
    assert len(page_rows) == len(xlsx_rows) == len(projects), "one project per estate and year, on every surface"
    for project in projects:
        name = f"{project['estate_name']}（项目{project['id']}）"
        page = project_money_page(demo.page(user, f"/renovation/{project['id']}/"))
        money = {key: Decimal(value) for key, value in project["money"].items()}
        lines = [line for line in api.lines if line["project"] == project["id"]]
        key = (project["community_name"], project["estate_name"])
        for figure, field, header in (
            ("总投资", "total_investment", "总投资（万元）"),
            ("计划筹措", "planned", None),
            ("已到位", "received", None),
            ("资金缺口", "gap", "资金缺口（万元）"),
        ):
            shown = {"P 项目页（元）": page[field], "A renovation-projects money（元）": money[field]}
            if field in ("planned", "received"):
                shown["A renovation-funding 之和（元）"] = exact_sum(lines, field)
            check.same(f"{name} {figure}（元）", shown)
            if header:
                check.same(
                    f"{name} {header}",
                    {
                        "P 改造项目表 该行": page_rows[key][header],
                        "X 改造项目表.xlsx 该行": xlsx_rows[key][header],
                        "A renovation-projects money": wan(money[field]),
                    },
                )
        for source in FundingSource:
            planned = exact_sum([x for x in lines if x["source"] == source], "planned")
            if not planned and str(source.label) not in page["by_source"]:
                continue
            check.same(
                f"{name} {source.label}（元）",
                {"P 项目页": page["by_source"].get(str(source.label)), "A renovation-funding 之和": planned},
            )
            check.same(
                f"{name} {source.label}（万元）",
                {
                    "P 改造项目表 该行": page_rows[key][f"{source.label}（万元）"],
                    "X 改造项目表.xlsx 该行": xlsx_rows[key][f"{source.label}（万元）"],
                    "A renovation-funding 之和": wan(planned),
                },
            )
    check.done(at_least=10 * len(projects))


# --- complaints -----------------------------------------------------------------------------

MEASURE_KEYS = [key for key, _label in MEASURE_HEADERS[1:]]


def api_measures(cases) -> dict:
    """The 12345 measures of some cases, by their definitions (docs/figures.md)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    done = [c for c in cases if c["status"] in DONE]
    on_time = [
        c
        for c in done
        if c["resolve_due"] is not None
        and c["resolved_at"] is not None
        and date.fromisoformat(c["resolve_due"]) >= datetime.fromisoformat(c["resolved_at"]).astimezone(tz).date()
    ]
    rated = [c["satisfaction"] for c in cases if c["satisfaction"] is not None]
    counts = {
        "received": len(cases),
        "accepted": sum(1 for c in cases if c["accepted_at"]),
        "resolved": len(done),
        "rated": len(rated),
    }
    return {
        **counts,
        "resolved_rate": share(len(done), counts["accepted"]),
        "on_time_rate": share(len(on_time), len(done)),
        "reply_rate": share(sum(1 for c in done if c["reply"]), len(cases)),
        "satisfied_rate": share(sum(1 for s in rated if s >= 4), len(rated)),
        "satisfaction_avg": round_to(Fraction(sum(rated), len(rated)), 2) if rated else None,
    }


def received_month(case) -> date:
    local = datetime.fromisoformat(case["received_at"]).astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.date().replace(day=1)


def measures_page(doc) -> dict:
    """The 合计 row of the measures page, by measure."""
    table = html_table(doc, "//table[tfoot]")
    headers = [h.removesuffix("（件）").removesuffix("（分）") for h in table["headers"][1:]]
    labels = [str(label).split("（")[0] for _key, label in MEASURE_HEADERS[1:]]
    assert headers == labels, (headers, labels)
    return dict(zip(MEASURE_KEYS, table["foot"][0][1:], strict=True))


def test_complaint_measures(demo, scope):
    """The year's measures on the page, its .xlsx, the workbook and from the API's cases;
    each of the dashboard's twelve months against that month's page and the API."""
    user, check, year = SCOPES[scope], Check(scope), timezone.localdate().year
    board = Board(demo.page(user, "/dashboard/"))
    months = []
    for row in board.rows("complaint-months"):
        cells = [text_of(td) for td in row.xpath("./td")]
        first = date.fromisoformat(dict(parse_qsl(urlsplit(row.xpath(".//a/@href")[0]).query))["received_after"])
        months.append((first, cells))
    assert len(months) == 12
    since, until = months[0][0], timezone.localdate()
    cases = demo.api(
        user,
        f"/api/v1/complaints/?queue=all&received_after={since:%Y-%m-%d}&received_before={until:%Y-%m-%d}&page_size=200",
    )
    assert cases, "no complaints in the dashboard's twelve months"

    year_cases = demo.api(
        user, f"/api/v1/complaints/?queue=all&received_after={year}-01-01&received_before={year}-12-31&page_size=200"
    )
    page = measures_page(demo.page(user, f"/complaints/measures/?year={year}"))
    export = read_report(demo.xlsx(user, f"/complaints/measures.xlsx?year={year}"))
    workbook = read_report(demo.xlsx(user, workbook_url(year)), "投诉办理情况")
    from_api = api_measures(year_cases)
    for key, label in MEASURE_HEADERS[1:]:
        check.same(
            f"{year}年 {label}",
            {
                "P 办理情况 合计": page[key],
                "X 办理情况.xlsx 合计": sheet_total(export, label),
                "W 投诉办理情况 合计": sheet_total(workbook, label),
                "A complaints 按定义": from_api[key],
            },
        )

    by_month = defaultdict(list)
    for case in cases:
        by_month[received_month(case)].append(case)
    chart = board.charts["complaints"]
    for index, (month, (_label, received, on_time, satisfied)) in enumerate(months):
        this_month = index == len(months) - 1
        if not (this_month or number(received) or by_month[month]):
            continue  # a month without complaints on the dashboard nor in the API
        page = measures_page(demo.page(user, f"/complaints/measures/?year={month.year}&month={month.month}"))
        from_api = api_measures(by_month[month])
        for figure, on_board, key, series in (
            ("收到投诉（件）", received, "received", "received"),
            ("按期办结率（%）", on_time, "on_time_rate", "on_time_rate"),
            ("满意率（%）", satisfied, "satisfied_rate", "satisfied_rate"),
        ):
            check.same(
                f"{month:%Y年%m月} {figure}",
                {
                    "D 按月表": on_board,
                    "D 投诉图 JSON": chart[series][index],
                    "P 办理情况?month 合计": page[key],
                    "A complaints 按定义": from_api[key],
                },
            )
        if this_month:  # the headline cards
            resolved, rated = (
                board.note("complaints_on_time", r"已办结([\d,]+)件")[0],
                board.note("complaints_satisfied", r"评价([\d,]+)件")[0],
            )
            for figure, card, key in (
                ("本月收到投诉（件）", board.value("complaints_received"), "received"),
                ("本月按期办结率（%）", board.value("complaints_on_time"), "on_time_rate"),
                ("本月满意率（%）", board.value("complaints_satisfied"), "satisfied_rate"),
                ("本月已办结（件）", resolved, "resolved"),
                ("本月评价数（件）", rated, "rated"),
            ):
                check.same(
                    figure,
                    {"D 工作台卡片": card, "P 办理情况?month 合计": page[key], "A complaints 按定义": from_api[key]},
                )
    check.done(at_least=80)


# --- property management --------------------------------------------------------------------

PAYMENT_TOTALS = re.compile(
    r"共 ([\d,]+) 笔，合计 ([\d,.]+) 元（预拨 ([\d,.]+) 元，尾款 ([\d,.]+) 元）；"
    r"已审批拨付 ([\d,.]+) 元，待审批 ([\d,]+) 笔"
)


def payments_page(doc) -> dict:
    text = text_of(doc.xpath("//p[@id='totals']")[0])
    found = PAYMENT_TOTALS.search(text)
    assert found, text
    keys = ("count", "amount", "advance", "balance", "approved_amount", "proposed")
    figures = dict(zip(keys, (number(g) for g in found.groups()), strict=True))
    figures["label"] = text_of(doc.xpath("//h1")[0]).split("：", 1)[1]
    return figures


def api_payments(rows) -> dict:
    approved = [r for r in rows if r["status"] == SubsidyPayment.Status.APPROVED]
    proposed = [r for r in rows if r["status"] == SubsidyPayment.Status.PROPOSED]
    return {
        "count": len(rows),
        "amount": exact_sum(rows, "amount"),
        "advance": exact_sum([r for r in rows if r["tranche"] == Tranche.ADVANCE], "amount"),
        "balance": exact_sum([r for r in rows if r["tranche"] == Tranche.BALANCE], "amount"),
        "approved": len(approved),
        "approved_amount": exact_sum(approved, "amount"),
        "proposed": len(proposed),
        "proposed_amount": exact_sum(proposed, "amount"),
    }


def test_property_figures(demo, scope):
    """Subsidies per period (page, .xlsx, API), over the year (workbook) and this period
    (dashboard); owners' committees overdue and out of term; the exit list."""
    user, check, year = SCOPES[scope], Check(scope), timezone.localdate().year
    links = demo.page(user, "/property/subsidies/").xpath("//a/@href")
    periods = sorted(
        {int(found.group(1)) for href in links if (found := re.fullmatch(r"/property/subsidies/(\d+)/", href))}
    )
    assert periods, "no subsidy period"
    by_label = {}
    for period in periods:
        page = payments_page(demo.page(user, f"/property/subsidies/{period}/"))
        export = read_report(demo.xlsx(user, f"/property/subsidies/{period}/export.xlsx"))
        api = api_payments(demo.api(user, f"/api/v1/subsidy-payments/?period={period}&page_size=200"))
        by_label[page["label"]] = api
        rows = workbook_rows(export)
        label = page["label"]
        check.same(
            f"{label} 补贴笔数（笔）",
            {
                "P 补贴发放": page["count"],
                "X 补贴发放.xlsx 行数": len(rows),
                "X 补贴发放.xlsx 合计行": leading_number(export.total("小区名称")),
                "A subsidy-payments count": api["count"],
            },
        )
        for figure, key, of_rows in (
            ("合计（元）", "amount", rows),
            ("预拨（元）", "advance", [r for r in rows if r["批次"] == str(Tranche.ADVANCE.label)]),
            ("尾款（元）", "balance", [r for r in rows if r["批次"] == str(Tranche.BALANCE.label)]),
            (
                "已审批拨付（元）",
                "approved_amount",
                [r for r in rows if r["状态"] == str(SubsidyPayment.Status.APPROVED.label)],
            ),
        ):
            shown = {
                "P 补贴发放": page[key],
                "X 补贴发放.xlsx 各行之和": sum((number(r["金额（元）"]) for r in of_rows), Decimal(0)),
                "A subsidy-payments 之和": api[key],
            }
            if key == "amount":
                shown["X 补贴发放.xlsx 合计"] = sheet_total(export, "金额（元）")
            check.same(f"{label} {figure}", shown)
        proposed_rows = [r for r in rows if r["状态"] == str(SubsidyPayment.Status.PROPOSED.label)]
        check.same(
            f"{label} 待审批（笔）",
            {
                "P 补贴发放": page["proposed"],
                "X 补贴发放.xlsx 行数": len(proposed_rows),
                "A subsidy-payments": api["proposed"],
            },
        )

    # The workbook's year: the periods its unit line names, added up.
    book = demo.xlsx(user, workbook_url(year))
    subsidies = read_report(book, "物业补贴")
    named = re.search(r"补贴期间：(\S+)", subsidies.unit).group(1).split("、")
    assert set(named) <= set(by_label), (named, list(by_label))
    for header, key in (
        ("发放笔数（笔）", "count"),
        ("预拨（元）", "advance"),
        ("考核后拨付（元）", "balance"),
        ("合计（元）", "amount"),
        ("已审批（笔）", "approved"),
        ("已审批金额（元）", "approved_amount"),
        ("待审批（笔）", "proposed"),
        ("待审批金额（元）", "proposed_amount"),
    ):
        total = sum((by_label[label][key] for label in named), Decimal(0))
        check.same(
            f"{year}年 物业补贴 {header}",
            {"W 物业补贴 合计": sheet_total(subsidies, header), "A subsidy-payments 之和": total},
        )
    check.same(
        f"{year}年 物业补贴 合计（万元）",
        {
            "W 物业补贴 合计": sheet_total(subsidies, "合计（万元）"),
            "A subsidy-payments 之和": wan(sum((by_label[label]["amount"] for label in named), Decimal(0))),
        },
    )

    # The dashboard's current period: the card, its note and the page it links to.
    board = Board(demo.page(user, "/dashboard/"))
    card = board.cards["subsidies"]
    linked = re.fullmatch(r"/property/subsidies/(\d+)/", card["url"])
    assert linked, card["url"]
    current = payments_page(demo.page(user, card["url"]))
    n, total, proposed = board.note("subsidies", r"共([\d,]+)笔、([\d,.]+)万元，待审批([\d,]+)笔")
    check.same(
        "本期已审批拨付的物业补贴（万元）",
        {"D 工作台卡片": card["value"], "P 补贴发放（该卡链接）": wan(current["approved_amount"])},
    )
    check.same("本期补贴笔数（笔）", {"D 工作台卡片说明": n, "P 补贴发放（该卡链接）": current["count"]})
    check.same("本期补贴合计（万元）", {"D 工作台卡片说明": total, "P 补贴发放（该卡链接）": wan(current["amount"])})
    check.same("本期待审批（笔）", {"D 工作台卡片说明": proposed, "P 补贴发放（该卡链接）": current["proposed"]})

    # Owners' committees: overdue steps and terms run out.
    committees = read_report(book, "业主组织")
    listed = text_of(demo.page(user, "/property/committees/overdue/"))
    check.same(
        "业主组织逾期未推进（个）",
        {
            "D 工作台卡片": board.value("committees_overdue"),
            "P 业主组织逾期清单": re.search(r"共 ([\d,]+) 个。", listed).group(1),
            "W 业主组织 合计 进度逾期": sheet_total(committees, "进度逾期（个）"),
        },
    )
    home = demo.page(user, "/property/")
    expired = home.xpath("//form[@id='expired-terms']")
    check.same(
        "任期届满未换届的业主委员会（个）",
        {
            "P 物业管理首页": leading_number(text_of(expired[0])) if expired else 0,
            "W 业主组织 合计": sheet_total(committees, "任期届满未换届（个）"),
        },
    )
    exit_rows = [
        row for row in html_table(home, "//table[@id='exit-list']")["body"] if len(row) == 5
    ]  # 街道 企业 依据 限期整改 (actions)
    check.same(
        "触发退出机制的物业企业（家）",
        {"D 工作台卡片": board.value("exit_companies"), "P 物业企业退出名单": len({row[1] for row in exit_rows})},
    )
    check.same(
        "退出名单条数（条）",
        {
            "D 工作台卡片说明": board.note("exit_companies", r"名单共([\d,]+)条")[0],
            "P 物业企业退出名单": len(exit_rows),
        },
    )
    check.done(at_least=30)
