"""The home page of each role: its figures equal the lists they link to, it
stays inside the user's scope, costs a constant number of queries, and its
trends come from month-end snapshots taken exactly once."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from communities.models import Estate
from dashboard import services
from dashboard.models import MonthlySnapshot
from tests.conftest import counted, logged_in, queries_at_most, same_query_count
from tests.factories import EstateFactory

pytestmark = pytest.mark.django_db


def _wan(value):
    return (value / 10000).quantize(Decimal("0.01"))


def _board(client):
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.context["board"]


def _ledger(world):
    """Street A: a market-managed and a self-managed old estate; street B: an
    unmanaged one; the other district: a market-managed one; plus a new
    estate (not old) in street A."""
    Estate.objects.filter(pk=world.estate_a1.pk).update(management_mode="market", floor_area=Decimal("25600.00"))
    Estate.objects.filter(pk=world.estate_a2.pk).update(management_mode="owners", floor_area=Decimal("18000.50"))
    Estate.objects.filter(pk=world.estate_b1.pk).update(management_mode="none", floor_area=Decimal("9000"))
    Estate.objects.filter(pk=world.estate_other_district.pk).update(management_mode="market", floor_area=Decimal("1"))
    EstateFactory(community=world.community_a1, name="新建小区", year_built=2015, floor_area=Decimal("50000"))


def test_home_page_is_the_dashboard(world):
    response = logged_in(world.official).get("/")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert logged_in(world.official).get("/dashboard/").status_code == 200
    assert logged_in(world.official).get("/dashboard/", follow=False).status_code == 200
    anonymous = logged_in(world.official)
    anonymous.logout()
    assert anonymous.get("/dashboard/").status_code == 302


def test_ledger_figures_equal_the_ledger_list_they_link_to(world):
    _ledger(world)
    client = logged_in(world.official)
    board = _board(client)
    old = board.figures["old_estates"]
    assert old.value == 3  # the new estate and the other district's are not counted
    totals = client.get(old.url).context["totals"]
    assert totals["count"] == old.value
    assert board.figures["old_floor_area"].value == (totals["floor_area"] / 10000).quantize(Decimal("0.01"))
    assert board.figures["old_households"].value == totals["households"]
    by_mode = {row["mode"]: row for row in board.coverage}
    for row in board.coverage:
        listed = client.get(row["url"]).context["totals"]
        assert (row["estates"], row["area"]) == (listed["count"], _wan(listed["floor_area"]))
    assert (by_mode["market"]["estates"], by_mode["owners"]["estates"], by_mode["none"]["estates"]) == (1, 1, 1)
    # Shares of the old estates' floor area: 25600 / 52600.5 = 48.7%.
    assert by_mode["market"]["share"] == Decimal("48.7")
    assert board.figures["managed_share"].value == Decimal("82.9")
    # One bar group per street, each linking to its street's old estates.
    names = [g["name"] for g in board.groups]
    assert names == ["和平里街道", "龙潭街道"]
    for group in board.groups:
        assert client.get(group["url"]).context["totals"]["count"] == group["old_estates"]


def test_each_role_sees_its_own_node(world):
    _ledger(world)
    street = _board(logged_in(world.staff_a))
    assert street.scope_name == "和平里街道"
    assert street.figures["old_estates"].value == 2
    assert [g["name"] for g in street.groups] == ["交林社区", "青年湖社区"]
    community = _board(logged_in(world.worker_a1))
    assert community.figures["old_estates"].value == 1
    assert community.figures["old_floor_area"].value == Decimal("2.56")
    everything = _board(logged_in(world.admin))
    assert everything.figures["old_estates"].value == 4
    assert [g["name"] for g in everything.groups] == ["东城区", "西城区"]


def test_renovation_figures_equal_the_project_list_and_street_report(world):
    from renovation.models import CatalogueItem
    from tests.renovation.conftest import AnnualPlanFactory, FiveYearPlanFactory, ProjectFactory, WorkItemFactory

    year = timezone.localdate().year
    plan = FiveYearPlanFactory(district=world.district, start_year=year - 2, end_year=year + 2)
    this_year, last_year = AnnualPlanFactory(plan=plan, year=year), AnnualPlanFactory(plan=plan, year=year - 1)
    a1 = ProjectFactory(annual_plan=this_year, estate=world.estate_a1, stage="construction", created_by=world.staff_a)
    ProjectFactory(annual_plan=this_year, estate=world.estate_b1, stage="tender", created_by=world.staff_b)
    old = ProjectFactory(annual_plan=last_year, estate=world.estate_a2, stage="accepted", created_by=world.staff_a)
    WorkItemFactory(project=a1, quantity=Decimal("3"))
    WorkItemFactory(project=old, quantity=Decimal("1"))
    retrofit = CatalogueItem.objects.filter(output="retrofit_m2").first()
    if retrofit:
        WorkItemFactory(project=a1, item=retrofit, quantity=Decimal("12345"))

    client = logged_in(world.official)
    board = _board(client)
    stages = {s["stage"]: s for s in board.stages}
    assert (stages["construction"]["count"], stages["tender"]["count"], stages["accepted"]["count"]) == (1, 1, 1)
    for stage in stages.values():
        assert client.get(stage["url"]).context["page"].paginator.count == stage["count"]
    assert board.figures["projects_this_year"].value == 2
    assert board.figures["projects_this_year"].last_year == 1
    outputs = {o["output"]: o for o in board.outputs}
    assert (outputs["elevators"]["value"], outputs["elevators"]["last_year"]) == (3, None)  # no snapshot yet
    report = client.get(outputs["elevators"]["url"]).context["report"]
    totals = dict(zip(report.headers, report.totals, strict=True))
    assert totals["加装电梯（部）"] == outputs["elevators"]["value"]
    if retrofit:
        assert totals["节能改造（万㎡）"] == outputs["retrofit_m2"]["value"] == Decimal("1.23")
    # Last year's outputs at this point of the year come from that month's snapshot.
    today = timezone.localdate()
    services.take_snapshots(month=today.replace(year=today.year - 1, day=1), today=today)
    outputs = {o["output"]: o for o in _board(client).outputs}
    assert (outputs["elevators"]["value"], outputs["elevators"]["last_year"]) == (3, 1)
    # Street B's staff see only their own project.
    assert {s["stage"]: s["count"] for s in _board(logged_in(world.staff_b)).stages}["tender"] == 1
    assert {s["stage"]: s["count"] for s in _board(logged_in(world.staff_b)).stages}["construction"] == 0


def _file_complaint(estate, phone):
    from complaints import services as complaint_services
    from complaints.models import Category, Channel

    return complaint_services.file_complaint(
        filing=complaint_services.Filing(
            category=Category.objects.get(code="common_area"),
            description="楼道被杂物堵塞",
            reporter_name="李秀英",
            reporter_phone=phone,
            estate=estate,
            channel=Channel.WEB,
            consent=True,
        )
    )


def test_complaint_figures_equal_the_case_list_and_measures(world):
    for estate, phone in ((world.estate_a1, "13812345678"), (world.estate_b1, "13912345678")):
        _file_complaint(estate, phone)
    for user, expected in ((world.official, 2), (world.staff_a, 1), (world.worker_a1, 1), (world.staff_b, 1)):
        client = logged_in(user)
        figure = _board(client).figures["complaints_received"]
        assert figure.value == expected, user
        assert client.get(figure.url).context["count"] == expected, user
    measures = logged_in(world.official).get(_board(logged_in(world.official)).figures["complaints_on_time"].url)
    assert measures.context["result"]["total"]["received"] == 2


def test_property_figures_equal_their_lists(world):
    from propertymgmt import services as property_services
    from propertymgmt.models import CommitteeStage

    today = timezone.localdate()
    property_services.save_committee(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        data={
            "stage": CommitteeStage.PREPARATION,
            "chair": "刘组长",
            "contact_phone": "13911112222",
            "contact_email": "chouzu@example.cn",
            "preparation_due_on": today - timedelta(days=10),
            "on": today - timedelta(days=100),
        },
    )
    Estate.objects.filter(pk__in=[world.estate_a1.pk, world.estate_b1.pk]).update(management_mode="market")
    period = property_services.ensure_period(district_id=world.district.pk, day=today)
    property_services.run_advance(period_id=period.pk)

    client = logged_in(world.official)
    board = _board(client)
    overdue = board.figures["committees_overdue"]
    assert overdue.value == 1
    assert client.get(overdue.url).context["page"].paginator.count == 1
    assert _board(logged_in(world.staff_b)).figures["committees_overdue"].value == 0
    assert logged_in(world.staff_b).get(overdue.url).context["page"].paginator.count == 0
    subsidies = board.figures["subsidies"]
    listed = client.get(subsidies.url).context["totals"]
    assert listed["count"] >= 2 and f"共{listed['count']}笔、{_wan(listed['amount'])}万元" in subsidies.note
    assert subsidies.value == _wan(listed["approved"]) == 0  # proposed, not yet approved
    property_services.approve_payments(user=world.official, period_id=period.pk, tranche="advance")
    board = _board(client)
    assert board.figures["subsidies"].value == _wan(client.get(subsidies.url).context["totals"]["approved"]) > 0
    street_b = _board(logged_in(world.staff_b)).figures["subsidies"]
    assert street_b.value == _wan(logged_in(world.staff_b).get(street_b.url).context["totals"]["approved"])
    assert board.figures["exit_companies"].value == 0


def test_snapshots_are_taken_once_and_give_the_trend(world):
    _ledger(world)
    today = timezone.localdate()
    written = services.take_snapshots(today=today)
    assert written == 1 + 2 + 3 + 4  # all, two districts, three streets, four communities with estates
    assert services.take_snapshots(today=today) == 0  # again: nothing more
    assert MonthlySnapshot.objects.count() == written
    EstateFactory(community=world.community_b1, name="板厂北里", year_built=1982, floor_area=Decimal("10000"))
    board = _board(logged_in(world.official))
    figure = board.figures["old_estates"]
    assert (figure.value, figure.last_month, figure.vs_last_month) == (4, 3, 1)
    assert figure.last_year is None  # no snapshot a year back
    assert board.figures["old_floor_area"].vs_last_month == Decimal("1.00")
    street = _board(logged_in(world.staff_b)).figures["old_estates"]
    assert (street.value, street.last_month) == (2, 1)


def test_snapshot_task_is_on_the_beat_schedule_and_writes_once(world, settings):
    from dashboard.tasks import take_month_end_snapshots

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "dashboard.tasks.take_month_end_snapshots" in tasks
    assert take_month_end_snapshots.apply().get() > 0
    assert take_month_end_snapshots.apply().get() == 0


def test_query_count_does_not_grow_with_the_ledger_and_the_cache_serves_a_second_look(world):
    from django.core.cache import cache

    _ledger(world)
    client = logged_in(world.official)
    client.get("/dashboard/")  # once, for what a process loads only once
    cache.clear()
    small = counted(lambda: client.get("/dashboard/"))
    for n in range(30):
        EstateFactory(community=world.community_b1, name=f"扩建小区{n}", year_built=1980 + n % 10)
    cache.clear()
    same_query_count(small, lambda: client.get("/dashboard/"), why="30 estates added")
    with queries_at_most(4):  # session, user, the data generation (the rest is cached)
        client.get("/dashboard/")


def test_page_draws_its_charts_with_the_vendored_echarts(world):
    _ledger(world)
    response = logged_in(world.official).get("/dashboard/")
    html = response.content.decode()
    assert re.search(r'<script src="/static/vendor/echarts-6\.1\.0/echarts\.common\.min\.[0-9a-f]+\.js">', html)
    assert 'id="dashboard-charts"' in html
    assert "cdn" not in html.lower() and "https://" not in html
    charts = response.context["board"].charts
    assert set(charts) == {"coverage_pie", "coverage_by_group", "stages", "complaints"}
    assert len(charts["complaints"]["categories"]) == 12


def test_a_new_complaint_recomputes_the_complaint_figures_only(world):
    _ledger(world)
    client = logged_in(world.official)
    assert _board(client).figures["complaints_received"].value == 0
    _file_complaint(world.estate_b1, "13700001111")
    run = counted(lambda: _board(client))
    board = run.result
    assert board.figures["complaints_received"].value == 1
    assert board.figures["old_estates"].value == 3  # from the cache
    grouped = [sql for sql in run.statements if "GROUP BY" in sql]
    assert grouped and all("complaints_monthlystat" in sql for sql in grouped), run.numbered()


def test_auditor_sees_the_district_and_a_user_without_a_unit_is_told_so(world):
    from tests.factories import UserFactory

    _ledger(world)
    assert _board(logged_in(world.auditor)).figures["old_estates"].value == 3
    nobody = UserFactory(username="nobody")
    response = logged_in(nobody).get("/dashboard/")
    assert response.status_code == 200
    assert "您的账号尚未分配所属单位" in response.content.decode()
    assert response.context["board"].figures == {}


def test_english_dashboard_is_translated_and_cached_apart(world):
    _ledger(world)
    client = logged_in(world.official)
    assert _board(client).figures["old_estates"].label == "老旧小区"
    client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    response = client.get("/dashboard/")
    assert response.context["board"].figures["old_estates"].label == "Old estate"
    assert "Dashboard" in response.content.decode()


def test_a_community_worker_sees_only_their_community_in_the_complaint_measures(world):
    _file_complaint(world.estate_a1, "13812345678")  # 交林社区
    _file_complaint(world.estate_a2, "13912345678")  # 青年湖社区, the same street
    today = timezone.localdate()
    worker = logged_in(world.worker_a1)
    figure = _board(worker).figures["complaints_received"]
    measures = worker.get(f"/complaints/measures/?year={today.year}&month={today.month}").context["result"]
    assert figure.value == measures["total"]["received"] == 1
    assert worker.get(figure.url).context["count"] == 1
    street = logged_in(world.staff_a).get(f"/complaints/measures/?year={today.year}").context["result"]
    assert street["total"]["received"] == 2


def test_a_superuser_with_a_district_set_still_sees_everything_under_its_own_name(world):
    _ledger(world)
    world.admin.district = world.district
    world.admin.save()
    board = _board(logged_in(world.admin))
    assert board.scope_name == "全部" and board.figures["old_estates"].value == 4


def test_subsidies_of_several_districts_are_summed_without_a_misleading_comparison(world):
    from datetime import date

    from propertymgmt import services as property_services

    Estate.objects.filter(pk__in=[world.estate_a1.pk, world.estate_other_district.pk]).update(management_mode="market")
    today = timezone.localdate()
    earlier = property_services.ensure_period(district_id=world.district.pk, day=date(today.year - 1, 2, 1))
    for district in (world.district, world.other_district):
        property_services.run_advance(period_id=property_services.ensure_period(district_id=district.pk, day=today).pk)
    property_services.run_advance(period_id=earlier.pk)
    everything = _board(logged_in(world.admin)).figures["subsidies"]
    assert everything.last_month is None and everything.note.startswith("2个区的本期")
    district = _board(logged_in(world.official)).figures["subsidies"]
    assert district.last_month is not None and not district.note.startswith("，")


def test_english_outputs_are_labelled_in_the_unit_they_are_counted_in(world):
    client = logged_in(world.official)
    client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    outputs = {o["output"]: o["label"] for o in client.get("/dashboard/").context["board"].outputs}
    assert outputs["retrofit_m2"] == "Energy-saving retrofit (10,000 m²)"
