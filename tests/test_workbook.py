"""The report workbook: one .xlsx per period and scope with a sheet per subject,
in the report shape, its figures from the same selectors as the pages; scoped
to the requesting user; large ones built by the worker for that user alone."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from communities.models import ManagementMode
from complaints.models import Category, MonthlyStat
from core.models import ExportJob
from dashboard.workbook import Period
from propertymgmt.models import (
    Committee,
    CommitteeKind,
    CommitteeStage,
    CommitteeStep,
    StepKind,
    SubsidyPayment,
    SubsidyPeriod,
)
from renovation.models import Stage
from tests.conftest import counted, same_query_count
from tests.factories import EstateFactory
from tests.renovation.conftest import (
    AnnualPlanFactory,
    FiveYearPlanFactory,
    FundingLineFactory,
    ProjectFactory,
    WorkItemFactory,
)

pytestmark = pytest.mark.django_db

SUBJECT_SHEETS = ["台账汇总", "管理模式覆盖", "改造进展与成效", "投诉办理情况", "业主组织", "物业补贴"]
URL = "dashboard:workbook"
YEAR = timezone.localdate().year - 1  # a whole year that has ended


@pytest.fixture(autouse=True)
def empty_cache():
    """The renovation report is cached per data generation; every test starts afresh."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def figures(world):
    """Something for every sheet in both streets of the district and in the other district."""
    world.estate_a1.management_mode = ManagementMode.MARKET
    world.estate_a1.save()
    # renovation: a project in each street of the district
    plan = FiveYearPlanFactory(district=world.district, start_year=YEAR - 2, end_year=YEAR + 2)
    annual = AnnualPlanFactory(plan=plan, year=YEAR)
    for estate, user, stage in (
        (world.estate_a1, world.staff_a, Stage.CONSTRUCTION),
        (world.estate_b1, world.staff_b, Stage.RESERVE),
    ):
        project = ProjectFactory(annual_plan=annual, estate=estate, created_by=user, stage=stage)
        item = WorkItemFactory(project=project)
        FundingLineFactory(project=project, source="central", work_item=item, planned=Decimal("1234567.89"))
    # complaints: the monthly rollup of both streets and the district's total row
    category = Category.objects.order_by("pk").first()
    for month, street, received in ((1, world.street_a, 10), (2, world.street_a, 4), (7, world.street_b, 6)):
        for key in (street.pk, MonthlyStat.DISTRICT_TOTAL):
            stat, _created = MonthlyStat.objects.get_or_create(
                month=date(YEAR, month, 1),
                district=world.district,
                street_key=key,
                category=category,
                defaults={"street": street if key > 0 else None},
            )
            stat.received += received
            stat.accepted += received
            stat.resolved += received - 1
            stat.resolved_on_time += received - 2
            stat.replied += received - 1
            stat.rated += 2
            stat.satisfaction_sum += 9
            stat.satisfied += 2
            stat.save()
    # owners' committees: one in term but expired in A, one late in preparation in B
    expired = Committee.objects.create(
        estate=world.estate_a1,
        kind=CommitteeKind.COMMITTEE,
        stage=CommitteeStage.IN_TERM,
        term_starts_on=date(YEAR - 5, 1, 1),
        term_ends_on=date(YEAR - 1, 12, 31),
    )
    late = Committee.objects.create(
        estate=world.estate_b1, kind=CommitteeKind.COMMITTEE, stage=CommitteeStage.PREPARATION
    )
    CommitteeStep.objects.create(
        committee=late, estate=world.estate_b1, kind=StepKind.PREPARATION_DEADLINE, due_on=date(YEAR, 3, 1)
    )
    Committee.objects.create(estate=world.estate_a2, kind=CommitteeKind.SELF_MANAGEMENT, stage=CommitteeStage.IN_TERM)
    Committee.objects.create(
        estate=world.estate_other_district, kind=CommitteeKind.COMMITTEE, stage=CommitteeStage.PREPARATION
    )
    # subsidies: the third quarter's payments in A and B, one still proposed
    q3 = SubsidyPeriod.objects.create(
        district=world.district, starts_on=date(YEAR, 7, 1), ends_on=date(YEAR, 9, 30), label=f"{YEAR}年第三季度"
    )
    other_q3 = SubsidyPeriod.objects.create(
        district=world.other_district, starts_on=date(YEAR, 7, 1), ends_on=date(YEAR, 9, 30), label="西城第三季度"
    )
    for estate, tranche, amount, approved in (
        (world.estate_a1, "advance", "7525.18", True),
        (world.estate_a1, "balance", "3225.07", True),
        (world.estate_b1, "advance", "9675.23", False),
        (world.estate_other_district, "advance", "100.00", True),
    ):
        SubsidyPayment.objects.create(
            period=other_q3 if estate == world.estate_other_district else q3,
            tranche=tranche,
            estate=estate,
            street=estate.community.street,
            management_mode=estate.management_mode,
            area=estate.floor_area,
            rate=Decimal("1.20"),
            months=3,
            share=Decimal("0.700"),
            amount=Decimal(amount),
            status="approved" if approved else "proposed",
            approved_at=timezone.now() if approved else None,
        )
    return {"expired": expired, "late": late}


