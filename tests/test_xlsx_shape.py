"""Every report the portal exports has the shape officials send upward
(core.xlsx): a title merged across the table in row 1, the reporting unit in
row 2, the headers in row 3, a 合计 row whose figures are the sums of the rows
above it, and a footer for the signatures."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

pytestmark = pytest.mark.django_db


def report(response, sheet_name, headers):
    """The sheet of a download as (title, unit line, data rows, 合计 row, rows after it),
    once its title, header and frozen rows are checked."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book[sheet_name]
    assert f"A1:{get_column_letter(len(headers))}1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.freeze_panes.endswith("4")  # title, unit line and headers stay in view
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0]
    assert [str(h) for h in rows[2][: len(headers)]] == [str(h) for h in headers]
    end = next(i for i, row in enumerate(rows) if row[0] == "合计")
    return rows[0][0], rows[1][0], rows[3:end], rows[end], rows[end + 1 :]


def column_sum(rows, index):
    return sum(row[index] for row in rows if row[index] is not None)


def signed(after_totals, *roles):
    text = " ".join(str(v) for row in after_totals for v in row if v)
    return all(role in text for role in roles)


def test_ledger_export_has_the_report_shape(world, client_for):
    from communities.ledger_excel import EXPORT_HEADERS

    headers = [header for header, _width in EXPORT_HEADERS]
    response = client_for(world.official).get(reverse("communities:estate_export"))
    title, unit, data, totals, after = report(response, "小区台账", headers)
    assert title == "东城区老旧小区台账" and "填报单位：东城区" in unit
    assert len(data) == 3
    for header in ("楼栋数（栋）", "户数（户）", "建筑面积（㎡）", "C/D级危房（栋）"):
        index = headers.index(header)
        assert totals[index] == pytest.approx(column_sum(data, index)), header
    assert signed(after, "填报人", "审核人", "填报日期")


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
        project = ProjectFactory(annual_plan=plan, estate=estate, created_by=user, stage=Stage.CONSTRUCTION)
        item = WorkItemFactory(project=project, item=elevator, actual_cost=Decimal("3333.33"))
        FundingLineFactory(project=project, source="central", work_item=item, planned=Decimal(money))
        FundingLineFactory(project=project, source="residents", planned=Decimal("10000.49"))


def test_renovation_reports_have_the_report_shape(world, client_for):
    from django.core.cache import cache

    from renovation.reports import PROJECT_HEADERS, PROJECT_SUMMED_COLUMNS, street_headers

    cache.clear()  # reports are cached per data generation, which a new test database repeats
    renovation_year(world)
    client = client_for(world.official)

    headers = street_headers()
    response = client.get(reverse("renovation:street_report_export"), {"year": 2024})
    title, unit, data, totals, after = report(response, "按街道统计", headers)
    assert title == "东城区2024年老旧小区改造情况统计表（按街道）" and "填报单位：东城区" in unit
    assert [row[2] for row in data] == ["和平里街道", "龙潭街道"]
    for index in range(3, len(headers)):
        assert totals[index] == pytest.approx(column_sum(data, index)), headers[index]
    assert signed(after, "填报人", "审核人")

    response = client.get(reverse("renovation:project_report_export"), {"year": 2024})
    title, _unit, data, totals, after = report(response, "改造项目", PROJECT_HEADERS)
    assert title == "东城区2024年老旧小区改造项目表" and len(data) == 3
    for index in PROJECT_SUMMED_COLUMNS:
        assert totals[index] == pytest.approx(column_sum(data, index)), PROJECT_HEADERS[index]
    assert totals[3] == "3个项目"
    assert signed(after, "填报人", "审核人")


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


def test_complaint_exports_have_the_report_shape(world, client_for):
    from complaints.excel import CASE_HEADERS, MEASURE_HEADERS
    from complaints.models import Complaint

    cases = file_cases(world)
    Complaint.objects.filter(pk=cases[0].pk).update(reopen_count=2)

    response = client_for(world.staff_a).get(reverse("complaints:case_export"), {"queue": "all"})
    title, unit, data, totals, _after = report(response, "投诉工单", CASE_HEADERS)
    assert title == "物业投诉工单清单" and "导出单位：和平里街道" in unit
    assert len(data) == 2 and totals[1] == "2 件"
    reopened = CASE_HEADERS.index("重新办理次数")
    assert totals[reopened] == column_sum(data, reopened) == 2

    headers = [label for _key, label in MEASURE_HEADERS]
    response = client_for(world.official).get(reverse("complaints:measures_export"))
    title, unit, data, totals, after = report(response, "办理情况", headers)
    assert title == f"{timezone.localdate().year}年物业投诉办理情况统计表" and "填报单位：东城区" in unit
    assert data
    for label in ("受理量（件）", "已受理（件）", "已办结（件）", "评价数（件）"):
        index = headers.index(label)
        assert totals[index] == column_sum(data, index), label
    assert totals[headers.index("受理量（件）")] == 2
    assert signed(after, "填报人", "审核人", "填报日期")


def test_subsidy_payment_export_has_the_report_shape(world, client_for):
    from propertymgmt import services
    from propertymgmt.exports import HEADERS
    from propertymgmt.models import SubsidyPayment
    from tests.propertymgmt.conftest import CompanyFactory, ContractFactory

    company = CompanyFactory(district=world.district)
    for estate in (world.estate_a1, world.estate_a2, world.estate_b1):
        ContractFactory(estate=estate, company=company, starts_on=date(2026, 1, 1))
    period = services.ensure_period(district_id=world.district.pk, day=timezone.localdate())
    services.run_advance(period_id=period.pk)
    assert SubsidyPayment.objects.filter(street=world.street_a).exists()

    response = client_for(world.official).get(reverse("propertymgmt:subsidy_export", args=[period.pk]))
    title, unit, data, totals, after = report(response, "补贴发放", HEADERS)
    assert "物业管理补贴发放表" in title and "填报单位：东城区" in unit
    amount = HEADERS.index("金额（元）")
    assert len(data) == SubsidyPayment.objects.filter(period=period).count()
    assert totals[2] == f"{len(data)}笔"
    assert totals[amount] == pytest.approx(column_sum(data, amount))
    assert totals[amount] == pytest.approx(
        float(sum(SubsidyPayment.objects.filter(period=period).values_list("amount", flat=True)))
    )
    assert signed(after, "填报人", "审核人", "审批人")
