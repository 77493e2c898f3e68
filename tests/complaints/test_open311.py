"""Open311 GeoReport v2 against the spec's examples (wiki.open311.org/GeoReport_v2)."""

import pytest
from django.core.cache import cache
from django.test import Client

from complaints import services
from complaints.models import Complaint

pytestmark = pytest.mark.django_db

SERVICE_KEYS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_KEYS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


def test_services_json_has_the_spec_fields(db):
    services_ = Client().get("/open311/v2/services.json").json()
    assert len(services_) >= 10
    assert set(services_[0]) == SERVICE_KEYS
    assert services_[0]["metadata"] is False and services_[0]["type"] == "realtime"


def test_post_request_like_the_spec_example(world):
    response = Client().post(
        "/open311/v2/requests.json",
        {
            "service_code": "common_area",
            "address_string": world.estate_a1.name,
            "description": "楼道堆放杂物",
            "first_name": "秀英",
            "last_name": "李",
            "phone": "13812345678",
            "email": "li@example.com",
            "device_id": "tY7muzjmVRgpHgg",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body[0]) == {"service_request_id", "service_notice", "account_id"}
    case = Complaint.objects.get(number=body[0]["service_request_id"])
    assert case.channel == "open311" and case.estate == world.estate_a1 and case.reporter_name == "李秀英"


def test_post_errors_use_the_spec_format(world):
    missing_code = Client().post("/open311/v2/requests.json", {"address_string": "x"})
    assert missing_code.status_code == 400
    assert set(missing_code.json()[0]) == {"code", "description"}
    assert missing_code.json()[0]["code"] == 400
    no_location = Client().post("/open311/v2/requests.json", {"service_code": "noise", "phone": "13812345678"})
    assert no_location.status_code == 400 and "location" in no_location.json()[0]["description"]
    bad_phone = Client().post(
        "/open311/v2/requests.json", {"service_code": "noise", "lat": "39.95", "long": "116.41", "description": "吵"}
    )
    assert bad_phone.status_code == 400 and "phone" in bad_phone.json()[0]["description"]
    assert not Complaint.objects.exists()


def test_api_key_is_required_when_configured(world, settings):
    settings.OPEN311_API_KEYS = ["secret-key"]
    data = {"service_code": "noise", "lat": "39.95", "long": "116.41", "description": "吵", "phone": "13812345678"}
    refused = Client().post("/open311/v2/requests.json", data)
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403
    assert Client().post("/open311/v2/requests.json", {**data, "api_key": "secret-key"}).status_code == 200


def test_get_request_by_id_shows_public_fields_only(world, file_case):
    case = file_case(phone="13812345678", description="别人看不到的描述")
    services.accept(user=world.staff_a, complaint_id=case.pk)
    response = Client().get(f"/open311/v2/requests/{case.number}.json")
    assert response.status_code == 200
    row = response.json()[0]
    assert set(row) == REQUEST_KEYS
    assert row["status"] == "open" and row["service_code"] == case.category.code
    assert "别人看不到的描述" not in response.content.decode()
    assert "13812345678" not in response.content.decode() and "李秀英" not in response.content.decode()
    missing = Client().get("/open311/v2/requests/TS-20000101-000001.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_get_requests_filters_by_status_and_ids(world, file_case):
    open_case = file_case()
    closed_case = file_case(phone="13900001111")
    services.reject(user=world.staff_a, complaint_id=closed_case.pk, reason="不属于物业管理范围")
    client = Client()
    assert [r["service_request_id"] for r in client.get("/open311/v2/requests.json", {"status": "open"}).json()] == [
        open_case.number
    ]
    closed = client.get("/open311/v2/requests.json", {"status": "closed"}).json()
    assert [r["service_request_id"] for r in closed] == [closed_case.number]
    assert closed[0]["status_notes"] == "不属于物业管理范围"
    both = client.get("/open311/v2/requests.json", {"service_request_id": f"{open_case.number},{closed_case.number}"})
    assert len(both.json()) == 2
    bad = client.get("/open311/v2/requests.json", {"start_date": "yesterday"})
    assert bad.status_code == 400
