"""The ledger in pinyin (issue 15): names sorted as PostgreSQL's zh collation sorts
them on both databases (the embedded SQLite demo sorted by code point: 东, 交, 光, 和,
四), found by their pinyin initials ("gmbl" for 光明北里), and a blank 待拆违建 no more."""

import pytest
from lxml import html

from communities.models import Estate
from core.pinyin import initials, sort_key
from tests.factories import EstateFactory

pytestmark = pytest.mark.django_db

NAMES = ["四块玉", "东四十条", "交道口", "光明北里", "和平里", "安定门"]
PINYIN_ORDER = ["安定门", "东四十条", "光明北里", "和平里", "交道口", "四块玉"]


def _ledger_names(client, **params) -> list[str]:
    page = client.get("/ledger/", params)
    assert page.status_code == 200
    return [row.name for row in page.context["rows"]]


def test_initials_of_chinese_latin_and_digits():
    assert initials("光明北里") == "gmbl"
    assert initials("和平里七区（东）") == "hplqqd"
    assert initials("3号院A座") == "3hyaz"
    assert sorted(NAMES, key=sort_key) == PINYIN_ORDER


@pytest.mark.figures
def test_ledger_sorts_names_in_pinyin_on_either_database(world, client_for):
    Estate.objects.all().delete()
    for name in NAMES:
        EstateFactory(community=world.community_a1, name=name)
    client = client_for(world.official)
    assert _ledger_names(client) == PINYIN_ORDER
    assert _ledger_names(client, sort="-name") == PINYIN_ORDER[::-1]


@pytest.mark.figures
def test_ledger_search_finds_an_estate_by_its_pinyin_initials(world, client_for):
    EstateFactory(community=world.community_a1, name="光明北里")
    client = client_for(world.official)
    assert _ledger_names(client, q="gmbl") == ["光明北里"]
    assert _ledger_names(client, q="GMB") == ["光明北里"]
    assert _ledger_names(client, q="光明") == ["光明北里"]
    assert _ledger_names(client, q="mbl") == []  # a prefix of the initials, as typed from the start
    assert _ledger_names(client, q="hplqq") == ["和平里七区"]  # the world's estate_a1


def test_initials_follow_a_rename_even_with_update_fields(world):
    estate = world.estate_a1
    assert Estate.objects.get(pk=estate.pk).name_initials == "hplqq"
    estate.name = "光明北里"
    estate.save(update_fields=["name"])
    assert Estate.objects.get(pk=estate.pk).name_initials == "gmbl"


def test_zero_pending_illegal_structures_show_as_zero_like_the_next_column(world, client_for):
    page = html.fromstring(client_for(world.official).get("/ledger/").content)
    headers = [th.text_content().strip() for th in page.xpath("//table//thead//th")]
    column = headers.index("待拆违建（㎡）") + 1
    cells = [td.text_content().strip() for td in page.xpath(f"//table//tbody/tr/td[{column}]")]
    assert cells and all(cell == "0.00" for cell in cells)