def workbook_of(response):
    assert response.status_code == 200, response.content[:500]
    content = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(content))


def get_workbook(client, **params):
    return workbook_of(client.get(reverse(URL), {"year": YEAR, **params}))


def table(sheet):
    """(headers, data rows, totals row) of a subject sheet: headers on row 3."""
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    headers = rows[2]
    data = [row for row in rows[3:] if isinstance(row[0], int)]
    totals = next(row for row in rows[3:] if row[0] == "合计")
    return headers, data, totals


def column(headers, rows, header):
    index = headers.index(header)
    return [row[index] for row in rows]


# --- sheets, headers and totals ---------------------------------------------------------------


def test_workbook_has_a_cover_and_one_sheet_per_subject(world, figures, client_for):
    book = get_workbook(client_for(world.official))
    assert book.sheetnames == ["封面", *SUBJECT_SHEETS]
    cover = {row[0]: row[1] for row in book["封面"].iter_rows(values_only=True) if row and row[0]}
    assert cover["报表名称"] == "老旧小区工作报表"
    assert cover["填报单位"] == "东城区"
    assert cover["范围"] == "东城区"
    assert cover["统计期间"] == f"{YEAR}年（{YEAR}年1月1日至{YEAR}年12月31日）"
    made = timezone.localtime()
    assert cover["生成时间"].startswith(f"{made.year}年{made.month}月{made.day}日")
    assert cover["台账数据截至"].startswith(f"{made.year}年{made.month}月{made.day}日")
    for name in SUBJECT_SHEETS:
        assert name in cover  # the cover lists every sheet


def test_every_subject_sheet_has_the_report_shape(world, figures, client_for):
    from core.xlsx import column_for
    from tests.excel import assert_cells_typed, assert_report_shape, read_report

    book = get_workbook(client_for(world.official))
    for name in SUBJECT_SHEETS:
        report = read_report(book, name)
        assert_report_shape(report, landscape=True, frozen_columns=3)
        assert_cells_typed(report, [column_for(header) for header in report.headers])
        sheet = book[name]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert rows[0][0].startswith(f"东城区{YEAR}年"), name  # the title names scope and period
        assert rows[1][0].startswith("填报单位：东城区"), name
        headers = rows[2]
        assert headers[:2] == ["序号", "区"], name
        assert sheet.freeze_panes == "D4", name  # header rows and the label columns stay in view
        for header in headers[3:]:
            assert header.endswith("）"), (name, header)  # every figure's header carries its unit
        _headers, data, totals = table(sheet)
        assert data and totals
        for row in data:
            for value in row[3:]:
                assert value is None or isinstance(value, int | float), (name, value)  # numbers, not text
        assert "填报人" in str(rows[-1][0])
        assert all(sheet.column_dimensions[letter].width >= 6 for letter in "ABCDE")


