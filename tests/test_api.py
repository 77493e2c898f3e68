"""The REST API: same filters as the pages, clear 400s, 409 on a stale edit."""

import re

import pytest

from communities.models import Estate

pytestmark = pytest.mark.django_db


def test_filters_match_the_page(world, client_for):
    client = client_for(world.official)
    response = client.get("/api/v1/estates/", {"year_to": 1985, "sort": "year_built"})
    assert [r["name"] for r in response.json()["results"]] == ["板厂南里", "和平里七区"]
    response = client.get("/api/v1/estates/", {"street": world.street_b.pk})
    assert [r["name"] for r in response.json()["results"]] == ["板厂南里"]
    response = client.get("/api/v1/estates/", {"q": "青年"})
    assert [r["name"] for r in response.json()["results"]] == ["青年湖西里"]


def test_bad_filter_value_is_400_with_field_message(world, client_for):
    response = client_for(world.official).get("/api/v1/estates/", {"year_from": "一九八零"})
    assert response.status_code == 400
    assert "year_from" in response.json()


def test_pagination_has_count_and_results(world, client_for):
    body = client_for(world.official).get("/api/v1/estates/", {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


def test_create_validation_errors_are_400_with_chinese_field_messages(world, client_for):
    response = client_for(world.staff_a).post(
        "/api/v1/estates/",
        {"community": world.community_a1.pk, "name": "和平里七区", "year_built": 2999, "households": -1},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "year_built" in body and "households" in body


def test_create_duplicate_name_is_400_not_500(world, client_for):
    response = client_for(world.staff_a).post(
        "/api/v1/estates/",
        {"community": world.community_a1.pk, "name": "和平里七区", "year_built": 1990},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "该社区已有同名小区" in str(response.json())


def test_create_and_update_with_version(world, client_for):
    client = client_for(world.staff_a)
    created = client.post(
        "/api/v1/estates/",
        {"community": world.community_a1.pk, "name": "接口新增", "year_built": 1995, "households": 88},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["version"] == 1 and body["is_old"] is True and body["street_name"] == "和平里街道"
    url = f"/api/v1/estates/{body['id']}/"
    missing_version = client.patch(url, {"households": 90}, content_type="application/json")
    assert missing_version.status_code == 400 and "version" in missing_version.json()
    ok = client.patch(url, {"households": 90, "version": 1}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(url, {"households": 91, "version": 1}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert stale.json()["changes"][0]["label"] == "户数"
    assert Estate.objects.get(pk=body["id"]).households == 90


def test_building_api_create_and_constraint_errors(world, client_for):
    client = client_for(world.worker_a1)
    response = client.post(
        "/api/v1/buildings/",
        {"estate": world.estate_a1.pk, "number": "1号楼", "floors": 0},
        content_type="application/json",
    )
    assert response.status_code == 400
    ok = client.post(
        "/api/v1/buildings/",
        {"estate": world.estate_a1.pk, "number": "8号楼", "floors": 6},
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.json()
    duplicate = client.post(
        "/api/v1/buildings/",
        {"estate": world.estate_a1.pk, "number": "8号楼", "floors": 6},
        content_type="application/json",
    )
    assert duplicate.status_code == 400
    assert "该小区已有相同楼号" in str(duplicate.json())


def test_rights_unit_credit_code_is_checked(world, client_for):
    client = client_for(world.staff_a)
    bad = client.post(
        "/api/v1/rights-units/", {"name": "某厂", "credit_code": "91110000802100433C"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "校验位" in str(bad.json()["credit_code"])
    good = client.post(
        "/api/v1/rights-units/",
        {"name": "百度在线", "credit_code": "91110000802100433b"},
        content_type="application/json",
    )
    assert good.status_code == 201, good.json()
    assert good.json()["credit_code"] == "91110000802100433B" and good.json()["street"] == world.street_a.pk


def test_schema_and_docs_are_served_without_internet(world, client_for):
    client = client_for(world.auditor)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"/api/v1/estates/" in schema.content
    docs = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in docs
    assert not re.search(r"""(src|href)=["']https?://""", docs)


def test_name_search_is_a_substring_match_ignoring_latin_case(world, client_for):
    from tests.factories import EstateFactory

    EstateFactory(community=world.community_a1, name="CBD国际家园", address="光华路9号")
    client = client_for(world.staff_a)
    for term in ("cbd", "CBD国际", "国际家", "际"):
        names = [r["name"] for r in client.get("/api/v1/estates/", {"q": term}).json()["results"]]
        assert names == ["CBD国际家园"], term
    by_address = client.get("/api/v1/estates/", {"address": "光华路"}).json()["results"]
    assert [r["name"] for r in by_address] == ["CBD国际家园"]
    assert client.get("/api/v1/estates/", {"q": "光华路"}).json()["count"] == 0  # q is the name only


def test_names_sort_in_pinyin_order(world, client_for):
    """安 (an) before 北 (bei) before 东 (dong), as in Excel's pinyin sort —
    not in code-point order, where 东 would come first."""
    from tests.factories import EstateFactory

    for name in ("东晓市", "安德里", "北京小区"):
        EstateFactory(community=world.community_b1, name=name)
    client = client_for(world.staff_b)
    names = [r["name"] for r in client.get("/api/v1/estates/").json()["results"]]
    assert names[:3] == ["安德里", "板厂南里", "北京小区"] and names[-1] == "东晓市"
    page = client.get("/ledger/", {"sort": "-name"})
    assert [row.name for row in page.context["rows"]][0] == "东晓市"


def test_openapi_schema_is_valid_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/v1/estates/",
        "/api/v1/buildings/",
        "/api/v1/street-offices/",
        "/api/v1/communities/",
        "/api/v1/rights-units/",
    ):
        assert path in text


@pytest.mark.parametrize(
    "method,url",
    [
        ("post", "/api/v1/estates/"),
        ("post", "/api/v1/buildings/"),
        ("post", "/api/v1/rights-units/"),
        ("patch", "/api/v1/estates/{estate}/"),
        ("put", "/api/v1/estates/{estate}/"),
        ("delete", "/api/v1/estates/{estate}/"),
        ("patch", "/api/v1/buildings/{building}/"),
    ],
)
def test_auditor_write_is_403_before_the_body_is_validated(world, client_for, method, url):
    """An empty or junk body does not matter: the role is refused first, with 403, not a 400 listing fields."""
    url = url.format(estate=world.estate_a1.pk, building=world.estate_a1.buildings.get().pk)
    response = getattr(client_for(world.auditor), method)(url, {"junk": "x"}, content_type="application/json")
    assert response.status_code == 403, response.content
    assert response.json() == {"detail": "您没有权限执行此操作。"}
    assert Estate.objects.count() == 4


def test_community_worker_cannot_delete_estates_before_anything_is_read(world, client_for):
    response = client_for(world.worker_a1).delete(f"/api/v1/estates/{world.estate_a1.pk}/")
    assert response.status_code == 403


@pytest.mark.parametrize(
    "url,field,body",
    [
        ("/api/v1/buildings/", "estate", {"number": "9号楼", "floors": 6}),
        ("/api/v1/estates/", "community", {"name": "新小区", "year_built": 1990}),
    ],
)
def test_a_parent_of_another_street_is_refused_like_an_unknown_id(world, client_for, url, field, body):
    hidden = {"estate": world.estate_b1.pk, "community": world.community_b1.pk}[field]

    def answer(pk):
        response = client_for(world.staff_a).post(url, {**body, field: pk}, content_type="application/json")
        return response.status_code, response.json()[field][0].replace(str(pk), "ID")

    assert answer(hidden) == answer(987654321) == (400, "无效主键 “ID” － 对象不存在。")


def test_junk_ids_in_detail_urls_are_json_404s(world, client_for):
    client = client_for(world.official)
    for junk in ("abc", "1.5", "-1", "99999999999999999999"):
        response = client.get(f"/api/v1/estates/{junk}/")
        assert response.status_code == 404 and response["Content-Type"] == "application/json", junk


def test_every_operation_documents_its_error_answers():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            documented = set(operation["responses"])
            assert {"400", "403", "404", "429"} <= documented, (method, path)
            if method in ("put", "patch", "delete"):
                assert "409" in documented, (method, path)
