"""Reads of renovation projects, always through the user's scope: lists, one project,
schedules, money, reminders, and the figures other apps read."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.scoping import Action, can, get_scoped_object_or_404, scoped
from core.db import ExactSum, Quantized
from core.units import wan
from renovation.models import (
    STAGE_ORDER,
    AnnualPlan,
    Approval,
    CatalogueItem,
    FiveYearPlan,
    FundingLine,
    FundingSource,
    Output,
    ProgressPhoto,
    Project,
    ScheduleReminder,
    Stage,
    TenderAward,
    WorkCategory,
    WorkItem,
)

PRE_CONSTRUCTION_STAGES = STAGE_ORDER[: STAGE_ORDER.index(Stage.CONSTRUCTION)]


def projects_for(*, user, action: Action = Action.VIEW) -> QuerySet:
    return scoped(
        Project.objects.select_related("estate__community__street", "annual_plan__plan", "street"), user, action
    )


def plans_for(*, user, action: Action = Action.VIEW) -> QuerySet:
    return scoped(FiveYearPlan.objects.select_related("district"), user, action)


def annual_plans_for(*, user, action: Action = Action.VIEW) -> QuerySet:
    return scoped(AnnualPlan.objects.select_related("plan__district"), user, action)


def catalogue(*, active_only: bool = True) -> QuerySet:
    items = CatalogueItem.objects.all()
    return items.filter(active=True) if active_only else items


def project_detail(*, user, project_id: int, action: Action = Action.VIEW) -> Project:
    return get_scoped_object_or_404(
        Project.objects.select_related(
            "estate__community__street__district", "annual_plan__plan", "street", "cutoff_override_by"
        ),
        user,
        action,
        pk=project_id,
    )


def project_related(project: Project) -> dict:
    """What the project page lists besides the project's own fields (querysets the
    template reads once each)."""
    return {
        "moves": project.moves.select_related("moved_by"),
        "work_items": project.work_items.select_related("item"),
        "funding": project.funding.select_related("work_item__item"),
        "consultations": project.consultations.all(),
        "reports": project.progress_reports.select_related("reported_by").prefetch_related("photos"),
        "reminders": project.reminders.all()[:10],
        "approvals": project.approvals.select_related("recorded_by"),
        "tender_rows": tender_rows(project),
    }


def tender_rows(project: Project) -> list[tuple[str, str, TenderAward | None]]:
    """(role, label, award or None) for the contractor and the supervisor, in that order."""
    awards = {award.role: award for award in project.tender_awards.all()}
    return [(role, str(label), awards.get(role)) for role, label in TenderAward.Role.choices]


def approval_for(*, user, project_id: int, approval_id: int, action: Action = Action.VIEW) -> Approval:
    """One approval of the project, refused as work_item_for refuses."""
    return get_scoped_object_or_404(Approval.objects.all(), user, action, pk=approval_id, project_id=project_id)


def tender_award_of(project: Project, *, role: str) -> TenderAward | None:
    """The project's contractor or supervisor, if recorded (the caller has the project in scope)."""
    return project.tender_awards.filter(role=role).first()


def work_item_for(*, user, project_id: int, item_id: int, action: Action = Action.VIEW) -> WorkItem:
    """One work item of the project: 404 outside the user's scope or of another
    project, 403 inside it when the role may not (accounts.scoping)."""
    return get_scoped_object_or_404(WorkItem.objects.all(), user, action, pk=item_id, project_id=project_id)


def funding_line_for(*, user, project_id: int, line_id: int, action: Action = Action.VIEW) -> FundingLine:
    """One funding line of the project, refused as work_item_for refuses."""
    return get_scoped_object_or_404(FundingLine.objects.all(), user, action, pk=line_id, project_id=project_id)


def progress_photo_for(*, user, photo_id: int) -> ProgressPhoto:
    """A progress report's photo, if the user may see its project (404 otherwise)."""
    return get_scoped_object_or_404(ProgressPhoto.objects.all(), user, pk=photo_id)


# Behind schedule ----------------------------------------------------------
#
# A project is behind only when a planned date of its *current* stage has passed: the
# date by which that stage should have been over. Every surface that flags a project
# (the list and its filter, the project page, the weekly reminders, the API) asks these
# functions, built from the one table below.
#
# 储备 has no date of its own (the plan's dates are tentative until preparation starts),
# nor have 竣工 and after (the acceptance has no planned date yet: when it gets one, add
# it here). Before construction a stage is late once the works should have started (or
# finished, where only the end is planned); 前期 also once the publicity should have
# begun, 公示 once the publicity period is over. 在建 is late after its planned end.