def test_ledger_sheet_totals_add_up_and_equal_the_ledger(world, figures, client_for):
    from accounts.scoping import Action
    from communities.selectors import estates_for, ledger_breakdown

    headers, data, totals = table(get_workbook(client_for(world.official))["台账汇总"])
    assert column(headers, data, "街道") == ["和平里街道", "龙潭街道"]
    estates = estates_for(user=world.official, action=Action.EXPORT)
    assert totals[headers.index("小区数（个）")] == estates.count() == 3
    for header in ("小区数（个）", "楼栋数（栋）", "户数（户）", "老旧小区数（个）", "老旧小区户数（户）"):
        assert totals[headers.index(header)] == sum(column(headers, data, header)), header
    _groups, total = ledger_breakdown(estates, by="street")
    area = totals[headers.index("建筑面积（万㎡）")]
    assert Decimal(str(area)) == (total.floor_area / 10000).quantize(Decimal("0.01"))
    assert area == pytest.approx(sum(column(headers, data, "建筑面积（万㎡）")), abs=0.01)


def test_coverage_sheet_counts_old_estates_by_mode_with_their_share(world, figures, client_for):
    headers, data, totals = table(get_workbook(client_for(world.official))["管理模式覆盖"])
    street_a = data[0]
    assert street_a[headers.index("老旧小区数（个）")] == 2
    assert street_a[headers.index("市场化物业（个）")] == 1
    assert street_a[headers.index("业主自治（个）")] == 1
    assert street_a[headers.index("市场化物业面积占比（%）")] == 50.0  # both estates have the same area
    assert totals[headers.index("业主自治（个）")] == 2
    assert totals[headers.index("市场化物业面积占比（%）")] == pytest.approx(33.3)
    modes = [f"{label}（个）" for _value, label in ManagementMode.choices]
    assert sum(totals[headers.index(h)] for h in modes) == totals[headers.index("老旧小区数（个）")]


def test_coverage_sheet_agrees_with_the_dashboard(world, figures, client_for):
    from dashboard.selectors import dashboard

    headers, _data, totals = table(get_workbook(client_for(world.official))["管理模式覆盖"])
    board = dashboard(user=world.official)
    assert totals[headers.index("老旧小区数（个）")] == board.coverage_total["estates"]
    assert Decimal(str(totals[headers.index("老旧小区建筑面积（万㎡）")])) == board.coverage_total["area"]
    for row in board.coverage:
        assert totals[headers.index(f"{row['label']}（个）")] == row["estates"]
        assert Decimal(str(totals[headers.index(f"{row['label']}（万㎡）")])) == row["area"]
        found = totals[headers.index(f"{row['label']}面积占比（%）")]
        assert (None if found is None else Decimal(str(found))) == row["share"]


def test_renovation_sheet_is_the_street_report(world, figures, client_for):
    from renovation.reports import street_report

    headers, data, totals = table(get_workbook(client_for(world.official))["改造进展与成效"])
    report = street_report(user=world.official, year=YEAR, action="export")
    assert headers == report.headers
    assert len(data) == len(report.rows) == 2
    assert totals[headers.index("项目数（个）")] == 2
    # the rows show 123.46 each; the 合计 is the exact 2 × 1,234,567.89 元, rounded once
    assert column(headers, data, "中央补助（万元）") == [123.46, 123.46]
    assert totals[headers.index("中央补助（万元）")] == 246.91
    footnote = [
        row[0] for row in get_workbook(client_for(world.official))["改造进展与成效"].iter_rows(values_only=True)
    ]
    assert "合计数据按未经四舍五入的数据计算，与分项之和可能略有差异。" in footnote


