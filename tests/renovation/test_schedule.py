"""Behind schedule means behind: a project is flagged only when a planned date of its
current stage is past, and every surface (list, filter, page, reminders) agrees."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from renovation import selectors, services
from renovation.models import Project, ScheduleReminder, Stage
from tests.conftest import counted, same_query_count
from tests.factories import EstateFactory
from tests.renovation.conftest import ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = date(2024, 12, 4)  # a Wednesday
PAST = date(2024, 6, 1)
FUTURE = date(2025, 6, 1)


def make(world, plans, *, stage, estate=None, **dates):
    return ProjectFactory(
        annual_plan=plans[2024], estate=estate or world.estate_a1, stage=stage, created_by=world.staff_a, **dates
    )


def flagged(project) -> bool:
    """The flag as the list, its filter and the page compute it, checked to agree."""
    in_sql = Project.objects.filter(selectors.behind_schedule_q(TODAY), pk=project.pk).exists()
    annotated = selectors.with_behind_flag(Project.objects.filter(pk=project.pk), today=TODAY).get().behind
    in_python = selectors.is_behind(project, today=TODAY)
    assert in_sql == annotated == in_python
    assert bool(selectors.behind_reason(project, today=TODAY)) == in_python
    return in_python


@pytest.mark.parametrize(
    "stage,dates,behind",
    [
        # 储备 has no date of its own: never behind, whatever the plan's dates.
        (Stage.RESERVE, {"planned_start": PAST, "planned_end": PAST}, False),
        (Stage.PREPARATION, {"planned_start": PAST, "planned_end": FUTURE}, True),
        (Stage.PREPARATION, {"planned_start": FUTURE, "notice_from": PAST, "notice_to": PAST}, True),
        (Stage.PREPARATION, {"planned_start": FUTURE, "notice_from": FUTURE}, False),
        (Stage.CONSULTATION, {"planned_start": FUTURE, "notice_from": PAST, "notice_to": PAST}, True),
        (Stage.CONSULTATION, {"planned_start": FUTURE, "notice_from": PAST, "notice_to": FUTURE}, False),
        (Stage.TENDER, {"planned_start": PAST}, True),
        (Stage.TENDER, {"planned_end": PAST}, True),  # no start planned, the end already past
        (Stage.TENDER, {"planned_start": FUTURE, "notice_to": PAST}, False),  # publicity is behind it
        (Stage.TENDER, {}, False),
        # Started: only the planned end counts, not the planned start.
        (Stage.CONSTRUCTION, {"planned_start": PAST, "planned_end": FUTURE, "actual_start": PAST}, False),
        (Stage.CONSTRUCTION, {"planned_start": PAST, "planned_end": PAST, "actual_start": PAST}, True),
        # Finished (acceptance has no planned date yet).
        (
            Stage.COMPLETED,
            {"planned_start": PAST, "planned_end": PAST, "actual_start": PAST, "actual_end": PAST},
            False,
        ),
        (Stage.HANDED_OVER, {"planned_end": PAST, "actual_start": PAST, "actual_end": PAST}, False),
    ],
)
def test_project_is_behind_only_when_a_date_of_its_current_stage_is_past(world, plans, stage, dates, behind):
    assert flagged(make(world, plans, stage=stage, **dates)) is behind


def test_reserve_project_of_an_old_plan_is_not_behind(world, plans):
    project = make(world, plans, stage=Stage.RESERVE, planned_start=date(2021, 4, 1), planned_end=date(2021, 11, 1))
    assert not flagged(project)
    assert services.send_schedule_reminders(today=TODAY) == 0


def test_reason_names_the_date_missed(world, plans):
    notice = make(world, plans, stage=Stage.CONSULTATION, notice_from=PAST, notice_to=date(2024, 7, 1))
    assert "公示期已于2024年7月1日结束" in selectors.behind_reason(notice, today=TODAY)
    late = make(world, plans, stage=Stage.TENDER, estate=world.estate_a2, planned_start=date(2024, 5, 1))
    assert "计划2024年5月1日开工，至今仍处于“招标”阶段" in selectors.behind_reason(late, today=TODAY)


def test_list_filter_shows_only_projects_behind(world, plans, client_for):
    late = make(world, plans, stage=Stage.TENDER, planned_start=date(2024, 5, 1), name="滞后项目")
    make(world, plans, stage=Stage.RESERVE, estate=world.estate_a2, planned_start=date(2024, 5, 1), name="储备项目")
    page = client_for(world.staff_a).get(reverse("renovation:project_list"), {"behind": "true"}).content.decode()
    assert late.name in page and "储备项目" not in page


def test_reminders_skip_projects_that_moved_on(world, plans):
    late = make(world, plans, stage=Stage.TENDER, planned_start=date(2024, 5, 1))
    services.send_schedule_reminders(today=TODAY)
    week = services.week_of(TODAY)
    assert list(selectors.reminders_of_week(user=world.staff_a, week=week, today=TODAY)) == [late.reminders.get()]
    Project.objects.filter(pk=late.pk).update(stage=Stage.CONSTRUCTION, planned_end=FUTURE, actual_start=TODAY)
    assert not selectors.reminders_of_week(user=world.staff_a, week=week, today=TODAY).exists()
    assert not selectors.reminders_of_week(user=world.worker_a1, week=week, today=TODAY).exists()


def _late_projects(world, plans, n):
    """n projects in tender whose planned start passed a month ago (the pages use the real today)."""
    started = timezone.localdate() - timedelta(days=30)
    for _i in range(n):
        estate = EstateFactory(community=world.community_a1)
        make(world, plans, stage=Stage.TENDER, estate=estate, planned_start=started)


def test_reminder_page_is_paginated_with_a_constant_query_count(world, plans, client_for):
    client = client_for(world.staff_a)
    url = reverse("renovation:reminder_list")
    _late_projects(world, plans, 3)
    services.send_schedule_reminders()
    client.get(url)  # the first request of a session writes the session
    few = counted(lambda: client.get(url, {"page_size": 20}), "3 reminders")
    _late_projects(world, plans, 45)
    services.send_schedule_reminders()
    assert ScheduleReminder.objects.count() == 48
    first = client.get(url, {"page_size": 20}).content.decode()
    assert first.count("请督促推进") == 20
    assert "第 1 / 3 页" in first
    last = client.get(url, {"page_size": 20, "page": 3}).content.decode()
    assert last.count("请督促推进") == 8
    same_query_count(few, lambda: client.get(url, {"page_size": 20, "page": 3}), why="45 more reminders")
    assert client_for(world.staff_b).get(url).content.decode().count("请督促推进") == 0


def test_project_list_shows_a_few_reminders_and_links_to_the_rest(world, plans, client_for):
    _late_projects(world, plans, 7)
    services.send_schedule_reminders()
    page = client_for(world.staff_a).get(reverse("renovation:project_list")).content.decode()
    assert page.count("请督促推进") == 5
    assert 'id="all-reminders"' in page
