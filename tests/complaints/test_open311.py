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
    assert no_location.status_code == 400 and any("location" in e["description"] for e in no_location.json())
    bad_phone = Client().post(
        "/open311/v2/requests.json", {"service_code": "noise", "lat": "39.95", "long": "116.41", "description": "吵"}
    )
    assert bad_phone.status_code == 400 and any("phone" in e["description"] for e in bad_phone.json())
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


# --- issue 11 part 4: Open311 intake is no weaker than the web form ------------------------


def filing(world, **overrides):
    data = {
        "service_code": "common_area",
        "address_string": world.estate_a1.name,
        "description": "楼道堆放杂物",
        "last_name": "李",
        "first_name": "秀英",
        "phone": "13812345678",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(data, **extra):
    return Client(**extra).post("/open311/v2/requests.json", data)


def refused_naming(response, field: str | None, status: int = 400) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body, list) and body and all(set(e) == {"code", "description"} for e in body)
    assert all(e["code"] == status for e in body)
    text = " ".join(e["description"] for e in body)
    assert field is None or field in text, text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text  # said in Chinese
    return text


def test_open311_stops_at_the_same_per_phone_limit_as_the_form(world, settings):
    settings.COMPLAINT_RATE_PER_PHONE_DAY = 5
    estates = [world.estate_a1, world.estate_a2, world.estate_b1]
    for n in range(5):
        response = post(
            filing(world, address_string=estates[n % 3].name, description=f"问题{n}"), REMOTE_ADDR=f"10.0.1.{n}"
        )
        assert response.status_code == 200
    refused_naming(post(filing(world, description="第六次"), REMOTE_ADDR="10.0.1.9"), "phone", 429)
    assert Complaint.objects.count() == 5


def test_open311_and_the_form_share_the_per_address_limit(world, settings):
    from complaints.models import Category

    settings.COMPLAINT_RATE_PER_IP_HOUR = 2
    settings.COMPLAINT_CHALLENGE_AFTER = 100
    form = {
        "category": Category.objects.get(code="common_area").pk,
        "estate_name": world.estate_a2.name,
        "estate_id": world.estate_a2.pk,
        "description": "网页提交",
        "reporter_name": "王芳",
        "reporter_phone": "13700001111",
        "consent": "on",
    }
    assert Client(REMOTE_ADDR="10.3.3.3").post("/complaints/file/", form).status_code == 302
    assert post(filing(world), REMOTE_ADDR="10.3.3.3").status_code == 200
    assert post(filing(world, phone="13600001111"), REMOTE_ADDR="10.3.3.3").status_code == 429
    assert (
        Client(REMOTE_ADDR="10.3.3.3").post("/complaints/file/", {**form, "reporter_phone": "13500001111"}).status_code
        == 429
    )


def test_open311_caps_lengths_like_the_form(world):
    refused_naming(post(filing(world, description="长" * 200_000)), "description")
    refused_naming(post(filing(world, description="长" * 2001)), "description")
    refused_naming(post(filing(world, address_string="长" * 201)), "address_string")
    refused_naming(post(filing(world, last_name="李" * 20, first_name="秀" * 20)), "last_name")
    refused_naming(post(filing(world, device_id="x" * 41)), "device_id")
    assert not Complaint.objects.exists()
    assert post(filing(world, description="长" * 2000)).status_code == 200


@pytest.mark.parametrize(
    "field, value",
    [
        ("lat", "abc"),
        ("long", "<script>alert(1)</script>"),
        ("lat", "999"),
        ("lat", "-90.5"),
        ("long", "180.01"),
        ("long", "-181"),
        ("lat", "NaN"),
        ("lat", "1e2"),
        ("lat", "٣٩.٩٥"),  # Arabic-Indic digits: Decimal() would take them
        ("address_id", "²"),  # "²".isdigit() is True, int("²") raises
        ("address_id", "١٢"),  # int("١٢") == 12
        ("address_id", "abc"),
        ("address_id", "99999999"),
        ("address_id", "9" * 40),
        ("phone", "１٣８１２３４５６７８"),
        ("service_code", "no-such-service"),
    ],
)
def test_open311_refuses_junk_naming_the_field(world, field, value):
    data = filing(world, **{"lat": "39.95", "long": "116.41", field: value})
    if field == "address_id":
        data.pop("address_string")
    refused_naming(post(data), field)
    assert not Complaint.objects.exists()


def test_open311_refuses_a_point_outside_the_area_the_portal_knows(world):
    world.estate_a1.latitude, world.estate_a1.longitude = 39.95, 116.41
    world.estate_a1.save(update_fields=["latitude", "longitude"])
    refused_naming(post(filing(world, address_string=None, lat="31.23", long="121.47")), "lat")  # Shanghai
    ok = post(filing(world, address_string=None, lat="39.96", long="116.40"))
    assert ok.status_code == 200
    assert Complaint.objects.get().address == "经纬度 39.96, 116.40"


def test_open311_without_estate_coordinates_takes_any_point_in_china(world):
    refused_naming(post(filing(world, address_string=None, lat="48.85", long="2.35")), "lat")  # Paris
    assert post(filing(world, address_string=None, lat="31.23", long="121.47")).status_code == 200


def test_open311_coordinates_come_in_pairs(world):
    refused_naming(post(filing(world, address_string=None, lat="39.95")), "long")


def test_open311_address_id_in_ascii_digits_files_at_that_estate(world):
    response = post(filing(world, address_string=None, address_id=str(world.estate_b1.pk)))
    assert response.status_code == 200
    assert Complaint.objects.get().estate == world.estate_b1


@pytest.mark.parametrize("field", ["description", "phone", "service_code", "address_string", "email", "api_key"])
def test_nul_in_any_open311_field_is_a_400_in_the_spec_format(world, field):
    refused_naming(post(filing(world, **{field: "a\x00b"})), None)
    assert not Complaint.objects.exists()


def test_nul_in_open311_queries_and_paths_is_a_400(world):
    refused_naming(Client().get("/open311/v2/requests.json", {"service_request_id": "TS\x00"}), None)
    refused_naming(Client().get("/open311/v2/requests.json", {"service_code": "\x00"}), None)
    refused_naming(Client().get("/open311/v2/requests/%00.json"), None)


def test_without_configured_keys_no_api_key_is_needed(world, settings):
    settings.OPEN311_API_KEYS = []
    assert post(filing(world)).status_code == 200


def test_with_configured_keys_a_wrong_or_missing_key_is_refused(world, settings):
    settings.OPEN311_API_KEYS = ["key-one", "key-two"]
    refused_naming(post(filing(world)), "api_key", 403)
    refused_naming(post(filing(world, api_key="key-thre")), "api_key", 403)
    assert not Complaint.objects.exists()
    assert post(filing(world, api_key="key-two")).status_code == 200
