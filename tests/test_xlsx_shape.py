"""Every report the portal exports has the shape officials send upward and figures
an official can sign (core.xlsx): a title merged across the table in row 1, the
reporting unit in row 2, the headers in row 3 (repeated on every printed page,
panes frozen under them, one page wide), typed cells (numbers are numbers in
their unit's format and rounded once to it, dates are dates, codes are text), a
合计 row that is the rounded exact total, the footnote where the rounded rows
add up to something else, and a footer for the signatures."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from core.figures import round_to
from core.xlsx import COUNT, INTEGER, TEXT, WAN, YUAN, Column, new_workbook
from tests.excel import (
    FOOTNOTE,
    as_decimal,
    assert_cells_typed,
    assert_report_shape,
    assert_total_is_rounded_exact_sum,
    content_of,
    read_report,
)

pytestmark = pytest.mark.django_db


def download(response, sheet_name):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return read_report(content_of(response), sheet_name)


# --- the ledger ------------------------------------------------------------------------------


def test_ledger_export_has_the_report_shape_and_signable_figures(world, client_for):
    from communities.ledger_excel.export import EXPORT_COLUMNS
    from communities.models import Estate

    # 1.005 万㎡ each: the rows show 1.01, the exact total 3.02 (not 3.03)
    Estate.objects.filter(community__street__district=world.district).update(
        floor_area=Decimal("10050.00"), fund_balance=Decimal("1234567.89")
    )
    report = download(client_for(world.official).get(reverse("communities:estate_export")), "小区台账")
    assert report.title == "东城区老旧小区台账" and "填报单位：东城区" in report.unit
    assert_report_shape(report, landscape=True, frozen_columns=4)
    assert_cells_typed(report, EXPORT_COLUMNS)
    assert len(report.data) == 3
    assert report.column("建筑面积（万㎡）") == [1.01, 1.01, 1.01]
    estates = Estate.objects.filter(community__street__district=world.district)
    sums = estates.aggregate(
        buildings=Sum("building_count"), households=Sum("households"), area=Sum("floor_area"), fund=Sum("fund_balance")
    )
    assert report.total("楼栋数（栋）") == sums["buildings"] and report.total("户数（户）") == sums["households"]
    assert_total_is_rounded_exact_sum(report, "建筑面积（㎡）", sums["area"])
    assert_total_is_rounded_exact_sum(report, "建筑面积（万㎡）", sums["area"] / 10000)
    assert report.total("建筑面积（万㎡）") == 3.02 and report.footnoted
    assert_total_is_rounded_exact_sum(report, "维修资金余额（元）", sums["fund"])
    assert "填报人" in report.signed_by and "审核人" in report.signed_by and "填报日期" in report.signed_by


def test_ledger_export_without_a_rounding_difference_has_no_footnote(world, client_for):
    from communities.models import Estate

    Estate.objects.update(floor_area=Decimal("10000.00"))
    report = download(client_for(world.official).get(reverse("communities:estate_export")), "小区台账")
    assert report.total("建筑面积（万㎡）") == 3
    assert not report.footnoted


# --- renovation ---------------------------------------------------------------------------------


def renovation_year(world):
    from renovation.models import CatalogueItem, Stage
    from tests.renovation.conftest import (
        AnnualPlanFactory,
        FiveYearPlanFactory,
        FundingLineFactory,
        ProjectFactory,
        WorkItemFactory,
    )

    plan = AnnualPlanFactory(plan=FiveYearPlanFactory(district=world.district), year=2024)
    elevator = CatalogueItem.objects.get(name="加装电梯")
    for estate, user, money in (
        (world.estate_a1, world.staff_a, "1234567.89"),
        (world.estate_a2, world.staff_a, "50000.05"),
        (world.estate_b1, world.staff_b, "7777.77"),
    ):
        project = ProjectFactory(
            annual_plan=plan,
            estate=estate,
            created_by=user,
            stage=Stage.CONSTRUCTION,
            planned_start=date(2024, 3, 5),
            actual_start=date(2024, 4, 1),
        )
        # 总投资 is the budget; the two funding lines cover it exactly
        budget = Decimal(money) + Decimal("10000.49")
        item = WorkItemFactory(project=project, item=elevator, budget=budget, actual_cost=Decimal("3333.33"))
        FundingLineFactory(project=project, source="central", work_item=item, planned=Decimal(money))
        FundingLineFactory(project=project, source="residents", planned=Decimal("10000.49"))


def test_renovation_street_report_totals_are_the_rounded_exact_totals(world, client_for):
    from django.core.cache import cache

    from renovation.models import FundingLine, WorkItem
    from renovation.reports import street_columns

    cache.clear()  # reports are cached per data generation, which a new test database repeats
    renovation_year(world)
    response = client_for(world.official).get(reverse("renovation:street_report_export"), {"year": 2024})
    report = download(response, "按街道统计")
    assert report.title == "东城区2024年老旧小区改造情况统计表（按街道）" and "填报单位：东城区" in report.unit
    assert_report_shape(report, landscape=True, frozen_columns=3)
    assert_cells_typed(report, street_columns())
    assert report.column("街道") == ["和平里街道", "龙潭街道"]
    budget = WorkItem.objects.aggregate(t=Sum("budget"))["t"]
    central = FundingLine.objects.filter(source="central").aggregate(t=Sum("planned"))["t"]
    # street A shows 130.46, street B 1.78: 132.24 added up, 132.23 exact
    assert_total_is_rounded_exact_sum(report, "总投资（万元）", budget / 10000)
    assert report.total("总投资（万元）") == 132.23 and report.footnoted
    assert_total_is_rounded_exact_sum(report, "中央补助（万元）", central / 10000)
    assert report.total("项目数（个）") == 3
    assert "审核人" in report.signed_by


def test_renovation_project_report_has_dates_and_rounded_exact_totals(world, client_for):
    from django.core.cache import cache

    from renovation.models import WorkItem
    from renovation.reports import PROJECT_COLUMNS, project_totals, shown_row

    cache.clear()
    renovation_year(world)
    response = client_for(world.official).get(reverse("renovation:project_report_export"), {"year": 2024})
    report = download(response, "改造项目")
    assert report.title == "东城区2024年老旧小区改造项目表" and len(report.data) == 3
    assert_report_shape(report, landscape=True, frozen_columns=3)
    assert_cells_typed(report, PROJECT_COLUMNS)
    assert {day.date() for day in report.column("计划开工")} == {date(2024, 3, 5)}
    assert report.column("实际完工") == [None, None, None]
    assert report.total("社区") is None and report.totals[3].value == "3个项目"
    budget = WorkItem.objects.aggregate(t=Sum("budget"))["t"]
    actual = WorkItem.objects.aggregate(t=Sum("actual_cost"))["t"]
    assert_total_is_rounded_exact_sum(report, "总投资（万元）", budget / 10000)
    assert report.total("资金缺口（万元）") == 0
    assert_total_is_rounded_exact_sum(report, "完成投资（万元）", actual / 10000)
    assert report.footnoted  # 总投资: the rows add up to 132.24
    # the page's 合计 (every page of it) is the same rounded exact total
    from renovation.reports import _year_projects

    page_totals = shown_row(PROJECT_COLUMNS, project_totals(_year_projects(world.official, 2024, "view").values("pk")))
    for header in ("总投资（万元）", "完成投资（万元）", "建筑面积（万㎡）", "户数（户）"):
        index = report.headers.index(header)
        assert as_decimal(report.total(header)) == page_totals[index], header


# --- complaints -------------------------------------------------------------------------------


def file_cases(world):
    from complaints import services
    from complaints.models import Category, Channel

    category = Category.objects.get(code="common_area")
    cases = []
    for estate, phone in ((world.estate_a1, "13812345678"), (world.estate_a2, "13700001111")):
        filing = services.Filing(
            category=category,
            description="楼道被杂物堵塞",
            reporter_name="李秀英",
            reporter_phone=phone,
            estate=estate,
            channel=Channel.WEB,
            consent=True,
        )
        cases.append(services.file_complaint(filing=filing))
    return cases


def test_case_export_has_real_times_text_phones_and_a_count(world, client_for):
    from complaints.excel import CASE_HEADERS, case_columns
    from complaints.models import Complaint

    cases = file_cases(world)
    Complaint.objects.filter(pk=cases[0].pk).update(reopen_count=2)
    response = client_for(world.staff_a).get(reverse("complaints:case_export"), {"queue": "all"})
    report = download(response, "投诉工单")
    assert report.title == "物业投诉工单清单" and "导出单位：和平里街道" in report.unit
    assert_report_shape(report, landscape=True)
    assert_cells_typed(report, case_columns())
    assert len(report.data) == 2 and report.totals[1].value == "2 件"
    assert report.total("重新办理次数") == 2
    assert report.column("手机号码（脱敏）") == ["137****1111", "138****5678"]
    received = report.column("收到时间")[0]
    assert received.date() == timezone.localdate() and received.tzinfo is None  # Beijing time, a real date
    assert [str(h) for h in report.headers] == [str(h) for h in CASE_HEADERS]


def test_measures_export_has_counts_and_rates_to_a_tenth(world, client_for):
    from complaints.excel import MEASURE_HEADERS
    from core.xlsx import column_for

    file_cases(world)
    headers = [label for _key, label in MEASURE_HEADERS]
    report = download(client_for(world.official).get(reverse("complaints:measures_export")), "办理情况")
    assert report.title == f"{timezone.localdate().year}年物业投诉办理情况统计表" and "填报单位：东城区" in report.unit
    assert_report_shape(report, landscape=True)
    assert_cells_typed(report, [column_for(header) for header in headers])
    assert report.sheet.cell(row=4, column=headers.index("回复率（%）") + 1).number_format == "0.0"
    for label in ("收到投诉（件）", "其中已受理（件）", "已办结（件）", "评价数（件）"):
        assert report.total(label) == sum(report.column(label)), label
    assert report.total("收到投诉（件）") == 2
    assert "填报日期" in report.signed_by


# --- property management ---------------------------------------------------------------------


def test_subsidy_payment_export_has_the_report_shape(world, client_for):
    from propertymgmt import services
    from propertymgmt.exports import COLUMNS
    from propertymgmt.models import SubsidyPayment
    from tests.propertymgmt.conftest import CompanyFactory, ContractFactory

    company = CompanyFactory(district=world.district)
    for estate in (world.estate_a1, world.estate_a2, world.estate_b1):
        ContractFactory(estate=estate, company=company, starts_on=date(2026, 1, 1))
    period = services.ensure_period(district_id=world.district.pk, day=timezone.localdate())
    services.run_advance(period_id=period.pk)
    assert SubsidyPayment.objects.filter(street=world.street_a).exists()

    report = download(
        client_for(world.official).get(reverse("propertymgmt:subsidy_export", args=[period.pk])), "补贴发放"
    )
    assert "物业管理补贴发放表" in report.title and "填报单位：东城区" in report.unit
    assert_report_shape(report, landscape=True)
    assert_cells_typed(report, COLUMNS)
    payments = SubsidyPayment.objects.filter(period=period)
    assert len(report.data) == payments.count() and report.totals[2].value == f"{len(report.data)}笔"
    assert_total_is_rounded_exact_sum(report, "金额（元）", payments.aggregate(t=Sum("amount"))["t"])
    assert report.sheet.cell(row=4, column=COLUMNS.index(COLUMNS[8]) + 1).number_format == "0.0%"
    assert all(as_decimal(share) == Decimal("0.7") for share in report.column("比例"))
    for role in ("填报人", "审核人", "审批人"):
        assert role in report.signed_by


# --- the writer itself -----------------------------------------------------------------------

AMOUNTS = st.decimals(min_value=Decimal("-99999999"), max_value=Decimal("99999999"), places=6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(AMOUNTS, st.integers(min_value=0, max_value=10**9)), max_size=40))
def test_a_written_total_is_the_rounded_exact_sum_and_each_cell_the_rounded_value(rows):
    """For any exact rows: each cell shows round_half_up(value, 0.01), the 合计 shows
    round_half_up(sum of the exact values), and the footnote is there exactly when
    the shown cells add up to something else."""
    handle = io.BytesIO()
    columns = [
        Column("序号", INTEGER),
        Column("金额（万元）", WAN, total=True),
        Column("户数（户）", COUNT, total=True),
    ]
    with new_workbook(handle) as book:
        table = book.table(name="表", title="标题", unit_line="填报单位：测试", columns=columns)
        for number, (amount, households) in enumerate(rows, start=1):
            table.append([number, amount, households])
        table.write_totals()
        table.signature_footer()
    report = read_report(handle.getvalue(), "表")
    shown = [as_decimal(v) for v in report.column("金额（万元）")]
    assert shown == [round_to(amount, 2) for amount, _households in rows]
    exact = sum((amount for amount, _households in rows), Decimal(0))
    assert as_decimal(report.total("金额（万元）")) == round_to(exact, 2)
    assert report.total("户数（户）") == sum(households for _amount, households in rows)
    assert report.footnoted == (sum(shown, Decimal(0)) != round_to(exact, 2))
    assert (report.after[0][0].value == FOOTNOTE) == report.footnoted


def test_a_narrow_table_prints_portrait_and_refuses_floats():
    handle = io.BytesIO()
    with new_workbook(handle) as book:
        table = book.table(
            name="窄表", title="标题", unit_line="单位", columns=[Column("名称", TEXT, 20), Column("金额（元）", YUAN)]
        )
        table.append(["甲", Decimal("1.005")])
        with pytest.raises(TypeError, match="float"):
            table.append(["乙", 0.1 + 0.2])
        table.write_totals()
    report = read_report(handle.getvalue(), "窄表")
    assert_report_shape(report, landscape=False)
    assert report.column("金额（元）")[0] == 1.01  # half up, not to even
