"""REST API /api/v1/renovation-*: the pages' scope, filters and services."""

from datetime import date
from decimal import Decimal

import pytest

from renovation import services
from renovation.models import CatalogueItem, FundingLine, Gate, Project
from tests.conftest import counted, queries_at_most, same_query_count
from tests.factories import valid_credit_code
from tests.renovation.conftest import ProjectFactory, WorkItemFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/renovation-projects/"


def test_list_is_scoped_and_filtered_like_the_page(world, project, plans, client_for):
    other = ProjectFactory(annual_plan=plans[2023], estate=world.estate_b1, created_by=world.staff_b)
    names = {r["name"] for r in client_for(world.staff_a).get(URL).json()["results"]}
    assert names == {project.name}
    official = client_for(world.official)
    assert {r["id"] for r in official.get(URL).json()["results"]} == {project.pk, other.pk}
    assert [r["id"] for r in official.get(URL, {"year": 2023}).json()["results"]] == [other.pk]
    assert [r["id"] for r in official.get(URL, {"street": world.street_a.pk}).json()["results"]] == [project.pk]


def test_project_outside_scope_is_404_and_write_without_right_is_403(world, project, client_for):
    assert client_for(world.staff_b).get(f"{URL}{project.pk}/").status_code == 404
    response = client_for(world.worker_a1).post(f"{URL}{project.pk}/move/", {"to_stage": "consultation"})
    assert response.status_code == 403
    assert (
        client_for(world.auditor)
        .patch(f"{URL}{project.pk}/", {"summary": "x"}, content_type="application/json")
        .status_code
        == 403
    )