STAGE_DEADLINES: dict[str, tuple[str, ...]] = {
    Stage.RESERVE: (),
    Stage.PREPARATION: ("planned_start", "notice_from", "planned_end"),
    Stage.CONSULTATION: ("planned_start", "notice_to", "planned_end"),
    Stage.TENDER: ("planned_start", "planned_end"),
    Stage.CONSTRUCTION: ("planned_end",),
    Stage.COMPLETED: (),
    Stage.ACCEPTED: (),
    Stage.HANDED_OVER: (),
}


def behind_schedule_q(today: date | None = None, *, prefix: str = "") -> Q:
    """Projects behind schedule on `today` (rows of Project, or through `prefix`, e.g.
    "project__" from a reminder): a planned date of the current stage is past."""
    today = today or timezone.localdate()
    condition = Q()
    for stage, fields in STAGE_DEADLINES.items():
        if fields:
            late = reduce(operator.or_, (Q(**{f"{prefix}{field}__lt": today}) for field in fields))
            condition |= Q(**{f"{prefix}stage": stage}) & late
    return condition


def with_behind_flag(queryset: QuerySet, today: date | None = None) -> QuerySet:
    return queryset.annotate(behind=Case(When(behind_schedule_q(today), then=Value(True)), default=Value(False)))


def _missed_deadline(project: Project, today: date) -> str | None:
    """The first planned date of the project's current stage that is past (its field name)."""
    for field in STAGE_DEADLINES.get(project.stage, ()):
        planned = getattr(project, field)
        if planned is not None and planned < today:
            return field
    return None


def is_behind(project: Project, today: date | None = None) -> bool:
    return _missed_deadline(project, today or timezone.localdate()) is not None


def behind_reason(project: Project, today: date | None = None) -> str:
    """Why the project is behind (empty when it is not), naming the date missed."""
    field = _missed_deadline(project, today or timezone.localdate())
    if field is None:
        return ""
    values = {
        "d": date_format(getattr(project, field), "DATE_FORMAT"),
        "stage": project.get_stage_display(),
        "p": project.progress,
    }
    if field == "planned_start":
        return _("计划%(d)s开工，至今仍处于“%(stage)s”阶段") % values
    if field == "notice_from":
        return _("计划%(d)s开始公示，至今仍处于“%(stage)s”阶段") % values
    if field == "notice_to":
        return _("公示期已于%(d)s结束，至今仍处于“%(stage)s”阶段") % values
    if project.stage == Stage.CONSTRUCTION:
        return _("计划%(d)s完工，目前进度%(p)s%%") % values
    return _("计划%(d)s完工，至今仍处于“%(stage)s”阶段") % values


# Money ---------------------------------------------------------------------------


@dataclass
class CategoryBudget:
    category: str
    label: str
    budget: Decimal
    actual: Decimal

    @property
    def over(self) -> bool:
        return self.actual > self.budget


def budget_by_category(project: Project) -> tuple[list[CategoryBudget], bool]:
    """Budget against actual cost per category, and whether the project is over budget."""
    sums = {
        row["item__category"]: row
        for row in WorkItem.objects.filter(project=project)
        .values("item__category")
        .annotate(budget=ExactSum("budget", default=0), actual=ExactSum("actual_cost", default=0))
        .order_by()
    }
    rows = []
    for value, label in WorkCategory.choices:
        row = sums.get(value, {})
        rows.append(
            CategoryBudget(value, str(label), row.get("budget") or Decimal("0"), row.get("actual") or Decimal("0"))
        )
    total_budget = sum((r.budget for r in rows), Decimal("0"))
    total_actual = sum((r.actual for r in rows), Decimal("0"))
    return rows, total_actual > total_budget


def _over_budget_exists() -> Exists:
    budget = (
        WorkItem.objects.filter(project=OuterRef("pk"))
        .values("project")
        .annotate(b=ExactSum("budget", default=0), a=ExactSum("actual_cost", default=0))
    )
    return Exists(budget.filter(a__gt=F("b")))


def over_budget_q() -> Q:
    """Projects whose actual cost exceeds their budget (for lists and filters)."""
    return Q(_over_budget_exists())


def with_over_budget(queryset: QuerySet) -> QuerySet:
    """The flag for the rows of one page only (a subquery per row shown)."""
    return queryset.annotate(over_budget=_over_budget_exists())


