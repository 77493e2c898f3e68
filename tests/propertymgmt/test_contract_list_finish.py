"""The contracts list (issue 15): filters by street, state, managing body and
company, inside the user's scope; its 每页 selector offers the sizes."""

from datetime import date

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from lxml import html

from propertymgmt.choices import ManagingBody
from tests.conftest import counted, same_query_count
from tests.factories import EstateFactory
from tests.propertymgmt.conftest import ContractFactory

pytestmark = pytest.mark.django_db


def _estates(page) -> list[str]:
    return [a.text_content() for a in html.fromstring(page.content).xpath("//table[@id='contracts']//tbody//td[2]/a")]


@pytest.fixture
def contracts(world):
    in_force = ContractFactory(estate=world.estate_a1, starts_on=date(2025, 1, 1))
    ended = ContractFactory(
        estate=EstateFactory(community=world.community_a1, name="光明北里"),
        starts_on=date(2020, 1, 1),
        ended_on=date(2024, 12, 31),
        end_reason="合同期满",
    )
    centre = ContractFactory(estate=world.estate_b1, body=ManagingBody.STREET_CENTRE, company=None)
    return in_force, ended, centre


def test_contracts_filter_by_street_state_body_and_company(world, contracts, client_for):
    in_force, ended, centre = contracts
    client = client_for(world.official)
    assert sorted(_estates(client.get("/property/contracts/"))) == sorted(
        [in_force.estate.name, ended.estate.name, centre.estate.name]
    )
    assert _estates(client.get("/property/contracts/", {"street": world.street_b.pk})) == [centre.estate.name]
    assert sorted(_estates(client.get("/property/contracts/", {"active": "1"}))) == sorted(
        [in_force.estate.name, centre.estate.name]
    )
    assert _estates(client.get("/property/contracts/", {"active": "0"})) == [ended.estate.name]
    assert _estates(client.get("/property/contracts/", {"body": "street_centre"})) == [centre.estate.name]
    assert _estates(client.get("/property/contracts/", {"company": in_force.company.pk})) == [in_force.estate.name]
    form = html.fromstring(client.get("/property/contracts/").content).xpath("//form[@id='contract-filters']")[0]
    assert {s.get("name") for s in form.xpath(".//select")} == {"street", "active", "body", "company"}


def test_street_staff_filter_only_their_own_street(world, contracts, client_for):
    client = client_for(world.staff_a)
    page = client.get("/property/contracts/")
    streets = html.fromstring(page.content).xpath("//select[@name='street']/option/text()")
    assert world.street_a.name in streets and world.street_b.name not in streets
    assert contracts[2].estate.name not in _estates(page)
    # Another street's id is refused by the filter, not obeyed.
    assert _estates(client.get("/property/contracts/", {"street": world.street_b.pk})) == []


def test_contract_list_queries_do_not_grow_with_the_rows(world, contracts, client_for):
    client = client_for(world.official)
    client.get("/property/contracts/")
    few = counted(lambda: client.get("/property/contracts/", {"active": "1", "street": world.street_a.pk}))
    for n in range(6):
        ContractFactory(estate=EstateFactory(community=world.community_a1, name=f"新增{n}号院"))
    same_query_count(
        few,
        lambda: client.get("/property/contracts/", {"active": "1", "street": world.street_a.pk}),
        why="3 contracts, then 9",
    )


def test_the_page_size_selector_offers_the_sizes_without_the_view_naming_them(db):
    page = Paginator(list(range(45)), 20).get_page(1)
    request = RequestFactory().get("/property/contracts/")
    rendered = html.fromstring(render_to_string("partials/pagination.html", {"page": page, "request": request}))
    options = rendered.xpath("//select[@name='page_size']/option")
    assert [o.get("value") for o in options] == ["20", "50", "100", "200"]
    assert [o.get("value") for o in options if o.get("selected") is not None] == ["20"]
