"""Funding lines, the central-subsidy-once rule and budget against actual."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from renovation import selectors, services
from renovation.models import CatalogueItem, FundingLine
from tests.renovation.conftest import FundingLineFactory, ProjectFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def elevator():
    return CatalogueItem.objects.get(name="加装电梯")


def test_funding_lines_record_planned_and_received_per_source(world, project, elevator):
    work = services.save_work_item(
        user=world.staff_a, project_id=project.pk, item=elevator, quantity=Decimal("2"), budget=Decimal("1200000")
    )
    services.save_funding_line(
        user=world.staff_a, project_id=project.pk, source="central", planned=Decimal("400000"), work_item=work
    )
    services.save_funding_line(
        user=world.staff_a,
        project_id=project.pk,
        source="provident_fund",
        planned=Decimal("300000"),
        received=Decimal("100000"),
    )
    rows = {row["source"]: row for row in selectors.funding_by_source(project)}
    assert rows["central"]["planned"] == Decimal("400000")
    assert rows["provident_fund"]["received"] == Decimal("100000")


def test_central_subsidy_must_name_its_work_item(world, project):
    with pytest.raises(ValidationError) as exc:
        services.save_funding_line(user=world.staff_a, project_id=project.pk, source="central", planned=Decimal("1"))
    assert "work_item" in exc.value.message_dict


def test_same_work_item_in_same_estate_cannot_get_central_subsidy_twice_across_projects(world, plans, elevator):
    first = ProjectFactory(annual_plan=plans[2023], estate=world.estate_a1, created_by=world.staff_a, name="一期")
    second = ProjectFactory(annual_plan=plans[2024], estate=world.estate_a1, created_by=world.staff_a, name="二期")
    work_1 = services.save_work_item(
        user=world.staff_a, project_id=first.pk, item=elevator, quantity=Decimal("1"), budget=Decimal("600000")
    )
    work_2 = services.save_work_item(
        user=world.staff_a, project_id=second.pk, item=elevator, quantity=Decimal("1"), budget=Decimal("600000")
    )
    services.save_funding_line(
        user=world.staff_a, project_id=first.pk, source="central", planned=Decimal("1"), work_item=work_1
    )
    with pytest.raises(ValidationError) as exc:
        services.save_funding_line(
            user=world.staff_a, project_id=second.pk, source="central", planned=Decimal("1"), work_item=work_2
        )
    error = exc.value.error_dict["source"][0]
    assert error.code == "central_subsidy_twice"
    assert "一期" in error.messages[0] and "2023" in error.messages[0]
    assert FundingLine.objects.filter(project=second).count() == 0
    # other sources for the same work are fine, and so is another estate's elevator
    services.save_funding_line(
        user=world.staff_a, project_id=second.pk, source="provincial", planned=Decimal("1"), work_item=work_2
    )
    other = ProjectFactory(annual_plan=plans[2024], estate=world.estate_a2, created_by=world.staff_a)
    work_3 = services.save_work_item(user=world.staff_a, project_id=other.pk, item=elevator, quantity=1, budget=1)
    services.save_funding_line(
        user=world.staff_a, project_id=other.pk, source="central", planned=Decimal("1"), work_item=work_3
    )


def test_violations_in_existing_data_are_listed(world, plans, elevator):
    first = ProjectFactory(annual_plan=plans[2023], estate=world.estate_a1, created_by=world.staff_a, name="一期")
    second = ProjectFactory(annual_plan=plans[2024], estate=world.estate_a1, created_by=world.staff_a, name="二期")
    clean = ProjectFactory(annual_plan=plans[2024], estate=world.estate_b1, created_by=world.staff_b)
    for project in (first, second, clean):
        work = WorkItemFactory(project=project, item=elevator)
        FundingLineFactory(project=project, source="central", work_item=work)  # written around the service
    violations = selectors.central_subsidy_violations(user=world.official)
    assert len(violations) == 1
    assert violations[0].estate == "和平里七区" and violations[0].item == "加装电梯"
    assert violations[0].projects == ["一期", "二期"]
    assert selectors.central_subsidy_violations(user=world.staff_b) == []


def test_violations_command_prints_them_and_fails(world, plans, elevator):
    from io import StringIO

    from django.core.management import call_command

    for year, name in ((2023, "一期"), (2024, "二期")):
        project = ProjectFactory(annual_plan=plans[year], estate=world.estate_a1, created_by=world.staff_a, name=name)
        FundingLineFactory(project=project, source="central", work_item=WorkItemFactory(project=project, item=elevator))
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("renovation_subsidy_check", stdout=out)
    assert exc.value.code == 1
    assert "和平里七区" in out.getvalue() and "一期" in out.getvalue()


def test_budget_against_actual_per_category_flags_overrun(world, project, elevator):
    roads = CatalogueItem.objects.get(name="小区道路改造")
    services.save_work_item(
        user=world.staff_a,
        project_id=project.pk,
        item=elevator,
        quantity=2,
        budget=Decimal("1000"),
        actual_cost=Decimal("900"),
    )
    services.save_work_item(
        user=world.staff_a,
        project_id=project.pk,
        item=roads,
        quantity=500,
        budget=Decimal("100"),
        actual_cost=Decimal("150"),
    )
    rows, over = selectors.budget_by_category(project)
    by = {r.category: r for r in rows}
    assert by["basic"].over and not by["improvement"].over
    assert over is False  # 1,050 spent of 1,100
    services.save_work_item(
        user=world.staff_a,
        project_id=project.pk,
        item=roads,
        quantity=500,
        budget=Decimal("100"),
        actual_cost=Decimal("400"),
        work_item_id=project.work_items.get(item=roads).pk,
    )
    assert selectors.budget_by_category(project)[1] is True


def test_negative_money_is_refused_with_the_field_named(world, project, elevator):
    with pytest.raises(ValidationError) as exc:
        services.save_work_item(
            user=world.staff_a, project_id=project.pk, item=elevator, quantity=1, budget=Decimal("-5")
        )
    assert "budget" in exc.value.message_dict


# 总投资, funding and the gap (docs/figures.md: 总投资 is the work items' budget) ----------


def _budgeted(world, project, elevator, *, budget, funded):
    work = services.save_work_item(
        user=world.staff_a, project_id=project.pk, item=elevator, quantity=Decimal("2"), budget=Decimal(budget)
    )
    services.save_funding_line(
        user=world.staff_a, project_id=project.pk, source="central", planned=Decimal(funded), work_item=work
    )
    return work


def test_total_investment_is_the_budget_and_the_gap_what_funding_leaves(world, project, elevator):
    _budgeted(world, project, elevator, budget="6084000.00", funded="2116900.00")
    services.save_funding_line(
        user=world.staff_a, project_id=project.pk, source="residents", planned=Decimal("0.01"), received=Decimal("0.01")
    )
    money = selectors.project_money(project)
    assert money.total_investment == Decimal("6084000.00")
    assert money.planned == Decimal("2116900.01") and money.received == Decimal("0.01")
    assert money.gap == Decimal("3967099.99") and money.surplus == 0


def test_funding_beyond_the_budget_is_no_gap(world, project, elevator):
    _budgeted(world, project, elevator, budget="100.00", funded="150.00")
    money = selectors.project_money(project)
    assert money.gap == 0 and money.surplus == Decimal("50.00")


def test_one_projects_surplus_does_not_cover_anothers_gap(world, plans, project, elevator):
    other = ProjectFactory(annual_plan=plans[2024], estate=world.estate_a2, created_by=world.staff_a)
    _budgeted(world, project, elevator, budget="1000.00", funded="400.00")  # gap 600
    _budgeted(world, other, elevator, budget="1000.00", funded="1500.00")  # surplus 500
    totals = selectors.project_totals([project.pk, other.pk])
    assert totals.total_investment == Decimal("2000.00") and totals.planned == Decimal("1900.00")
    assert totals.gap == Decimal("600.00") and totals.short == 1


def test_project_page_shows_budget_funding_and_the_gap(world, project, elevator, client_for):
    from django.urls import reverse

    _budgeted(world, project, elevator, budget="6084000.00", funded="2116900.00")
    page = client_for(world.staff_a).get(reverse("renovation:project_detail", args=[project.pk])).content.decode()
    money = page.split('id="money"')[1].split("</dl>")[0]
    assert "6,084,000.00 元" in money and "2,116,900.00 元" in money
    assert "3,967,100.00 元" in money.split('id="gap"')[1]
    assert 'id="gap-flag"' in page


def test_a_funded_project_carries_no_gap_flag(world, project, elevator, client_for):
    from django.urls import reverse

    _budgeted(world, project, elevator, budget="500000.00", funded="500000.00")
    page = client_for(world.staff_a).get(reverse("renovation:project_detail", args=[project.pk])).content.decode()
    assert 'id="gap-flag"' not in page
    assert "无" in page.split('id="gap"')[1].split("</dd>")[0]


def test_list_flags_and_filters_projects_with_a_gap(world, plans, project, elevator, client_for):
    from django.urls import reverse

    funded = ProjectFactory(annual_plan=plans[2024], estate=world.estate_a2, created_by=world.staff_a, name="已落实")
    _budgeted(world, project, elevator, budget="1000.00", funded="999.99")
    _budgeted(world, funded, elevator, budget="1000.00", funded="1000.00")
    client = client_for(world.staff_a)
    url = reverse("renovation:project_list")
    table = client.get(url).content.decode().split('id="project-table"')[1]
    row_of = {name: table.split(name)[1].split("</tr>")[0] for name in (project.name, funded.name)}
    assert "资金缺口" in row_of[project.name] and "资金缺口" not in row_of[funded.name]
    short = client.get(url, {"funding_gap": "true"}).content.decode().split('id="project-table"')[1]
    assert project.name in short and funded.name not in short
    covered = client.get(url, {"funding_gap": "false"}).content.decode().split('id="project-table"')[1]
    assert funded.name in covered and project.name not in covered


def test_api_gives_the_same_money_as_the_project_page(world, plans, project, elevator, client_for):
    other = ProjectFactory(annual_plan=plans[2024], estate=world.estate_a2, created_by=world.staff_a, name="已落实")
    _budgeted(world, project, elevator, budget="6084000.00", funded="2116900.00")
    _budgeted(world, other, elevator, budget="1000.00", funded="1500.00")
    client = client_for(world.staff_a)
    listed = {row["id"]: row["money"] for row in client.get("/api/v1/renovation-projects/").json()["results"]}
    assert listed[project.pk] == {
        "total_investment": "6084000.00",
        "planned": "2116900.00",
        "received": "0.00",
        "gap": "3967100.00",
    }
    assert listed[other.pk]["gap"] == "0.00" and listed[other.pk]["planned"] == "1500.00"
    one = client.get(f"/api/v1/renovation-projects/{project.pk}/").json()["money"]
    assert one == listed[project.pk]
