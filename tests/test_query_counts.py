"""Lists cost the same number of queries whatever the page and page size:
no query per row can creep in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Building, Estate, IllegalStructure
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


def count_queries(client, url, params):
    """Queries of one request, after a first request has settled the session
    (the first one records the user's activity time)."""
    if not getattr(client, "_warmed", False):
        client.get(url, params)
        client._warmed = True
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("role", ["staff_a", "official"])
def test_list_page_query_count_is_independent_of_page_and_size(world, many_estates, client_for, role):
    client = client_for(getattr(world, role))
    url = reverse("communities:estate_list")
    client.get(url)  # warm the session
    counts = set()
    shown = set()
    for params in (
        {"page": 1},
        {"page": 3},
        {"page": 5, "page_size": 20},
        {"page": 2, "page_size": 200},
        {"page": 1, "is_old": "true", "sort": "-households"},
    ):
        queries, response = count_queries(client, url, params)
        counts.add(queries)
        shown.add(len(response.context["page"].object_list))
    assert len(counts) == 1, counts
    assert shown >= {50, 20}  # the pages really differ in size


def test_api_list_query_count_is_independent_of_page_and_size(world, many_estates, client_for):
    client = client_for(world.staff_a)
    counts = set()
    for params in ({"page": 1}, {"page": 4}, {"page": 2, "page_size": 200}, {"page": 12, "page_size": 20}):
        queries, response = count_queries(client, "/api/v1/estates/", params)
        counts.add(queries)
        assert response.json()["count"] == 232
    assert len(counts) == 1, counts


def test_building_and_rights_unit_api_query_counts(world, many_estates, client_for):
    client = client_for(world.official)
    for url in ("/api/v1/buildings/", "/api/v1/rights-units/"):
        counts = {count_queries(client, url, {"page_size": size})[0] for size in (2, 50)}
        assert len(counts) == 1, (url, counts)


def test_export_query_count_does_not_grow_with_rows(world, many_estates, client_for):
    client = client_for(world.official)
    url = reverse("communities:estate_export")
    few, _response = count_queries(client, url, {"year_from": 1999})
    many, _response = count_queries(client, url, {})
    assert few == many


def test_estate_detail_query_count_is_bounded(world, many_estates, client_for):
    estate = many_estates[0]
    client = client_for(world.staff_a)
    url = reverse("communities:estate_detail", args=[estate.pk])
    client.get(url)
    before, _ = count_queries(client, url, {})
    Building.objects.bulk_create(Building(estate=estate, number=f"{n}号楼", floors=5) for n in range(2, 30))
    after, _ = count_queries(client, url, {})
    assert after == before
