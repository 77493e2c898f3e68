"""Pages: scoped like the ledger (404 outside the scope, 403 inside it without
the right), forms call the services, query counts pinned."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from renovation.models import GateOverride, Project, Stage, StageMove
from tests.conftest import counted, queries_at_most, same_query_count
from tests.factories import IllegalStructureFactory
from tests.renovation.conftest import ProjectFactory

pytestmark = pytest.mark.django_db


def test_staff_sees_only_their_streets_projects(world, project, plans, client_for):
    other = ProjectFactory(
        annual_plan=plans[2024], estate=world.estate_b1, created_by=world.staff_b, name="板厂南里改造"
    )
    page = client_for(world.staff_a).get(reverse("renovation:project_list")).content.decode()
    assert project.name in page and other.name not in page
    page = client_for(world.official).get(reverse("renovation:project_list")).content.decode()
    assert project.name in page and other.name in page


def test_staff_cannot_see_other_street_project(world, project, client_for):
    assert client_for(world.staff_b).get(reverse("renovation:project_detail", args=[project.pk])).status_code == 404
    assert client_for(world.staff_a).get(reverse("renovation:project_detail", args=[project.pk])).status_code == 200


def test_community_worker_reads_but_cannot_edit_a_project(world, project, client_for):
    client = client_for(world.worker_a1)
    assert client.get(reverse("renovation:project_detail", args=[project.pk])).status_code == 200
    assert client.get(reverse("renovation:project_edit", args=[project.pk])).status_code == 403
    response = client.post(reverse("renovation:project_move", args=[project.pk]), {"to_stage": "construction"})
    assert response.status_code == 403


def test_auditor_cannot_create_projects(world, client_for):
    assert client_for(world.auditor).get(reverse("renovation:project_create")).status_code == 403


def test_street_staff_cannot_open_the_override_form(world, project, client_for):
    url = reverse("renovation:gate_override", args=[project.pk, "illegal_structures"])
    assert client_for(world.staff_a).get(url).status_code == 403
    assert client_for(world.staff_b).get(url).status_code == 404
    assert client_for(world.official).get(url).status_code == 200


def test_project_page_shows_each_gate_with_its_evidence(world, project, client_for):
    IllegalStructureFactory(estate=world.estate_a1, area=Decimal("41.5"))
    page = client_for(world.staff_a).get(reverse("renovation:project_detail", args=[project.pk])).content.decode()
    for label in ("违建拆除到位", "长效管理落实", "所在街道同意", "居民同意", "维修资金归集或筹集方案"):
        assert label in page
    assert "41.50㎡" in page or "41.5" in page
    assert "未满足" in page


def test_starting_construction_with_an_open_gate_is_refused_on_the_page(world, project, client_for):
    client = client_for(world.staff_a)
    response = client.post(
        reverse("renovation:project_move", args=[project.pk]), {"to_stage": "construction"}, follow=True
    )
    assert "开工条件未全部满足" in response.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.TENDER


def test_official_overrides_through_the_page_and_the_reason_is_shown(world, project, client_for):
    IllegalStructureFactory(estate=world.estate_a1)
    client = client_for(world.official)
    url = reverse("renovation:gate_override", args=[project.pk, "illegal_structures"])
    response = client.post(url, {"reason": "违建与施工同步拆除"})
    assert response.status_code == 302
    assert GateOverride.objects.get(project=project).reason == "违建与施工同步拆除"
    page = client.get(reverse("renovation:project_detail", args=[project.pk])).content.decode()
    assert "例外放行" in page and "违建与施工同步拆除" in page


def test_project_created_through_the_page(world, plans, client_for):
    client = client_for(world.staff_a)
    response = client.post(
        reverse("renovation:project_create"),
        {
            "annual_plan": plans[2024].pk,
            "estate": world.estate_a1.pk,
            "planned_start": "2024-04-01",
            "planned_end": "2024-11-30",
        },
    )
    assert response.status_code == 302
    assert Project.objects.get().planned_end == date(2024, 11, 30)


def test_refused_estate_shows_the_reason_on_the_form(world, plans, client_for):
    world.estate_a1.expropriation_planned = True
    world.estate_a1.save()
    response = client_for(world.staff_a).post(
        reverse("renovation:project_create"), {"annual_plan": plans[2024].pk, "estate": world.estate_a1.pk}
    )
    assert response.status_code == 200
    assert "征收拆迁" in response.content.decode()


def test_stage_move_through_the_page_is_recorded(world, project, client_for):
    client_for(world.staff_a).post(
        reverse("renovation:project_move", args=[project.pk]), {"to_stage": "consultation", "note": "流标"}
    )
    assert StageMove.objects.get(project=project).note == "流标"


def test_project_list_query_count_does_not_grow_with_rows(world, plans, client_for):
    for i in range(30):
        estate = world.estate_a1 if i % 2 else world.estate_a2
        plan = plans[2024] if i < 15 else plans[2023]
        if Project.objects.filter(estate=estate, annual_plan=plan).exists():
            continue
        ProjectFactory(annual_plan=plan, estate=estate, created_by=world.staff_a)
    client = client_for(world.official)
    client.get(reverse("renovation:project_list"))
    with queries_at_most(8):
        assert client.get(reverse("renovation:project_list")).status_code == 200


def test_photos_are_served_only_inside_the_scope(world, plans, client_for, settings, tmp_path):
    from renovation import services
    from tests.renovation.test_progress import photo_with_gps

    settings.MEDIA_ROOT = tmp_path
    project = ProjectFactory(
        annual_plan=plans[2024], estate=world.estate_a1, stage="construction", created_by=world.staff_a
    )
    report = services.add_progress_report(
        user=world.staff_a,
        project_id=project.pk,
        reported_on=date(2024, 6, 1),
        percent=30,
        photos=[photo_with_gps(size=(64, 48))],
    )
    photo = report.photos.get()
    url = reverse("renovation:photo_download", args=[photo.pk])
    assert client_for(world.staff_b).get(url).status_code == 404
    response = client_for(world.worker_a1).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_progress_form_uploads_several_photos(world, plans, client_for, settings, tmp_path):
    from tests.renovation.test_progress import photo_with_gps

    settings.MEDIA_ROOT = tmp_path
    project = ProjectFactory(
        annual_plan=plans[2024], estate=world.estate_a1, stage="construction", created_by=world.staff_a
    )
    response = client_for(world.staff_a).post(
        reverse("renovation:progress_add", args=[project.pk]),
        {
            "reported_on": "2024-06-01",
            "percent": "35",
            "photos": [photo_with_gps("a.jpg", (64, 48)), photo_with_gps("b.jpg", (64, 48))],
        },
    )
    assert response.status_code == 302
    assert project.progress_reports.get().photos.count() == 2


def test_catalogue_page_lets_only_officials_add(world, client_for):
    url = reverse("renovation:catalogue_list")
    assert (
        client_for(world.staff_a).post(url, {"category": "upgrade", "name": "口袋公园", "unit": "处"}).status_code
        == 403
    )
    assert (
        client_for(world.official)
        .post(url, {"category": "upgrade", "name": "口袋公园", "unit": "处", "output": ""})
        .status_code
        == 302
    )


def test_plans_page_creates_plans_for_officials_only(world, client_for):
    url = reverse("renovation:plan_list")
    data = {"plan-name": "十五五规划", "plan-start_year": "2026", "plan-end_year": "2030", "plan-target_estates": "100"}
    assert client_for(world.staff_a).post(url, data).status_code == 403
    assert client_for(world.official).post(url, data).status_code == 302


def test_long_street_and_community_lists_are_narrowed_on_the_list_page(world, project, client_for, monkeypatch):
    from renovation.filtersets import ProjectFilterSet

    monkeypatch.setattr(ProjectFilterSet, "MAX_OPTIONS", 1)  # the official sees 2 streets, 3 communities
    page = client_for(world.official).get(reverse("renovation:project_list")).content.decode()
    assert "请先选择街道" in page and "选项过多" in page
    page = (
        client_for(world.official)
        .get(reverse("renovation:project_list"), {"street": world.street_b.pk})
        .content.decode()
    )
    assert "板厂南里社区" in page
    assert f'<option value="{world.street_b.pk}" selected>龙潭街道</option>' in page


def test_estate_is_typed_by_number_when_the_scope_holds_too_many(world, plans, client_for, monkeypatch):
    from renovation.forms import ProjectCreateForm

    monkeypatch.setattr(ProjectCreateForm, "MAX_ESTATE_OPTIONS", 1)
    page = client_for(world.official).get(reverse("renovation:project_create")).content.decode()
    assert 'type="number" name="estate"' in page
    response = client_for(world.official).post(
        reverse("renovation:project_create"), {"annual_plan": plans[2024].pk, "estate": world.estate_b1.pk}
    )
    assert response.status_code == 302
    assert Project.objects.get().estate == world.estate_b1


def test_list_flags_projects_over_budget(world, project, client_for):
    from tests.renovation.conftest import WorkItemFactory

    WorkItemFactory(project=project, budget=Decimal("100"), actual_cost=Decimal("150"))
    page = client_for(world.staff_a).get(reverse("renovation:project_list")).content.decode()
    assert "超预算" in page.split('id="project-table"')[1]
    only = client_for(world.staff_a).get(reverse("renovation:project_list"), {"over_budget": "true"}).content.decode()
    assert project.name in only
    none = client_for(world.staff_a).get(reverse("renovation:project_list"), {"over_budget": "false"}).content.decode()
    assert project.name not in none


def test_project_page_query_count_does_not_grow_with_its_records(world, plans, client_for, settings, tmp_path):
    from renovation import services
    from renovation.models import CatalogueItem
    from tests.renovation.conftest import FundingLineFactory, WorkItemFactory
    from tests.renovation.test_progress import photo_with_gps

    settings.MEDIA_ROOT = tmp_path
    project = ProjectFactory(
        annual_plan=plans[2024], estate=world.estate_a1, stage="construction", created_by=world.staff_a
    )
    client = client_for(world.staff_a)
    url = reverse("renovation:project_detail", args=[project.pk])

    def page():
        assert client.get(url).status_code == 200

    def add(index, item):
        work = WorkItemFactory(project=project, item=item)
        FundingLineFactory(project=project, source="central", work_item=work)
        services.add_progress_report(
            user=world.staff_a,
            project_id=project.pk,
            reported_on=date(2024, 5, 1 + index),
            percent=10 + index,
            photos=[photo_with_gps(f"{index}.jpg", (32, 24)), photo_with_gps(f"{index}b.jpg", (32, 24))],
        )

    items = list(CatalogueItem.objects.all()[:6])
    add(0, items[0])  # one of each record: the prefetches now have rows to fetch
    client.get(url)
    one = counted(page, label="one record of each kind")
    for index, item in enumerate(items[1:], start=1):
        add(index, item)
    same_query_count(one, page, why="five more work items, funding lines and reports with photos")