def test_complaint_sheet_sums_the_months_of_the_period(world, figures, client_for):
    from complaints.selectors import measures

    client = client_for(world.official)
    headers, data, totals = table(get_workbook(client)["投诉办理情况"])
    assert column(headers, data, "单位") == ["和平里街道", "龙潭街道"]
    assert column(headers, data, "收到投诉（件）") == [14, 6]
    year = measures(user=world.official, year=YEAR)
    assert totals[headers.index("收到投诉（件）")] == year["total"]["received"] == 20
    assert totals[headers.index("办结率（%）")] == year["total"]["resolved_rate"]
    # the first quarter holds street A's January and February only
    headers, data, totals = table(get_workbook(client, quarter=1)["投诉办理情况"])
    assert column(headers, data, "收到投诉（件）") == [14]
    # one month
    headers, data, totals = table(get_workbook(client, month=7)["投诉办理情况"])
    assert column(headers, data, "单位") == ["龙潭街道"] and totals[headers.index("收到投诉（件）")] == 6


def test_committee_sheet_counts_stages_overdue_and_expired_terms(world, figures, client_for):
    from propertymgmt.selectors import overdue_committees

    headers, data, totals = table(get_workbook(client_for(world.official))["业主组织"])
    assert column(headers, data, "街道") == ["和平里街道", "龙潭街道"]
    assert column(headers, data, "现有业主组织（个）") == [2, 1]
    assert column(headers, data, "任期届满未换届（个）") == [1, 0]
    assert column(headers, data, "进度逾期（个）") == [0, 1]
    assert totals[headers.index("进度逾期（个）")] == overdue_committees(user=world.official).count() == 1
    for header in headers[3:]:
        assert totals[headers.index(header)] == sum(column(headers, data, header)), header


def test_subsidy_sheet_lists_the_periods_payments_by_street(world, figures, client_for):
    from propertymgmt.selectors import payment_totals, payments_for

    sheet = get_workbook(client_for(world.official), quarter=3)["物业补贴"]
    headers, data, totals = table(sheet)
    assert f"{YEAR}年第三季度" in sheet["A2"].value
    assert column(headers, data, "街道") == ["和平里街道", "龙潭街道"]
    assert column(headers, data, "合计（元）") == [pytest.approx(10750.25), pytest.approx(9675.23)]
    assert column(headers, data, "待审批（笔）") == [0, 1]
    period = SubsidyPeriod.objects.get(district=world.district)
    expected = payment_totals(payments_for(user=world.official, period_id=period.pk))
    assert Decimal(str(totals[headers.index("合计（元）")])) == expected["amount"] == Decimal("20425.48")
    assert totals[headers.index("预拨（元）")] == pytest.approx(float(expected["advance"]))
    assert totals[headers.index("发放笔数（笔）")] == expected["count"] == 3
    assert totals[headers.index("合计（万元）")] == pytest.approx(2.04)
    # a period without subsidy periods: an empty table with a zero 合计
    _headers, data, totals = table(get_workbook(client_for(world.official), quarter=1)["物业补贴"])
    assert data == [] and totals[3] == 0


# --- scope -----------------------------------------------------------------------------------


def test_street_staff_workbook_holds_only_their_street(world, figures, client_for):
    book = get_workbook(client_for(world.staff_a), quarter=3)
    cover = {row[0]: row[1] for row in book["封面"].iter_rows(values_only=True) if row and row[0]}
    assert cover["填报单位"] == cover["范围"] == "和平里街道"
    for name in SUBJECT_SHEETS:
        headers, data, _totals = table(book[name])
        label = "单位" if "单位" in headers else "街道"
        assert set(column(headers, data, label)) <= {"和平里街道"}, name
        if name != "改造进展与成效" or data:
            assert "龙潭街道" not in str([list(r) for r in book[name].iter_rows(values_only=True)]), name
    headers, data, totals = table(book["台账汇总"])
    assert totals[headers.index("小区数（个）")] == 2


def test_community_worker_workbook_holds_only_their_community(world, figures, client_for):
    book = get_workbook(client_for(world.worker_a1))
    headers, data, totals = table(book["台账汇总"])
    assert totals[headers.index("小区数（个）")] == 1  # estate_a1 only, not the rest of street A
    headers, data, totals = table(book["业主组织"])
    assert totals[headers.index("现有业主组织（个）")] == 1


