"""Demo data of the renovation app, created once by `manage.py seed_demo`.

A "十四五" five-year plan with annual plans 2021–2025 (the §4 rhythm of
143 / 76 / 64 / 30 / 14 estates scaled to the demo district), projects in
every stage with work items, funding, consultation, progress and some
projects behind schedule or blocked by illegal structures.
"""

import zlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from communities.models import Estate, IllegalStructure
from core.validators import credit_code_check_character
from renovation.models import (
    STAGE_ORDER,
    AnnualPlan,
    CatalogueItem,
    ConsultationMeeting,
    FiveYearPlan,
    FundingLine,
    FundingSource,
    Project,
    Stage,
    StageMove,
    StreetConsent,
    WorkItem,
)

YEAR_SHARES = {2021: 143, 2022: 76, 2023: 64, 2024: 30, 2025: 14}
NEXT_PLAN_YEARLY = 12  # projects a year in the demo's next five-year plan (2026–2030)
# Typical works of a project: (catalogue name, quantity range, unit price 元)
WORKS = [
    ("供水管网改造", (0.5, 3.0), 380_000),
    ("排水管网改造", (0.4, 2.5), 420_000),
    ("燃气管网改造", (0.3, 1.5), 300_000),
    ("屋面防水及修缮", (1500, 9000), 180),
    ("外墙修缮", (3000, 20000), 120),
    ("建筑节能改造", (5000, 40000), 220),
    ("加装电梯", (1, 6), 650_000),
    ("增设停车位", (10, 80), 15_000),
    ("电动汽车充电桩", (4, 30), 9_000),
    ("适老化及无障碍改造", (2, 12), 40_000),
    ("社区综合服务中心", (1, 1), 900_000),
    ("养老服务设施", (1, 1), 600_000),
]


def _money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def seed(*, district, rng) -> str | None:
    """Create this app's demo data for the district once; return what was made, or None."""
    if FiveYearPlan.objects.filter(district=district).exists():
        return None
    from accounts.models import User

    official = User.objects.filter(username="quguan").first() or User.objects.filter(is_superuser=True).first()
    if official is None:
        return None
    plan = FiveYearPlan.objects.create(
        district=district, name="“十四五”老旧小区综合整治规划", start_year=2021, end_year=2025, target_estates=327
    )
    estates = list(
        Estate.objects.filter(community__street__district=district, expropriation_planned=False, shantytown=False)
        .filter(Q(year_built__lte=2000))
        .select_related("community__street")
        .order_by("id")
    )
    rng.shuffle(estates)
    catalogue = {item.name: item for item in CatalogueItem.objects.all()}
    today = date.today()
    total = sum(YEAR_SHARES.values())
    cursor = 0
    projects = 0
    for year, share in YEAR_SHARES.items():
        annual = AnnualPlan.objects.create(plan=plan, year=year, target_estates=share)
        count = max(3, round(len(estates) * share / total * 0.6))
        for estate in estates[cursor : cursor + count]:
            _make_project(annual, estate, official, catalogue, rng, today)
            projects += 1
        cursor += count
    plans, annuals = 1, len(YEAR_SHARES)
    if today.year > plan.end_year:
        # The next five-year plan has begun: this year's projects are still being prepared.
        plan = FiveYearPlan.objects.create(
            district=district, name="“十五五”老旧小区综合整治规划", start_year=2026, end_year=2030, target_estates=60
        )
        plans += 1
        for year in range(plan.start_year, min(today.year, plan.end_year) + 1):
            annual = AnnualPlan.objects.create(plan=plan, year=year, target_estates=NEXT_PLAN_YEARLY)
            annuals += 1
            for estate in estates[cursor : cursor + NEXT_PLAN_YEARLY]:
                _make_project(annual, estate, official, catalogue, rng, today)
                projects += 1
            cursor += NEXT_PLAN_YEARLY
    return f"老旧小区改造：{plans}个五年规划、{annuals}个年度计划、{projects}个改造项目。"


def _stage_for(year, today, rng):
    """Older plans are further along; this year's still in preparation."""
    age = today.year - year
    if age >= 4:
        return rng.choice([Stage.ACCEPTED, Stage.HANDED_OVER, Stage.HANDED_OVER])
    if age >= 2:
        return rng.choice([Stage.COMPLETED, Stage.ACCEPTED, Stage.CONSTRUCTION])
    if age == 1:
        return rng.choice([Stage.CONSTRUCTION, Stage.CONSTRUCTION, Stage.TENDER, Stage.COMPLETED])
    return rng.choice([Stage.RESERVE, Stage.PREPARATION, Stage.CONSULTATION, Stage.TENDER])