def test_create_through_the_api_applies_the_add_rules(world, plans, client_for):
    client = client_for(world.staff_a)
    response = client.post(
        URL, {"annual_plan": plans[2024].pk, "estate": world.estate_a1.pk}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    again = client.post(
        URL, {"annual_plan": plans[2024].pk, "estate": world.estate_a1.pk}, content_type="application/json"
    )
    assert again.status_code == 400
    assert "一小区一方案" in again.content.decode()
    other_street = client.post(
        URL, {"annual_plan": plans[2024].pk, "estate": world.estate_b1.pk}, content_type="application/json"
    )
    assert other_street.status_code == 400 and "estate" in other_street.json()


def test_illegal_move_is_a_400_naming_the_stage(world, project, client_for):
    response = client_for(world.staff_a).post(
        f"{URL}{project.pk}/move/", {"to_stage": "accepted"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "to_stage" in response.json()


def test_construction_with_open_gates_is_refused_through_the_api(world, project, client_for):
    response = client_for(world.staff_a).post(
        f"{URL}{project.pk}/move/", {"to_stage": "construction"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "开工条件未全部满足" in response.json()["to_stage"][0]
    gates = client_for(world.staff_a).get(f"{URL}{project.pk}/gates/").json()
    assert len(gates) == len(Gate.values) and not all(g["closed"] for g in gates)


def test_central_subsidy_twice_is_refused_through_the_api(world, plans, client_for):
    elevator = CatalogueItem.objects.get(name="加装电梯")
    first = ProjectFactory(annual_plan=plans[2023], estate=world.estate_a1, created_by=world.staff_a)
    second = ProjectFactory(annual_plan=plans[2024], estate=world.estate_a1, created_by=world.staff_a)
    w1, w2 = WorkItemFactory(project=first, item=elevator), WorkItemFactory(project=second, item=elevator)
    client = client_for(world.staff_a)
    ok = client.post(
        "/api/v1/renovation-funding/",
        {"project": first.pk, "source": "central", "work_item": w1.pk, "planned": "100000"},
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.content
    twice = client.post(
        "/api/v1/renovation-funding/",
        {"project": second.pk, "source": "central", "work_item": w2.pk, "planned": "100000"},
        content_type="application/json",
    )
    assert twice.status_code == 400 and "不得重复使用中央补助" in twice.json()["source"][0]
    assert FundingLine.objects.count() == 1


def test_funding_of_another_street_cannot_be_written(world, plans, client_for):
    project = ProjectFactory(annual_plan=plans[2024], estate=world.estate_b1, created_by=world.staff_b)
    response = client_for(world.staff_a).post(
        "/api/v1/renovation-funding/",
        {"project": project.pk, "source": "residents", "planned": "1"},
        content_type="application/json",
    )
    # The project of another street does not exist for street A (400 on the field, not a 404 that confirms it).
    assert response.status_code == 400 and "对象不存在" in response.json()["project"][0]
    assert not FundingLine.objects.exists()


def test_work_items_list_filters_by_project_and_scope(world, project, plans, client_for):
    WorkItemFactory(project=project, budget=Decimal("10"))
    other = ProjectFactory(annual_plan=plans[2024], estate=world.estate_b1, created_by=world.staff_b)
    WorkItemFactory(project=other)
    rows = client_for(world.staff_a).get("/api/v1/renovation-work-items/").json()["results"]
    assert [r["project"] for r in rows] == [project.pk]


def test_catalogue_is_readable_by_every_role(world, client_for):
    rows = client_for(world.worker_a1).get("/api/v1/renovation-catalogue/", {"page_size": 200}).json()["results"]
    assert len(rows) == CatalogueItem.objects.count()


def test_project_list_api_query_count_is_flat(world, plans, client_for):
    for estate in (world.estate_a1, world.estate_a2, world.estate_b1):
        for year in (2023, 2024):
            ProjectFactory(annual_plan=plans[year], estate=estate, created_by=world.staff_a)
    client = client_for(world.official)
    client.get(URL)
    with queries_at_most(8):  # the approvals and the tender awards: one prefetch each
        assert len(client.get(URL).json()["results"]) == Project.objects.count()
    before = counted(lambda: client.get(URL))
    user = world.official
    for project in Project.objects.all():
        services.save_tender_award(
            user=user,
            project_id=project.pk,
            role="contractor",
            company_name="北京城建修缮工程有限公司",
            credit_code=valid_credit_code(project.pk),
            price=Decimal("100"),
            contract_date=date(2024, 4, 1),
        )
        services.record_approval(
            user=user, project_id=project.pk, kind="joint_review", decided_on=date(2024, 3, 1), result="passed"
        )
    same_query_count(before, lambda: client.get(URL), why="a contractor and a review on every project")


def test_project_carries_its_approvals_and_tender_read_only(world, project, client_for):
    services.record_approval(
        user=world.staff_a,
        project_id=project.pk,
        kind="feasibility",
        number="东发改〔2024〕31号",
        decided_on=date(2024, 2, 1),
        investment=Decimal("4200000.00"),
    )
    services.save_tender_award(
        user=world.staff_a,
        project_id=project.pk,
        role="supervisor",
        company_name="北京建工监理有限责任公司",
        credit_code=valid_credit_code(9),
        price=Decimal("86000.00"),
        contract_date=date(2024, 4, 2),
    )
    client = client_for(world.worker_a1)
    row = client.get(f"{URL}{project.pk}/").json()
    assert row["approvals"][0]["kind"] == "feasibility"
    assert row["approvals"][0]["investment"] == "4200000.00"
    assert row["tender"] == [
        {
            "id": project.tender_awards.get().pk,
            "role": "supervisor",
            "company_name": "北京建工监理有限责任公司",
            "credit_code": valid_credit_code(9),
            "price": "86000.00",
            "contract_date": "2024-04-02",
            "recorded_at": row["tender"][0]["recorded_at"],
        }
    ]
    listed = client.get(URL).json()["results"][0]
    assert listed["approvals"] == row["approvals"] and listed["tender"] == row["tender"]
    # Read-only: a write naming them changes nothing.
    response = client_for(world.staff_a).patch(
        f"{URL}{project.pk}/", {"summary": "x", "tender": [], "approvals": []}, content_type="application/json"
    )
    assert response.status_code == 200
    assert project.tender_awards.count() == 1 and project.approvals.count() == 1


def test_progress_report_with_photos_through_the_api(world, plans, client_for, settings, tmp_path):
    from tests.renovation.test_progress import photo_with_gps

    settings.MEDIA_ROOT = tmp_path
    project = ProjectFactory(
        annual_plan=plans[2024], estate=world.estate_a1, stage="construction", created_by=world.staff_a
    )
    response = client_for(world.staff_a).post(
        "/api/v1/renovation-progress/",
        {
            "project": project.pk,
            "reported_on": "2024-06-01",
            "percent": 40,
            "photos": [photo_with_gps("a.jpg", (64, 48))],
        },
    )
    assert response.status_code == 201, response.content
    assert len(response.json()["photo_ids"]) == 1
    project.refresh_from_db()
    assert project.progress == 40
    backwards = client_for(world.staff_a).post(
        "/api/v1/renovation-progress/", {"project": project.pk, "reported_on": "2024-06-02", "percent": 10}
    )
    assert backwards.status_code == 400 and "percent" in backwards.json()


def test_consultations_are_scoped_and_written_through_the_service(world, project, plans, client_for):
    client = client_for(world.staff_a)
    response = client.post(
        "/api/v1/renovation-consultations/",
        {"project": project.pk, "kind": "meeting", "held_on": "2024-03-02", "attendees": 40, "opinions": 12},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    other = ProjectFactory(annual_plan=plans[2024], estate=world.estate_b1, created_by=world.staff_b)
    refused = client.post(
        "/api/v1/renovation-consultations/",
        {"project": other.pk, "kind": "meeting", "held_on": "2024-03-02"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "project" in refused.json()
    assert [
        r["project"] for r in client_for(world.staff_b).get("/api/v1/renovation-consultations/").json()["results"]
    ] == []


PARTS = {
    "/api/v1/renovation-work-items/": {"item": None, "quantity": "2", "budget": "1000"},
    "/api/v1/renovation-funding/": {"source": "residents", "planned": "1000"},
    "/api/v1/renovation-consultations/": {"kind": "meeting", "held_on": "2024-03-02"},
    "/api/v1/renovation-progress/": {"reported_on": "2024-06-01", "percent": 10},
}


def _part_body(url, project_id):
    body = {"project": project_id, **PARTS[url]}
    if "item" in body:
        body["item"] = CatalogueItem.objects.get(name="加装电梯").pk
    return body


@pytest.mark.parametrize(
    "url,missing",
    [
        ("/api/v1/renovation-work-items/", "item"),
        ("/api/v1/renovation-work-items/", "quantity"),
        ("/api/v1/renovation-work-items/", "budget"),
        ("/api/v1/renovation-funding/", "source"),
        ("/api/v1/renovation-funding/", "planned"),
        ("/api/v1/renovation-consultations/", "kind"),
        ("/api/v1/renovation-consultations/", "held_on"),
        ("/api/v1/renovation-progress/", "reported_on"),
        ("/api/v1/renovation-progress/", "percent"),
        ("/api/v1/renovation-progress/", "project"),
    ],
)
def test_a_field_the_service_needs_left_out_is_a_400_naming_it(world, project, client_for, url, missing):
    body = _part_body(url, project.pk)
    del body[missing]
    response = client_for(world.staff_a).post(url, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()[missing] == ["该字段是必填项。"]


@pytest.mark.parametrize(
    "url,field,value",
    [
        ("/api/v1/renovation-work-items/", "budget", "-1"),
        ("/api/v1/renovation-work-items/", "quantity", "1e30"),
        ("/api/v1/renovation-work-items/", "budget", "0.001"),
        ("/api/v1/renovation-funding/", "planned", "NaN"),
        ("/api/v1/renovation-funding/", "received", "-0.01"),
        ("/api/v1/renovation-consultations/", "attendees", -3),
        ("/api/v1/renovation-consultations/", "kind", "party"),
        ("/api/v1/renovation-progress/", "percent", 101),
    ],
)
def test_a_malformed_field_is_a_400_naming_it(world, project, client_for, url, field, value):
    body = {**_part_body(url, project.pk), field: value}
    response = client_for(world.staff_a).post(url, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize("url", [*PARTS, URL])
def test_a_project_or_estate_of_another_street_is_refused_like_an_unknown_id(world, plans, client_for, url):
    """Street A asking about street B's rows learns nothing: the same 400 and words as for an id that never was."""
    other = ProjectFactory(annual_plan=plans[2024], estate=world.estate_b1, created_by=world.staff_b)
    field, hidden = ("estate", world.estate_b1.pk) if url == URL else ("project", other.pk)
    unknown = 987654321

    def answer(pk):
        body = {"annual_plan": plans[2024].pk, "estate": pk} if url == URL else _part_body(url, pk)
        response = client_for(world.staff_a).post(url, body, content_type="application/json")
        return response.status_code, response.json()[field][0].replace(str(pk), "ID")

    assert answer(hidden) == answer(unknown) == (400, "无效主键 “ID” － 对象不存在。")


@pytest.mark.parametrize("url", [*PARTS, URL])
def test_a_write_the_role_never_makes_is_403_before_the_body_is_read(world, project, client_for, url):
    for user in (world.auditor, world.worker_a1):
        response = client_for(user).post(url, {"nonsense": "x"}, content_type="application/json")
        assert response.status_code == 403, (user, response.content)
        assert response.json() == {"detail": "您没有权限执行此操作。"}
    response = client_for(world.auditor).patch(f"{URL}{project.pk}/", {"summary": 5}, content_type="application/json")
    assert response.status_code == 403


def test_gates_are_a_plain_list_and_the_schema_says_so(world, project, client_for):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    ok = schema["paths"]["/api/v1/renovation-projects/{id}/gates/"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["type"] == "array"
    body = client_for(world.staff_a).get(f"{URL}{project.pk}/gates/").json()
    assert isinstance(body, list) and {"gate", "label", "closed", "evidence", "overridden"} <= set(body[0])