def test_official_may_narrow_to_one_of_their_streets(world, figures, client_for):
    book = get_workbook(client_for(world.official), street=world.street_b.pk, quarter=3)
    cover = {row[0]: row[1] for row in book["封面"].iter_rows(values_only=True) if row and row[0]}
    assert cover["填报单位"] == "东城区" and cover["范围"] == "龙潭街道"
    for name in SUBJECT_SHEETS:
        headers, data, totals = table(book[name])
        label = "单位" if "单位" in headers else "街道"
        assert column(headers, data, label) == ["龙潭街道"], name
    headers, data, totals = table(book["改造进展与成效"])
    assert data[0][0] == 1 and totals[headers.index("项目数（个）")] == 1
    headers, data, totals = table(book["物业补贴"])
    assert totals[headers.index("合计（元）")] == pytest.approx(9675.23)


def test_street_outside_the_scope_is_refused_with_a_message(world, figures, client_for):
    other = world.estate_other_district.community.street_id
    response = client_for(world.official).get(reverse(URL), {"year": YEAR, "street": other})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "所选街道不在您的管辖范围内" in response.content.decode()


def test_street_staff_have_no_street_to_choose_and_cannot_widen_by_asking(world, figures, client_for):
    client = client_for(world.staff_a)
    assert "street" not in client.get(reverse(URL)).context["form"].fields
    book = get_workbook(client, street=world.street_b.pk)  # ignored: their scope is their street
    headers, data, _totals = table(book["台账汇总"])
    assert column(headers, data, "街道") == ["和平里街道"]


def test_workbook_is_refused_without_a_role(world, client_for):
    from tests.factories import UserFactory

    nobody = UserFactory(username="nobody")
    assert client_for(nobody).get(reverse(URL), {"year": YEAR}).status_code == 403
    assert client_for(nobody).get(reverse(URL)).status_code == 403


# --- the form ---------------------------------------------------------------------------------


def test_page_offers_the_form(world, client_for):
    page = client_for(world.official).get(reverse(URL))
    assert page.status_code == 200
    text = page.content.decode()
    assert "生成报表" in text and "和平里街道" in text and "德胜街道" not in text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "abc"}, "年度无效"),
        ({"year": "1999"}, "年度无效"),
        ({"year": ""}, "请选择年度"),
        ({"year": YEAR, "quarter": "5"}, "季度无效"),
        ({"year": YEAR, "month": "13"}, "月份无效"),
        ({"year": YEAR, "month": "x"}, "月份无效"),
        ({"year": YEAR, "quarter": "1", "month": "2"}, "季度和月份只能选择其一"),
        ({"year": YEAR, "street": "abc"}, "所选街道不在您的管辖范围内"),
        ({"year": YEAR + 2}, "年度无效"),
    ],
)
def test_bad_input_gets_a_chinese_message(world, client_for, params, message):
    response = client_for(world.official).get(reverse(URL), params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_month_not_yet_begun_is_refused(world, client_for, monkeypatch):
    # Mid-June, so that a later month of this year exists whatever today's date.
    june = date(timezone.localdate().year, 6, 15)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: june)
    response = client_for(world.official).get(reverse(URL), {"year": june.year, "month": 7})
    assert response.status_code == 400 and "所选期间尚未开始" in response.content.decode()


def test_period_boundaries():
    assert (Period(2026, quarter=3).first, Period(2026, quarter=3).last) == (date(2026, 7, 1), date(2026, 9, 30))
    assert Period(2026, quarter=3).label == "2026年第三季度"
    assert (Period(2024, month=2).last, Period(2024, month=2).label) == (date(2024, 2, 29), "2024年2月")
    year = Period(2026)
    assert (year.first, year.last, year.label) == (date(2026, 1, 1), date(2026, 12, 31), "2026年")


# --- query counts ---------------------------------------------------------------------------