# 总投资 and the funding that covers it (docs/figures.md) ---------------------------------
#
# A project's 总投资 is its budget: the sum of its work items' 预算, the estimate the
# approvals fix. Its funding (资金来源) is planned and received per source; the planned
# lines should add up to the 总投资. 资金缺口 is what the planned funding leaves
# uncovered, never below zero: funding planned beyond the budget in one project does
# not cover another's gap, so a total gap is the sum of the projects' gaps.


@dataclass
class ProjectMoney:
    """One project's money, exact, in 元."""

    total_investment: Decimal  # 总投资: the work items' budget
    actual: Decimal  # 实际支出
    planned: Decimal  # 计划筹措: the funding lines' planned amounts
    received: Decimal  # 已到位
    by_source: list[dict]

    @property
    def gap(self) -> Decimal:
        """资金缺口: the 总投资 the planned funding does not cover (0 when covered)."""
        return max(self.total_investment - self.planned, Decimal("0.00"))

    @property
    def surplus(self) -> Decimal:
        """Funding planned beyond the 总投资 (to be explained, not a gap)."""
        return max(self.planned - self.total_investment, Decimal("0.00"))


def project_money(project: Project) -> ProjectMoney:
    """The project page's money: 总投资, funding by source, received, the gap."""
    items = WorkItem.objects.filter(project=project).aggregate(
        budget=ExactSum("budget", default=0), actual=ExactSum("actual_cost", default=0)
    )
    by_source = funding_by_source(project)
    return ProjectMoney(
        total_investment=items["budget"],
        actual=items["actual"],
        planned=sum((row["planned"] for row in by_source), Decimal("0.00")),
        received=sum((row["received"] for row in by_source), Decimal("0.00")),
        by_source=by_source,
    )


def _sum_per_project(model, field: str) -> Quantized:
    """A project's exact sum of `field` over its rows of `model`, 0 when it has none."""
    rows = model.objects.filter(project=OuterRef("pk")).order_by().values("project")
    return Quantized(Subquery(rows.annotate(total=ExactSum(field)).values("total")), default=0)


def total_investment_expression() -> Quantized:
    """总投资 of each project row, for annotations (one subquery)."""
    return _sum_per_project(WorkItem, "budget")


def planned_funding_expression() -> Quantized:
    """计划筹措 of each project row, for annotations (one subquery)."""
    return _sum_per_project(FundingLine, "planned")


def funding_gap_q() -> Q:
    """Projects whose planned funding does not cover their 总投资 (lists and filters);
    use on a queryset made by with_funding_gap_alias."""
    return Q(_total_investment__gt=F("_planned_funding"))


def with_funding_gap_alias(queryset: QuerySet) -> QuerySet:
    """The two sums funding_gap_q compares, as aliases (not selected)."""
    return queryset.alias(
        _total_investment=total_investment_expression(), _planned_funding=planned_funding_expression()
    )


def with_money(queryset: QuerySet) -> QuerySet:
    """Each project row's money, exact (the API's `money`): money_total_investment,
    money_planned and money_received; the gap follows as in ProjectMoney."""
    return queryset.annotate(
        money_total_investment=total_investment_expression(),
        money_planned=planned_funding_expression(),
        money_received=_sum_per_project(FundingLine, "received"),
    )


def money_of_row(project: Project) -> ProjectMoney:
    """ProjectMoney of a row made by with_money (no by-source lines, no queries), or of
    a plain project (its own queries)."""
    if not hasattr(project, "money_total_investment"):
        return project_money(project)
    return ProjectMoney(
        total_investment=project.money_total_investment,
        actual=Decimal("0.00"),
        planned=project.money_planned,
        received=project.money_received,
        by_source=[],
    )


def with_money_flags(queryset: QuerySet) -> QuerySet:
    """The flags of the rows of one list page (a few subqueries per row shown):
    超预算 (actual cost above budget) and 资金缺口 (funding short of 总投资)."""
    return with_funding_gap_alias(queryset).annotate(
        over_budget=_over_budget_exists(),
        funding_short=ExpressionWrapper(funding_gap_q(), output_field=BooleanField()),
    )


def funding_by_source(project: Project) -> list[dict]:
    sums = {
        row["source"]: row
        for row in FundingLine.objects.filter(project=project)
        .values("source")
        .annotate(planned=ExactSum("planned", default=0), received=ExactSum("received", default=0))
        .order_by()
    }
    return [
        {
            "source": value,
            "label": str(label),
            "planned": sums.get(value, {}).get("planned") or Decimal("0"),
            "received": sums.get(value, {}).get("received") or Decimal("0"),
        }
        for value, label in FundingSource.choices
        if value in sums
    ]


