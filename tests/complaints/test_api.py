import pytest
from django.test import Client

from complaints import services
from tests.conftest import queries_exactly

pytestmark = pytest.mark.django_db


def test_api_lists_only_scope_with_masked_phones(world, file_case, client_for):
    mine = file_case(phone="13812345678")
    file_case(estate=world.estate_b1, phone="13900001111")
    data = client_for(world.staff_a).get("/api/v1/complaints/").json()
    assert data["count"] == 1
    assert data["results"][0]["number"] == mine.number
    assert data["results"][0]["reporter_phone"] == "138****5678"
    assert "13812345678" not in str(data)


def test_api_filters_like_the_page(world, file_case, client_for):
    a = file_case()
    file_case(phone="13900001111")
    services.accept(user=world.staff_a, complaint_id=a.pk)
    data = client_for(world.official).get("/api/v1/complaints/", {"status": "accepted"}).json()
    assert [r["number"] for r in data["results"]] == [a.number]
    data = client_for(world.official).get("/api/v1/complaints/", {"q": a.number}).json()
    assert data["count"] == 1


def test_api_detail_outside_scope_is_404(world, file_case, client_for):
    case = file_case()
    assert client_for(world.staff_b).get(f"/api/v1/complaints/{case.pk}/").status_code == 404
    detail = client_for(world.staff_a).get(f"/api/v1/complaints/{case.pk}/").json()
    assert detail["steps"][0]["action"] == "submit"


def test_api_is_read_only_and_needs_login(world, file_case, client_for):
    case = file_case()
    assert Client().get("/api/v1/complaints/").status_code in (401, 403)
    assert client_for(world.staff_a).delete(f"/api/v1/complaints/{case.pk}/").status_code == 405


def test_api_list_query_count_is_constant(world, file_case, client_for):
    for n in range(3):
        file_case(phone=f"1390000{n:04d}")
    client = client_for(world.official)
    client.get("/api/v1/complaints/")
    # session, user, bounded count, ids, rows with joins
    with queries_exactly(4):
        client.get("/api/v1/complaints/")
    for n in range(3, 12):
        file_case(phone=f"1390000{n:04d}")
    # session, user, bounded count, ids, rows with joins
    with queries_exactly(4):
        client.get("/api/v1/complaints/")


def test_case_filed_by_address_has_null_estate_name_as_the_schema_says(world, category, client_for):
    from drf_spectacular.generators import SchemaGenerator

    filing = services.Filing(
        category=category,
        description="路灯不亮",
        reporter_name="李秀英",
        reporter_phone="13812345678",
        street=world.street_a,
        address="和平里东街1号",
        consent=True,
    )
    case = services.file_complaint(filing=filing)
    row = client_for(world.staff_a).get(f"/api/v1/complaints/{case.pk}/").json()
    assert row["estate"] is None and row["estate_name"] is None
    component = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]["Complaint"]
    assert component["properties"]["estate_name"]["nullable"] is True
