"""Reports by street office and year, and the year's project table: pages and
.xlsx in the shape officials send upward; totals add up; scoped."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from renovation import reports
from renovation.models import CatalogueItem, Stage
from tests.conftest import queries_exactly
from tests.factories import IllegalStructureFactory
from tests.renovation.conftest import FundingLineFactory, ProjectFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_data(world, plans):
    elevator = CatalogueItem.objects.get(name="加装电梯")
    pipes = CatalogueItem.objects.get(name="供水管网改造")
    retrofit = CatalogueItem.objects.get(name="建筑节能改造")
    a1 = ProjectFactory(
        annual_plan=plans[2024], estate=world.estate_a1, created_by=world.staff_a, stage=Stage.CONSTRUCTION
    )
    a2 = ProjectFactory(annual_plan=plans[2024], estate=world.estate_a2, created_by=world.staff_a, stage=Stage.TENDER)
    b1 = ProjectFactory(annual_plan=plans[2024], estate=world.estate_b1, created_by=world.staff_b, stage=Stage.RESERVE)
    ProjectFactory(annual_plan=plans[2023], estate=world.estate_b1, created_by=world.staff_b)  # another year
    # 总投资 (the work items' budget) of each project: money + 10,000.49 元. a1 and a2 are
    # funded in full; b1's residents' share is not yet found: a gap of 10,000.49 元.
    for project, money in ((a1, "1234567.89"), (a2, "50000.05"), (b1, "7777.77")):
        w = WorkItemFactory(
            project=project, item=elevator, quantity=Decimal("2"), budget=Decimal(money), actual_cost=Decimal("3333.33")
        )
        WorkItemFactory(project=project, item=pipes, quantity=Decimal("1.25"), budget=Decimal("10000.49"))
        WorkItemFactory(project=project, item=retrofit, quantity=Decimal("15000"), budget=Decimal("0"))
        FundingLineFactory(project=project, source="central", work_item=w, planned=Decimal(money))
        if project is not b1:
            FundingLineFactory(project=project, source="residents", planned=Decimal("10000.49"))
    IllegalStructureFactory(estate=world.estate_a2, area=Decimal("30.5"))  # blocks a2 (tender)
    IllegalStructureFactory(estate=world.estate_a1, area=Decimal("99"))  # a1 already building: not blocked
    return {"a1": a1, "a2": a2, "b1": b1}


def numeric_columns(report):
    return range(report.first_numeric, len(report.headers))


def test_street_report_totals_are_the_exact_sums_rounded_once(world, year_data):
    report = reports.street_report(user=world.official, year=2024)
    assert [row[2] for row in report.rows] == ["和平里街道", "龙潭街道"]
    for index in numeric_columns(report):
        column = report.columns[index]
        exact = sum(row[index] for row in report.figures)
        assert report.total_figures[index] == exact, column.header
        assert report.totals[index] == column.kind.shown(exact), column.header
    assert report.totals[0] == "合计"
    # 总投资: the rows show 130.46 + 1.78 = 132.24 万元, the exact total is 132.23
    total = report.headers.index("总投资（万元）")
    assert sum(row[total] for row in report.rows) == Decimal("132.24")
    assert report.totals[total] == Decimal("132.23")
    assert report.footnote == "合计数据按未经四舍五入的数据计算，与分项之和可能略有差异。"


def test_street_report_figures(world, year_data):
    report = reports.street_report(user=world.official, year=2024)
    h = report.headers
    street_a = report.rows[0]
    assert street_a[h.index("项目数（个）")] == 2
    assert street_a[h.index("中央补助（万元）")] == Decimal("123.46") + Decimal("5.00")
    assert street_a[h.index("居民出资（万元）")] == Decimal("1.00") + Decimal("1.00")
    assert street_a[h.index("资金缺口（万元）")] == 0 and street_a[h.index("资金缺口项目（个）")] == 0
    assert street_a[h.index("加装电梯（部）")] == 4
    assert street_a[h.index("改造管线（公里）")] == Decimal("2.50")
    assert street_a[h.index("节能改造（万㎡）")] == Decimal("3.00")
    assert street_a[h.index("在建（个）")] == 1 and street_a[h.index("招标（个）")] == 1
    assert street_a[h.index("受违建阻碍项目（个）")] == 1
    assert street_a[h.index("待拆违建（㎡）")] == Decimal("30.50")
    total_index = h.index("总投资（万元）")
    assert street_a[total_index] == sum(street_a[total_index + 1 : total_index + 12])  # funded in full
    street_a, street_b = report.figures
    assert street_a[total_index] == Decimal("130.4568920")  # the budgets, exact
    assert street_b[total_index] == Decimal("1.7778260")
    assert street_b[h.index("资金缺口（万元）")] == Decimal("1.0000490")
    assert street_b[h.index("资金缺口项目（个）")] == 1
    assert street_b[total_index] == sum(street_b[total_index + 1 : total_index + 12]) + Decimal("1.0000490")


def test_street_report_is_scoped(world, year_data):
    report = reports.street_report(user=world.staff_b, year=2024)
    assert [row[2] for row in report.rows] == ["龙潭街道"]
    assert report.totals[3] == 1


def test_project_report_totals_equal_the_sum_of_all_rows(world, year_data):
    rows = list(reports.iter_project_rows(reports._year_projects(world.official, 2024, "view").values("pk")))
    totals = reports.project_totals(reports._year_projects(world.official, 2024, "view").values("pk"))
    assert [r[0] for r in rows] == [1, 2, 3]
    for index, header in enumerate(reports.PROJECT_HEADERS):
        if header.endswith(("（万元）", "（万㎡）", "（栋）", "（户）")):
            assert totals[index] == sum(r[index] for r in rows), header
    assert "加装电梯" in rows[0][8] and "供水管网改造" in rows[0][8]


def test_portable_project_rows_equal_the_postgresql_statement(world, year_data):
    """The embedded demo database (SQLite) builds the rows through the ORM; on
    PostgreSQL both ways must give the same rows, to the cent and the label."""
    year_data["a1"].planned_start = year_data["a1"].actual_start = date(2024, 3, 5)
    year_data["a1"].progress = 40
    year_data["a1"].save()
    ids = reports._year_projects(world.official, 2024, "view").values("pk")
    assert list(reports._portable_project_rows(ids)) == list(reports.iter_project_rows(ids))
    some = [year_data["b1"].pk, year_data["a1"].pk]
    assert list(reports._portable_project_rows(None, limit_ids=some)) == list(
        reports.iter_project_rows(None, limit_ids=some)
    )


def test_street_report_page_and_xlsx_have_the_official_shape(world, year_data, client_for):
    client = client_for(world.official)
    page = client.get(reverse("renovation:street_report"), {"year": 2024}).content.decode()
    assert "东城区2024年老旧小区改造情况统计表（按街道）" in page and "合计" in page and "审核人" in page
    # The rows show 130.46 + 1.78 万元 and the 合计 132.23: the page says why, as the .xlsx does.
    assert "合计数据按未经四舍五入的数据计算，与分项之和可能略有差异。" in page
    response = client.get(reverse("renovation:street_report_export"), {"year": 2024})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A1"].value == "东城区2024年老旧小区改造情况统计表（按街道）"
    assert any(str(r).startswith("A1:") for r in sheet.merged_cells.ranges)
    assert "填报单位：东城区" in sheet["A2"].value
    headers = [c.value for c in sheet[3]]
    assert "建筑面积（万㎡）" in headers and "户数（户）" in headers and "楼栋数（栋）" in headers
    data = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    total_row = next(r for r in data if r[0] == "合计")
    body = [r for r in data if isinstance(r[0], int)]
    column = headers.index("中央补助（万元）")
    assert isinstance(body[0][column], (int, float))
    shown = reports.street_report(user=world.official, year=2024).totals
    assert Decimal(str(total_row[column])) == shown[column] == Decimal("129.23")  # the rows add up to 129.24
    assert "合计数据按未经四舍五入的数据计算，与分项之和可能略有差异。" in [r[0] for r in data]
    assert any(r[0] and "审核人" in str(r[0]) for r in data)


def test_project_report_page_paginates_with_year_totals(world, year_data, client_for):
    client = client_for(world.official)
    response = client.get(reverse("renovation:project_report"), {"year": 2024})
    page = response.content.decode()
    assert response.status_code == 200
    assert "共 3 个项目" in page and "合计" in page
    assert "1985" in page and "1,985" not in page


def test_project_report_xlsx_rows_and_totals(world, year_data, client_for):
    response = client_for(world.staff_a).get(reverse("renovation:project_report_export"), {"year": 2024})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    body = [r for r in rows if isinstance(r[0], int)]
    assert [r[3] for r in body] == ["和平里七区", "青年湖西里"]  # street A only
    total = next(r for r in rows if r[0] == "合计")
    assert [reports.PROJECT_HEADERS[i] for i in reports.PROJECT_SUMMED_COLUMNS][-1] == "完成投资（万元）"
    exact = list(reports.iter_project_rows(reports._year_projects(world.staff_a, 2024, "view").values("pk")))
    for column, header in enumerate(reports.PROJECT_HEADERS):
        if header.endswith(("（万元）", "（万㎡）", "（栋）", "（户）")):
            assert column in reports.PROJECT_SUMMED_COLUMNS
            kind = reports.PROJECT_COLUMNS[column].kind
            assert Decimal(str(total[column])) == kind.shown(sum(r[column] for r in exact)), header
    # 完成投资: 0.33 + 0.33 shown, 0.67 in all (2 × 3,333.33 元)
    assert total[reports.PROJECT_HEADERS.index("完成投资（万元）")] == 0.67
    page_totals = reports.project_totals(reports._year_projects(world.staff_a, 2024, "view").values("pk"))
    shown = reports.shown_row(reports.PROJECT_COLUMNS, page_totals)
    for column in reports.PROJECT_SUMMED_COLUMNS:
        assert Decimal(str(total[column])) == shown[column]


def test_large_project_export_runs_as_a_background_job(world, year_data, client_for, settings, monkeypatch):
    from core import tasks

    settings.EXPORT_SYNC_MAX_ROWS = 1
    monkeypatch.setattr(tasks.run_export, "delay", lambda job_id: None)
    response = client_for(world.official).get(reverse("renovation:project_report_export"), {"year": 2024})
    from core.exports import run_export_job
    from core.models import ExportJob

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:export_job", args=[job.pk])
    assert job.kind == reports.EXPORT_KIND
    job.status = ExportJob.Status.QUEUED
    job.save()
    run_export_job(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.rows_done == 3


@pytest.mark.parametrize("name", ["street_report_export", "project_report_export"])
def test_exports_are_refused_without_a_role(world, year_data, client_for, name):
    from tests.factories import UserFactory

    nobody = UserFactory(username="nobody")
    assert client_for(nobody).get(reverse(f"renovation:{name}"), {"year": 2024}).status_code == 403


def test_report_pages_cost_a_fixed_number_of_queries(world, year_data, client_for, plans):
    for i in range(10):
        from tests.factories import EstateFactory

        estate = EstateFactory(community=world.community_b1, name=f"加测小区{i}")
        project = ProjectFactory(annual_plan=plans[2024], estate=estate, created_by=world.staff_b)
        FundingLineFactory(project=project, source="provincial")
    client = client_for(world.official)
    client.get(reverse("renovation:project_list"))  # settles the session
    # The first request computes (two generation lookups, SET LOCAL ×2 in a
    # savepoint, one statement per table); a repeat reads the cache. Nothing
    # per row: more streets or projects cost nothing.
    for name, expected in (
        ("street_report", 14),
        ("street_report", 5),
        ("project_report", 12),
        ("project_report", 11),
        ("street_report_export", 13),
        ("project_report_export", 7),
    ):
        with queries_exactly(expected):
            assert client.get(reverse(f"renovation:{name}"), {"year": 2024}).status_code == 200


def test_blocked_projects_count_only_unstarted_projects(world, year_data):
    report = reports.street_report(user=world.official, year=2024)
    h = report.headers
    assert report.totals[h.index("受违建阻碍项目（个）")] == 1
    assert report.totals[h.index("待拆违建（㎡）")] == Decimal("30.50")


def test_a_cached_report_follows_every_change_of_the_data(world, year_data):
    from renovation import services

    before = reports.street_report(user=world.official, year=2024)
    column = before.headers.index("市县财政（万元）")
    services.save_funding_line(
        user=world.staff_a, project_id=year_data["a1"].pk, source="city_county", planned=Decimal("20000")
    )
    after = reports.street_report(user=world.official, year=2024)
    assert after.totals[column] == before.totals[column] + Decimal("2.00")
    world.estate_a1.households += 10
    world.estate_a1.save()
    households = before.headers.index("户数（户）")
    assert reports.street_report(user=world.official, year=2024).totals[households] == before.totals[households] + 10


def test_street_report_export_is_scoped_to_the_street(world, year_data, client_for):
    response = client_for(world.staff_b).get(reverse("renovation:street_report_export"), {"year": 2024})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert [r[2] for r in rows if isinstance(r[0], int)] == ["龙潭街道"]
    assert "填报单位：龙潭街道" in sheet["A2"].value


def test_community_worker_exports_only_their_community(world, year_data, client_for):
    response = client_for(world.worker_a1).get(reverse("renovation:project_report_export"), {"year": 2024})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert [r[3] for r in rows if isinstance(r[0], int)] == ["和平里七区"]
