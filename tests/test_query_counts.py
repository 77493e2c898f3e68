"""Lists cost the same number of queries whatever the page and page size:
no query per row can creep in."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from communities.models import Building, Estate, IllegalStructure
from tests.conftest import Counted, counted, same_query_count
from tests.factories import HoldingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_estates(world):
    estates = Estate.objects.bulk_create(
        Estate(
            community=world.community_a1 if i % 2 else world.community_a2,
            name=f"批量小区{i:03d}",
            year_built=1960 + i % 40,
            households=100 + i,
            floor_area=1000 + i,
        )
        for i in range(230)
    )
    Building.objects.bulk_create(Building(estate=e, number="1号楼", floors=6, danger_grade="C") for e in estates[:50])
    IllegalStructure.objects.bulk_create(
        IllegalStructure(estate=e, description="小配房", area=12) for e in estates[:40]
    )
    for estate in estates[:5]:
        HoldingFactory(estate=estate, rights_unit__district=world.district)
    return estates


def request_queries(client, url, params, *, cold=False) -> Counted:
    """The statements of one request (`.result` is the response), after a first
    request has settled the session (the first one records the user's activity
    time). `cold` empties the cache first, so cached totals are computed again."""
    if not getattr(client, "_warmed", False):
        client.get(url, params)
        client._warmed = True
    if cold:
        cache.clear()
    run = counted(lambda: client.get(url, params), label=f"{url} {params}{' cold' if cold else ''}")
    assert run.result.status_code == 200
    return run


@pytest.mark.parametrize("role", ["staff_a", "official"])
def test_list_page_query_count_is_independent_of_page_and_size(world, many_estates, client_for, role):
    client = client_for(getattr(world, role))
    url = reverse("communities:estate_list")
    cases = [
        {"page": 1},
        {"page": 3},
        {"page": 5, "page_size": 20},
        {"page": 2, "page_size": 200},
        {"page": 1, "is_old": "true", "sort": "-households"},
    ]
    for cold in (True, False):
        runs = []
        for params in cases:
            if not cold:
                client.get(url, params)  # this filter's totals are now cached
            runs.append(request_queries(client, url, params, cold=cold))
        same_query_count(*runs, why="cold cache" if cold else "warm cache")
        shown = {len(run.result.context["page"].object_list) for run in runs}
        assert shown >= {50, 20}  # the pages really differ in size


def test_api_list_query_count_is_independent_of_page_and_size(world, many_estates, client_for):
    client = client_for(world.staff_a)
    for cold in (True, False):
        runs = []
        for params in ({"page": 1}, {"page": 4}, {"page": 2, "page_size": 200}, {"page": 12, "page_size": 20}):
            runs.append(request_queries(client, "/api/v1/estates/", params, cold=cold))
            assert runs[-1].result.json()["count"] == 232
        same_query_count(*runs, why="cold cache" if cold else "warm cache")
    pages = [client.get("/api/v1/estates/", {"page": n, "page_size": 20}).json()["results"] for n in range(1, 13)]
    names = [row["name"] for page in pages for row in page]
    assert names == list(
        Estate.objects.filter(community__street=world.street_a).order_by("name", "id").values_list("name", flat=True)
    )


def test_building_and_rights_unit_api_query_counts(world, many_estates, client_for):
    client = client_for(world.official)
    for url in ("/api/v1/buildings/", "/api/v1/rights-units/"):
        same_query_count(*(request_queries(client, url, {"page_size": size}) for size in (2, 50)), why=url)


def test_export_query_count_does_not_grow_with_rows(world, many_estates, client_for):
    client = client_for(world.official)
    url = reverse("communities:estate_export")
    same_query_count(request_queries(client, url, {"year_from": 1999}), request_queries(client, url, {}))


def test_estate_detail_query_count_is_bounded(world, many_estates, client_for):
    estate = many_estates[0]
    client = client_for(world.staff_a)
    url = reverse("communities:estate_detail", args=[estate.pk])
    client.get(url)
    before = request_queries(client, url, {})
    Building.objects.bulk_create(Building(estate=estate, number=f"{n}号楼", floors=5) for n in range(2, 30))
    same_query_count(before, request_queries(client, url, {}), why="28 buildings added")


def test_cached_totals_follow_every_change(world, many_estates, client_for):
    """Totals are cached, but a change to the ledger is seen at once."""
    from communities import services

    client = client_for(world.staff_a)
    url = reverse("communities:estate_list")
    before = client.get(url).context["totals"]
    assert client.get(url).context["totals"] == before  # served from the cache
    services.update_estate(
        user=world.staff_a, estate_id=world.estate_a1.pk, data={"households": 1320}, expected_version=1
    )
    after = client.get(url).context["totals"]
    assert after["households"] == before["households"] + 1000
    services.create_building(
        user=world.staff_a, estate_id=world.estate_a1.pk, data={"number": "新楼", "floors": 5, "danger_grade": "D"}
    )
    response = client.get(url, {"has_dangerous_buildings": "true"})
    assert world.estate_a1.name in [row.name for row in response.context["rows"]]


@pytest.mark.parametrize("page_size", [20, 50])
def test_every_page_read_from_either_end_holds_the_right_rows(world, many_estates, client_for, page_size):
    expected = list(
        Estate.objects.filter(community__street=world.street_a).order_by("name", "id").values_list("name", flat=True)
    )
    client = client_for(world.staff_a)
    url = reverse("communities:estate_list")
    seen = []
    for page in range(1, len(expected) // page_size + 2):
        seen += [row.name for row in client.get(url, {"page": page, "page_size": page_size}).context["rows"]]
    assert seen == expected
    api = []
    for page in range(1, len(expected) // page_size + 2):
        api += [
            r["name"] for r in client.get("/api/v1/estates/", {"page": page, "page_size": page_size}).json()["results"]
        ]
    assert api == expected