@dataclass
class ProjectTotals:
    """The exact figures a report's 合计 row adds up over a set of projects (in 元 and
    ㎡, not yet in 万: reports divide and round once when they show them)."""

    count: int
    buildings: int
    households: int
    floor_area: Decimal  # ㎡
    total_investment: Decimal  # 元: 总投资, the work items' budget
    planned: Decimal  # 元, planned funding, all sources
    by_source: dict[str, Decimal]  # 元 per funding source (every source, 0 when none)
    gap: Decimal  # 元: 资金缺口, the sum of each project's gap
    short: int  # projects with a gap
    actual: Decimal  # 元, the work items' actual cost


def project_totals(project_ids) -> ProjectTotals:
    """The 合计 of the projects given (ids, or a values("pk") queryset), exact on
    PostgreSQL and on the SQLite demo alike (core.db.ExactSum): the estates' figures
    once per project row, planned funding in total and per source, actual cost. Three
    grouped queries, none per project."""
    estates = Project.objects.filter(pk__in=project_ids).aggregate(
        count=Count("pk"),
        buildings=Coalesce(Sum("estate__building_count"), 0),
        households=Coalesce(Sum("estate__households"), 0),
        floor_area=ExactSum("estate__floor_area", default=0),
    )
    by_source = dict.fromkeys(FundingSource.values, Decimal("0.00"))
    for source, planned in (
        FundingLine.objects.filter(project_id__in=project_ids)
        .order_by()
        .values("source")
        .annotate(planned=ExactSum("planned", default=0))
        .values_list("source", "planned")
    ):
        by_source[source] = planned
    items = WorkItem.objects.filter(project_id__in=project_ids).aggregate(
        budget=ExactSum("budget", default=0), actual=ExactSum("actual_cost", default=0)
    )
    gap, short = _gap_totals(project_ids)
    return ProjectTotals(
        count=estates["count"],
        buildings=estates["buildings"],
        households=estates["households"],
        floor_area=estates["floor_area"],
        total_investment=items["budget"],
        planned=sum(by_source.values(), Decimal("0.00")),
        by_source=by_source,
        gap=gap,
        short=short,
        actual=items["actual"],
    )


def _gap_totals(project_ids) -> tuple[Decimal, int]:
    """The sum of the projects' funding gaps and how many have one, in one statement:
    each project's gap is its two exact sums subtracted, and the gaps are added exactly."""
    short = (
        Project.objects.filter(pk__in=project_ids)
        .annotate(budget=total_investment_expression(), planned=planned_funding_expression())
        .filter(budget__gt=F("planned"))
    )
    totals = short.aggregate(gap=ExactSum(F("budget") - F("planned"), default=0), short=Count("pk"))
    return totals["gap"], totals["short"]


@dataclass
class SubsidyViolation:
    estate_id: int
    estate: str
    street: str
    item: str
    projects: list[str]


def central_subsidy_violations(*, user) -> list[SubsidyViolation]:
    """The same catalogue item in the same estate with central subsidy in more
    than one project (data entered before the rule, or around it)."""

    lines = (
        scoped(FundingLine.objects.all(), user)
        .filter(source=FundingSource.CENTRAL)
        .values(
            "project__estate_id",
            "project__estate__name",
            "project__estate__community__street__name",
            "work_item__item__name",
        )
        .annotate(projects=Count("project", distinct=True))
        .filter(projects__gt=1)
        .order_by("project__estate__community__street__name", "project__estate__name", "work_item__item__name")
    )
    rows = list(lines)
    # The projects' names, in one more query for the few violating estates.
    names: dict[tuple, set] = {}
    keys = {(row["project__estate_id"], row["work_item__item__name"]) for row in rows}
    if keys:
        for estate_id, item_name, project_name in (
            scoped(FundingLine.objects.all(), user)
            .filter(source=FundingSource.CENTRAL, project__estate_id__in={estate for estate, _item in keys})
            .values_list("project__estate_id", "work_item__item__name", "project__name")
        ):
            if (estate_id, item_name) in keys:
                names.setdefault((estate_id, item_name), set()).add(project_name)
    return [
        SubsidyViolation(
            row["project__estate_id"],
            row["project__estate__name"],
            row["project__estate__community__street__name"],
            row["work_item__item__name"],
            sorted(names.get((row["project__estate_id"], row["work_item__item__name"]), ())),
        )
        for row in rows
    ]


def today() -> date:
    return timezone.localdate()