def _make_project(annual, estate, official, catalogue, rng, today):
    year = annual.year
    stage = _stage_for(year, today, rng)
    planned_start = date(year, rng.randint(3, 6), rng.randint(1, 28))
    planned_end = planned_start + timedelta(days=rng.randint(150, 300))
    index = STAGE_ORDER.index(stage)
    started = index >= STAGE_ORDER.index(Stage.CONSTRUCTION)
    finished = index >= STAGE_ORDER.index(Stage.COMPLETED)
    actual_start = planned_start + timedelta(days=rng.randint(-5, 40)) if started else None
    actual_end = planned_end + timedelta(days=rng.randint(-20, 60)) if finished else None
    if actual_end and actual_end > today:
        actual_end = today
    if actual_start and actual_start > today:
        actual_start = today - timedelta(days=30)
    if actual_end and actual_start and actual_end < actual_start:
        actual_end = actual_start
    progress = 100 if finished else (rng.randint(10, 95) if started else 0)
    project = Project.objects.create(
        annual_plan=annual,
        year=year,
        estate=estate,
        street=estate.community.street,
        name=f"{estate.name}{year}年综合整治",
        summary="基础类改造为主，兼顾加装电梯、停车和适老化改造。",
        stage=stage,
        planned_start=planned_start,
        planned_end=planned_end,
        actual_start=actual_start,
        actual_end=actual_end,
        progress=progress,
        consent_share=Decimal(rng.randint(60, 98)),
        notice_from=planned_start - timedelta(days=60),
        notice_to=planned_start - timedelta(days=53),
        created_by=official,
    )
    at = planned_start - timedelta(days=120)
    for from_stage, to_stage in zip(STAGE_ORDER[:index], STAGE_ORDER[1 : index + 1], strict=True):
        at += timedelta(days=20)
        StageMove.objects.create(
            project=project,
            from_stage=from_stage,
            to_stage=to_stage,
            moved_by=official,
            moved_at=timezone.make_aware(datetime.combine(min(at, today), time(9, 30))),
        )
    if index >= STAGE_ORDER.index(Stage.TENDER):
        StreetConsent.objects.create(
            project=project,
            consented_by=f"{estate.community.street.name}办事处主任",
            consented_on=planned_start - timedelta(days=70),
            document=f"街道意见〔{year}〕{rng.randint(1, 90)}号",
            recorded_by=official,
        )
    if index >= STAGE_ORDER.index(Stage.CONSULTATION):
        ConsultationMeeting.objects.create(
            project=project,
            kind="meeting",
            held_on=planned_start - timedelta(days=75),
            attendees=rng.randint(20, 90),
            opinions=rng.randint(3, 30),
            summary="居民关注停车、加装电梯、楼道照明。",
            response="已纳入改造方案；加装电梯按单元征询。",
            recorded_by=official,
        )
    works = rng.sample(WORKS, rng.randint(3, 6))
    items = []
    for name, (low, high), price in works:
        if catalogue[name].unit in ("公里", "㎡"):
            quantity = Decimal(str(round(rng.uniform(low, high), 2)))
        else:
            quantity = Decimal(rng.randint(int(low), int(high)))
        budget = _money(quantity * price)
        actual = _money(budget * Decimal(str(rng.uniform(0.85, 1.12)))) if finished else Decimal("0")
        items.append(
            WorkItem(project=project, item=catalogue[name], quantity=quantity, budget=budget, actual_cost=actual)
        )
    WorkItem.objects.bulk_create(items)
    total = sum((w.budget for w in items), Decimal("0"))
    lines = [
        FundingLine(
            project=project,
            source=FundingSource.CENTRAL,
            work_item=items[0],
            planned=_money(items[0].budget * Decimal("0.6")),
            received=_money(items[0].budget * Decimal("0.6")) if started else Decimal("0"),
        ),
        FundingLine(project=project, source=FundingSource.CITY_COUNTY, planned=_money(total * Decimal("0.25"))),
        FundingLine(project=project, source=FundingSource.RESIDENTS, planned=_money(total * Decimal("0.03"))),
    ]
    if any(w.item.name == "加装电梯" for w in items):
        lines.append(FundingLine(project=project, source=FundingSource.PROVIDENT_FUND, planned=_money(300000)))
    if rng.random() < 0.3:
        lines.append(
            FundingLine(project=project, source=FundingSource.UTILITIES, planned=_money(total * Decimal("0.08")))
        )
    # Most projects' funding covers their 总投资 (the province tops up what the other
    # sources leave); one in five still has a gap, as real plans do before the money is
    # found. Decided by the estate's name, so the rest of the demo's draws stay as they were.
    covered = sum((line.planned for line in lines), Decimal("0"))
    if total > covered and zlib.crc32(estate.name.encode()) % 5:
        lines.append(FundingLine(project=project, source=FundingSource.PROVINCIAL, planned=total - covered))
    FundingLine.objects.bulk_create(lines)
    if started:
        _close_gates_of_started(project, official, planned_start, rng)
    if not started and rng.random() < 0.3:
        IllegalStructure.objects.get_or_create(
            estate=estate, description="楼间自建小配房", defaults={"area": Decimal(rng.randint(8, 60))}
        )