def test_small_workbook_costs_the_same_queries_however_many_estates(world, figures, client_for):
    client = client_for(world.official)
    client.get(reverse(URL))  # settles the session

    def workbook():
        from django.core.cache import cache

        cache.clear()  # not a query: the cache is Redis
        get_workbook(client, quarter=3)

    before = counted(workbook)
    for number in range(15):
        community = world.community_b1 if number % 2 else world.community_a1
        EstateFactory(community=community, name=f"加测小区{number}", year_built=1980 + number)
    same_query_count(before, workbook, why="15 estates added")
    # session and user, the street check, the estate count, one grouped query per
    # subject (the ledger: its grouped query and the streets' names; the renovation
    # report: its generation lookups and five statements)
    assert before.count == 21, before.numbered()


# --- large workbooks in the background -------------------------------------------------------


def test_large_workbook_runs_as_a_job_with_progress_and_only_for_its_owner(
    world, figures, client_for, settings, tmp_path, monkeypatch
):
    from core import tasks
    from core.exports import run_export_job

    settings.WORKBOOK_ASYNC_ESTATES = 2  # the district's 3 estates are "large"
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(tasks.run_export, "delay", lambda job_id: None)
    client = client_for(world.official)
    response = client.get(reverse(URL), {"year": YEAR, "quarter": 3})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:export_job", args=[job.pk])
    assert job.kind == "workbook" and job.status == ExportJob.Status.QUEUED and job.percent == 0
    assert client.get(reverse("core:export_download", args=[job.pk])).status_code == 404  # not yet made

    run_export_job(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.percent == 100 and job.rows_done == job.total_rows > 0
    kept = job.expires_at - job.created_at
    assert abs(kept - timedelta(hours=settings.EXPORT_KEEP_HOURS)) < timedelta(seconds=5)
    page = client.get(reverse("core:export_job", args=[job.pk])).content.decode()
    assert "100%" in page and "下载" in page and job.filename in page
    assert job.filename.startswith("老旧小区工作报表_东城区_") and f"{YEAR}年第三季度" in job.filename

    book = workbook_of(client.get(reverse("core:export_download", args=[job.pk])))
    assert book.sheetnames == ["封面", *SUBJECT_SHEETS]
    headers, data, totals = table(book["台账汇总"])
    assert totals[headers.index("小区数（个）")] == 3
    # Nobody else gets it, not even a user who could see the same figures.
    for other in (world.auditor, world.staff_a):
        assert client_for(other).get(reverse("core:export_download", args=[job.pk])).status_code == 404
        assert client_for(other).get(reverse("core:export_job", args=[job.pk])).status_code == 404


def test_workbook_job_reports_progress_after_each_sheet(world, figures):
    from dashboard.workbook import export_for_job

    job = ExportJob.objects.create(
        requested_by=world.official, kind="workbook", params={"year": YEAR, "quarter": 3, "street": ""}
    )
    seen = []
    with io.BytesIO() as handle:
        rows, filename = export_for_job(job, handle, seen.append)
    assert len(seen) == len(SUBJECT_SHEETS)
    assert seen == sorted(seen) and seen[-1] == rows
    assert filename.endswith(".xlsx")


def test_workbook_job_never_reaches_wider_than_its_user(world, figures):
    from dashboard.workbook import export_for_job

    other = world.estate_other_district.community.street_id
    job = ExportJob.objects.create(requested_by=world.official, kind="workbook", params={"year": YEAR, "street": other})
    with pytest.raises(ValueError, match="所选街道不在您的管辖范围内"), io.BytesIO() as handle:
        export_for_job(job, handle, lambda rows: None)


@pytest.mark.django_db(transaction=True)
def test_workbook_job_runs_on_the_worker(world, client_for, settings, tmp_path, celery_worker):
    import time

    settings.WORKBOOK_ASYNC_ESTATES = 1
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.official)
    response = client.get(reverse(URL), {"year": YEAR})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    for _attempt in range(100):
        job.refresh_from_db()
        if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
            break
        time.sleep(0.1)
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.percent == 100
    assert client.get(reverse("core:export_download", args=[job.pk])).status_code == 200
    assert client_for(world.auditor).get(reverse("core:export_download", args=[job.pk])).status_code == 404