def reminders_for(*, user) -> QuerySet:
    return scoped(ScheduleReminder.objects.select_related("project", "street"), user).order_by("-week", "project_id")


def reminders_of_week(*, user, week: date, today: date | None = None) -> QuerySet:
    """The week's schedule reminders in the user's scope whose project is still behind
    (one moved on since is no longer a reminder), for a role that may act on them (one
    that may change projects); none for the others. Pages paginate it."""
    if not can(user, Action.CHANGE, Project):
        return ScheduleReminder.objects.none()
    return reminders_for(user=user).filter(behind_schedule_q(today, prefix="project__"), week=week)


def report_years(*, user) -> list[int]:
    """The years the user's annual plans cover, newest first (for the report picker)."""
    years = set(annual_plans_for(user=user).values_list("year", flat=True))
    years.add(today().year)
    return sorted(years, reverse=True)


# --- summaries for the dashboard ----------------------------------------------------------


def projects_by_stage(*, user) -> dict[str, int]:
    """The pipeline: the user's projects of every year, counted by stage (every
    stage present, zero when empty). Equals the project list filtered by stage."""
    counts = dict.fromkeys(STAGE_ORDER, 0)
    for row in projects_for(user=user).order_by().values("stage").annotate(n=Count("pk")):
        counts[row["stage"]] = row["n"]
    return counts


def year_outputs(*, user, years: list[int], output_years: list[int] | None = None) -> dict[int, dict]:
    """Each year's projects: how many, and what the work items of those of
    `output_years` (default: all `years`) add up to per output, in the units of
    the street report (万㎡ for retrofit, km for pipes). Two grouped queries for
    all the years together (the work items are read once: at national scale
    they are over a million rows a year)."""
    projects = scoped(Project.objects.all(), user, Action.VIEW).filter(year__in=years)
    outputs = [o for o in Output if o != Output.NONE]
    result = {year: {"projects": 0, "outputs": {o.value: 0 for o in outputs}} for year in years}
    for row in projects.order_by().values("year").annotate(n=Count("pk")):
        result[row["year"]]["projects"] = row["n"]
    # The exact total rounded once, as the street report's 合计 row shows it (not the
    # sum of its rounded street rows: 3.81 + 3.32 + … can be 0.01 more than the total).
    with_outputs = projects.filter(year__in=years if output_years is None else output_years)
    for row in (
        WorkItem.objects.filter(project__in=with_outputs.values("pk"))
        .exclude(item__output="")
        .order_by()
        .values("project__year", "item__output")
        .annotate(total=ExactSum("quantity", default=0))
    ):
        result[row["project__year"]]["outputs"][row["item__output"]] = output_figure(row["item__output"], row["total"])
    return result


# --- figures other apps read (the dashboard, its snapshots) --------------------------------

CONSTRUCTION_STAGE = Stage.CONSTRUCTION
RETROFIT_OUTPUT = Output.RETROFIT_M2


def stage_labels() -> dict[str, str]:
    """Each stage's label, in pipeline order (the keys of projects_by_stage)."""
    return dict(Stage.choices)


def output_labels() -> dict[str, str]:
    """Each output's label (the keys of year_outputs' outputs)."""
    return dict(Output.choices)


def output_figure(output: str, quantity):
    """A raw output quantity in the unit the street report counts it in:
    retrofit in 万㎡, pipes in km with two places, counted things as whole numbers."""
    output = Output(output)
    if output == Output.RETROFIT_M2:
        return wan(quantity)
    if output == Output.PIPES_KM:
        return Decimal(quantity or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return int(Decimal(quantity or 0).to_integral_value(rounding=ROUND_HALF_UP))


def generation_columns() -> list[tuple[str, str]]:
    """(table, column) pairs whose max() changes whenever a renovation figure
    may: the history of projects, work items and funding lines (every write
    through the services leaves a record there)."""
    return [(model.history.model._meta.db_table, "history_id") for model in (Project, WorkItem, FundingLine)]


def outputs_by_community(*, year: int) -> dict[int, dict[str, Decimal]]:
    """Every community's raw output quantities of the year's projects, output
    by output, whoever looks: for the month-end snapshots (a system task),
    never for a page. One grouped query."""
    produced: dict[int, dict] = {}
    for row in (
        WorkItem.objects.filter(project__year=year)
        .exclude(item__output="")
        .order_by()
        .values("project__estate__community_id", "item__output")
        .annotate(total=ExactSum("quantity", default=0))
    ):
        produced.setdefault(row["project__estate__community_id"], {})[row["item__output"]] = row["total"]
    return produced