GATE_REASONS = {
    "long_term_management": "开工前街道已承诺由街道物业服务中心托管，合同补录中（区改造办联席会议纪要）。",
    "illegal_structures": "违建与施工同步拆除，区城管执法队已立案，限期完成。",
    "residents_consent": "入户征询同意率达标，书面材料补录中。",
    "street_consent": "街道意见已在联合审查会上口头同意，书面意见补录中。",
    "maintenance_fund": "维修资金筹集方案待业主大会表决，先行开工。",
    "contractor": "应急抢修工程，施工单位由区改造办按应急程序确定，招标结果补录中。",
    "construction_permit": "施工许可证已受理，按区住建委容缺受理意见先行开工。",
}
DEMO_COMPANIES = {
    "contractor": ("北京城建修缮工程有限公司", "北京市政建设集团有限责任公司", "北京住总房屋修缮有限公司"),
    "supervisor": ("北京建工监理有限责任公司", "北京双圆工程咨询监理有限公司"),
}


def _demo_credit_code(name: str) -> str:
    """A well-formed unified social credit code for a demo company (check character included)."""
    body = f"91110101{zlib.crc32(name.encode()) % 10**9:09d}"
    return body + credit_code_check_character(body)


def _record_tender_and_permit(project, official, planned_start):
    """The project file of a started demo project: its contractor, its supervisor and its
    construction permit. Chosen by the estate's name, so the demo's random draws stay as they were."""
    from renovation.models import Approval, TenderAward

    seed = zlib.crc32(project.estate.name.encode())
    budget = sum((w.budget for w in project.work_items.all()), Decimal("0"))
    for role, names in DEMO_COMPANIES.items():
        name = names[seed % len(names)]
        share = Decimal("0.92") if role == "contractor" else Decimal("0.02")
        TenderAward.objects.create(
            project=project,
            role=role,
            company_name=name,
            credit_code=_demo_credit_code(name),
            price=_money(budget * share),
            contract_date=planned_start - timedelta(days=20),
            recorded_by=official,
        )
    Approval.objects.create(
        project=project,
        kind="permit",
        number=f"{project.year}施建字第{seed % 900 + 100}号",
        decided_on=planned_start - timedelta(days=10),
        recorded_by=official,
    )


def _close_gates_of_started(project, official, planned_start, rng):
    """A started project in the demo passed its gates: record the fund
    arrangement where the ledger says the fund is not collected, and for any
    gate still open the district's override with its reason (as officials
    did for projects started before the portal)."""
    from renovation.models import FundArrangement, GateOverride
    from renovation.selectors import evaluate_gates

    _record_tender_and_permit(project, official, planned_start)
    if project.estate.fund_status != "collected" and rng.random() < 0.7:
        FundArrangement.objects.create(
            project=project,
            description="竣工验收后由业主按每平方米30元续筹，不足部分由产权单位补足。",
            arranged_on=planned_start - timedelta(days=40),
            recorded_by=official,
        )
    for status in evaluate_gates(project):
        if not status.closed:
            GateOverride.objects.create(
                project=project,
                gate=status.gate,
                reason=GATE_REASONS[status.gate],
                evidence=status.evidence,
                approved_by=official,
            )
