"""Plans, projects and the rules for adding an estate to a plan; stage moves."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from renovation import services
from renovation.models import CatalogueItem, Project, Stage, StageMove, WorkCategory
from tests.renovation.conftest import ProjectFactory

pytestmark = pytest.mark.django_db


def test_catalogue_is_seeded_with_the_three_categories():
    categories = set(CatalogueItem.objects.values_list("category", flat=True))
    assert categories == {WorkCategory.BASIC, WorkCategory.IMPROVEMENT, WorkCategory.UPGRADE}
    assert CatalogueItem.objects.get(name="加装电梯").output == "elevators"


def test_district_official_extends_the_catalogue(world):
    item = services.add_catalogue_item(user=world.official, category="upgrade", name="口袋公园", unit="处")
    assert item.pk and item.active


def test_street_staff_cannot_extend_the_catalogue(world):
    with pytest.raises(PermissionDenied):
        services.add_catalogue_item(user=world.staff_a, category="upgrade", name="口袋公园", unit="处")


def test_catalogue_names_are_unique(world):
    with pytest.raises(ValidationError) as exc:
        services.add_catalogue_item(user=world.official, category="basic", name="加装电梯", unit="部")
    assert "name" in exc.value.message_dict


def test_annual_plan_year_must_lie_in_the_five_year_plan(world, plans):
    with pytest.raises(ValidationError) as exc:
        services.create_annual_plan(user=world.official, plan=plans[2024].plan, year=2027)
    assert "2021" in exc.value.message_dict["year"][0]


def test_street_staff_adds_an_old_estate_of_their_street(world, plans):
    project = services.create_project(user=world.staff_a, annual_plan=plans[2024], estate=world.estate_a1)
    assert project.street == world.street_a
    assert project.year == 2024
    assert project.stage == Stage.RESERVE
    assert project.name == "和平里七区2024年综合整治"


def test_one_estate_has_one_project_per_annual_plan(world, plans):
    services.create_project(user=world.staff_a, annual_plan=plans[2024], estate=world.estate_a1)
    with pytest.raises(ValidationError) as exc:
        services.create_project(user=world.staff_a, annual_plan=plans[2024], estate=world.estate_a1)
    assert "一小区一方案" in str(exc.value)
    assert services.create_project(user=world.staff_a, annual_plan=plans[2023], estate=world.estate_a1)


def test_staff_cannot_add_an_estate_of_another_street(world, plans):
    with pytest.raises(ValidationError) as exc:
        services.create_project(user=world.staff_a, annual_plan=plans[2024], estate=world.estate_b1)
    assert "estate" in exc.value.message_dict


def test_community_worker_cannot_add_projects(world, plans):
    with pytest.raises(PermissionDenied):
        services.create_project(user=world.worker_a1, annual_plan=plans[2024], estate=world.estate_a1)


@pytest.mark.parametrize("flag, word", [("expropriation_planned", "征收拆迁"), ("shantytown", "棚户区")])
def test_estate_planned_for_expropriation_or_shantytown_cannot_be_added_even_by_official(world, plans, flag, word):
    setattr(world.estate_a1, flag, True)
    world.estate_a1.save()
    with pytest.raises(ValidationError) as exc:
        services.create_project(
            user=world.official, annual_plan=plans[2024], estate=world.estate_a1, cutoff_override_reason="区里决定"
        )
    assert word in exc.value.message_dict["estate"][0]
    assert not Project.objects.exists()


def test_estate_newer_than_cutoff_is_refused_with_the_cutoff_named(world, plans, settings):
    settings.OLD_ESTATE_CUTOFF_YEAR = 1990
    with pytest.raises(ValidationError) as exc:
        services.create_project(user=world.staff_a, annual_plan=plans[2024], estate=world.estate_a2)  # 1998
    assert "1990" in exc.value.message_dict["estate"][0]


def test_street_staff_cannot_override_the_cutoff(world, plans, settings):
    settings.OLD_ESTATE_CUTOFF_YEAR = 1990
    with pytest.raises(ValidationError) as exc:
        services.create_project(
            user=world.staff_a, annual_plan=plans[2024], estate=world.estate_a2, cutoff_override_reason="管线老化严重"
        )
    assert "区级管理人员" in exc.value.message_dict["cutoff_override_reason"][0]


def test_district_official_overrides_the_cutoff_with_a_reason_that_is_kept(world, plans, settings):
    settings.OLD_ESTATE_CUTOFF_YEAR = 1990
    project = services.create_project(
        user=world.official, annual_plan=plans[2024], estate=world.estate_a2, cutoff_override_reason="管线老化严重"
    )
    project.refresh_from_db()
    assert project.cutoff_override_reason == "管线老化严重"
    assert project.cutoff_override_by == world.official


def test_annual_plan_of_another_district_is_refused(world, plans):
    from tests.renovation.conftest import AnnualPlanFactory, FiveYearPlanFactory

    other = AnnualPlanFactory(plan=FiveYearPlanFactory(district=world.other_district), year=2024)
    with pytest.raises(ValidationError):
        services.create_project(user=world.official, annual_plan=other, estate=world.estate_a1)


def test_stage_moves_forward_one_step_and_are_recorded(world, plans):
    project = services.create_project(user=world.staff_a, annual_plan=plans[2024], estate=world.estate_a1)
    services.move_stage(user=world.staff_a, project_id=project.pk, to_stage=Stage.PREPARATION)
    services.move_stage(user=world.staff_a, project_id=project.pk, to_stage=Stage.CONSULTATION, note="开始公示")
    moves = list(StageMove.objects.filter(project=project).order_by("moved_at", "id"))
    assert [(m.from_stage, m.to_stage) for m in moves] == [
        ("reserve", "preparation"),
        ("preparation", "consultation"),
    ]
    assert moves[1].moved_by == world.staff_a and moves[1].note == "开始公示"


def test_skipping_a_stage_is_refused(world, plans):
    project = services.create_project(user=world.staff_a, annual_plan=plans[2024], estate=world.estate_a1)
    with pytest.raises(ValidationError) as exc:
        services.move_stage(user=world.staff_a, project_id=project.pk, to_stage=Stage.TENDER)
    assert exc.value.error_dict["to_stage"][0].code == "illegal_move"
    project.refresh_from_db()
    assert project.stage == Stage.RESERVE
    assert not StageMove.objects.exists()


def test_tender_may_go_back_to_consultation(world, project):
    services.move_stage(user=world.staff_a, project_id=project.pk, to_stage=Stage.CONSULTATION, note="流标")
    project.refresh_from_db()
    assert project.stage == Stage.CONSULTATION


def test_a_started_project_never_moves_back(world, plans):
    project = ProjectFactory(
        annual_plan=plans[2024], estate=world.estate_a1, stage=Stage.CONSTRUCTION, created_by=world.staff_a
    )
    with pytest.raises(ValidationError):
        services.move_stage(user=world.staff_a, project_id=project.pk, to_stage=Stage.TENDER)


def test_completion_sets_progress_and_the_actual_end(world, plans):
    project = ProjectFactory(
        annual_plan=plans[2024],
        estate=world.estate_a1,
        stage=Stage.CONSTRUCTION,
        actual_start=date(2024, 4, 1),
        progress=80,
        created_by=world.staff_a,
    )
    services.move_stage(user=world.staff_a, project_id=project.pk, to_stage=Stage.COMPLETED, on=date(2024, 10, 8))
    project.refresh_from_db()
    assert project.progress == 100 and project.actual_end == date(2024, 10, 8)


def test_staff_cannot_move_a_project_of_another_street(world, project):
    from django.http import Http404

    with pytest.raises(Http404):
        services.move_stage(user=world.staff_b, project_id=project.pk, to_stage=Stage.CONSULTATION)


def test_community_worker_sees_but_cannot_move_projects(world, project):
    with pytest.raises(PermissionDenied):
        services.move_stage(user=world.worker_a1, project_id=project.pk, to_stage=Stage.CONSULTATION)


def test_demo_data_is_made_once_and_keeps_the_rules(world):
    import random

    from renovation import demo, reports, selectors

    for i in range(12):
        from tests.factories import EstateFactory

        EstateFactory(
            community=world.community_a1 if i % 2 else world.community_b1, name=f"演示小区{i}", year_built=1980 + i
        )
    made = demo.seed(district=world.district, rng=random.Random(7))
    assert made and "改造项目" in made
    assert demo.seed(district=world.district, rng=random.Random(7)) is None
    assert Project.objects.filter(year=2021).exists()
    assert selectors.central_subsidy_violations(user=world.official) == []
    assert not Project.objects.filter(estate__expropriation_planned=True).exists()
    for project in Project.objects.filter(stage__in=["construction", "completed"]).select_related("estate"):
        assert all(status.passes for status in selectors.evaluate_gates(project)), project.name
    for year in range(2021, 2026):
        report = reports.street_report(user=world.official, year=year)
        for index in range(report.first_numeric, len(report.headers)):
            # the 合计 is the exact total (rounded once when shown), not the sum of rounded rows
            assert report.total_figures[index] == sum(row[index] for row in report.figures)
