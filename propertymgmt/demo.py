"""Demo data of the propertymgmt app, created once by `manage.py seed_demo`.

Companies with valid credit codes and contracts for the market-managed estates,
fee collection, six months of assessments (one company over the exit line),
rectification orders (one failed, one open, one passed) and the streets' opinions,
owners' committees in every stage (some overdue), a household register with a
closed and an open vote, the maintenance-fund ledger (every estate's typed balance
carried over as an account, and a handful of accounts with deposits, interest, a
withdrawal, one below 30% and one transferred from a selling unit that no longer
exists), and this quarter's and last quarter's subsidies.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role, User
from communities.management.commands.seed_demo import make_credit_code, mobile, person
from communities.models import Estate, Household, ManagementMode, PropertyRightsUnit, RightsUnitStatus
from communities.selectors import streets_for
from propertymgmt import services
from propertymgmt.models import (
    BatchLine,
    BuildingHead,
    Committee,
    CommitteeStage,
    Contract,
    FundAccount,
    FundAccountHolder,
    FundTransaction,
    FundTransactionKind,
    PropertyCompany,
    SubsidyPayment,
    VoteSubject,
)
from propertymgmt.selectors import PAYING_COMMITTEE_STAGES

COMPANIES = [
    "北京安居物业管理有限公司",
    "京城佳苑物业服务有限公司",
    "东华宜居物业管理有限公司",
    "和信物业服务有限公司",
    "首邻物业管理有限公司",
    "龙潭嘉园物业服务有限公司",
    "永安盛世物业管理有限公司",
    "国泰康宁物业服务有限公司",
]


def _month_starts(today, count):
    first = today.replace(day=1)
    months = []
    for _i in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months


def _companies(district, *, rng) -> list[PropertyCompany]:
    return [
        PropertyCompany.objects.create(
            district=district,
            name=name,
            credit_code=make_credit_code(rng, district.code),
            contact_person=person(rng),
            contact_phone=mobile(rng),
            address=f"北京市{district.name}某路{rng.randint(1, 200)}号",
        )
        for name in COMPANIES
    ]


def _contracts(estates, companies, *, official, rng) -> list[Contract]:
    """A contract for each estate whose management mode names a managing body."""
    contracts = []
    for estate in estates:
        if estate.management_mode == ManagementMode.MARKET:
            data = {"body": "company", "company": rng.choice(companies)}
        elif estate.management_mode == ManagementMode.STREET_CENTRE:
            data = {"body": "street_centre"}
        elif estate.management_mode == ManagementMode.OWNERS and rng.random() < 0.3:
            data = {"body": "owners"}
        else:
            continue
        itemised = rng.random() < 0.3
        data.update(
            starts_on=date(rng.randint(2019, 2025), rng.choice([1, 4, 7, 10]), 1),
            ends_on=None,
            fee_standard=Decimal(rng.choice(["0.15", "0.20", "0.25", "0.30", "0.35"])),
            service_level=rng.choice(["basic", "3", "4", "5"]),
            full_service=not itemised,
            cleaning=itemised,
            security=itemised and rng.random() < 0.6,
            greening=itemised and rng.random() < 0.4,
            repairs=itemised and rng.random() < 0.5,
        )
        contracts.append(services.start_contract(user=official, estate_id=estate.pk, data=data))
    return contracts


def _fee_collections(contracts, *, official, quarter, rng) -> None:
    """A year of quarterly fee collections per contract."""
    for contract in contracts:
        area = contract.estate.floor_area or Decimal("10000")
        for back in range(1, 5):
            start = services.quarter_of(quarter - timedelta(days=1 + 92 * (back - 1)))[0]
            end = services.quarter_of(start)[1]
            billed = (area * contract.fee_standard * 3).quantize(Decimal("0.01")) or Decimal("100.00")
            rate = Decimal(rng.randint(30, 95)) / 100
            services.record_fee_collection(
                user=official,
                estate_id=contract.estate_id,
                period_start=start,
                period_end=end,
                billed=billed,
                collected=(billed * rate).quantize(Decimal("0.01")),
            )


def _assessments(contracts, *, bad_company, official, today, rng) -> None:
    """Six months of assessments; the first company's estates in one street cross the exit line."""
    months = _month_starts(today, 6)
    for contract in contracts:
        bad = contract.company_id == bad_company.pk
        for month in months:
            if month < contract.starts_on:
                continue
            services.record_assessment(
                user=official,
                contract_id=contract.pk,
                month=month,
                item_scores={
                    "fee": rng.randint(22, 40),
                    "inspection": rng.randint(25, 40),
                    "safety": rng.randint(10, 20),
                },
                satisfaction=Decimal(rng.randint(60, 69) if bad else rng.randint(72, 98)),
                security_incidents=rng.choice([1, 2]) if bad else rng.choice([0, 0, 0, 1]),
                remarks="",
            )


def _rectification(contracts, *, official, today) -> int:
    """Rectification before exit: a failed order for the company over the exit line, an
    open one and a passed one for two others, and the streets' opinions on them."""
    pairs = []
    for contract in contracts:
        pair = (contract.company, contract.estate.community.street_id)
        if contract.company_id is not None and pair[0] not in [p[0] for p in pairs]:
            pairs.append(pair)
    plans = [
        # (issued days ago, deadline days ago, result, checked days ago, opinion)
        (40, 10, "failed", 5, ("rating", "unqualified", "满意度连续低于70%，限期整改后仍未到位。")),
        (5, -25, "", None, ("entry", "", "同意进驻，请按合同约定配齐秩序维护人员。")),
        (90, 60, "passed", 58, ("rating", "qualified", "整改到位，服务基本达到合同约定。")),
    ]
    problems = ["楼道堆物未清理、消防通道被占用", "监控设备损坏未修复、夜间无人值守", "绿化养护不到位、垃圾清运不及时"]
    for (company, street_id), plan, what in zip(pairs, plans, problems, strict=False):
        issued_ago, deadline_ago, result, checked_ago, (kind, grade, text) = plan
        order = services.issue_rectification(
            user=official,
            company_id=company.pk,
            street_id=street_id,
            problems=what,
            deadline=today - timedelta(days=deadline_ago),
            checker="街道城管科",
            today=today - timedelta(days=issued_ago),
        )
        if result:
            services.check_rectification(
                user=official,
                order_id=order.pk,
                result=result,
                checked_on=today - timedelta(days=checked_ago),
                remarks="消防通道仍被占用" if result == "failed" else "",
            )
        services.record_opinion(
            user=official, company_id=company.pk, street_id=street_id, kind=kind, grade=grade, text=text
        )
    return min(len(pairs), len(plans))


def _committees(estates, *, official, today, rng) -> int:
    """Owners' committees: in term, some expiring soon, some overdue, preparation groups late."""
    committees = 0
    for index, estate in enumerate(e for e in estates if e.owners_body != "none"):
        kind = {"committee": "committee", "self_mgmt": "self_mgmt", "mgmt_committee": "mgmt_committee"}[
            estate.owners_body
        ]
        if kind == "committee" and index % 5 == 0:
            data = {
                "kind": kind,
                "stage": CommitteeStage.PREPARATION,
                "preparation_due_on": today + timedelta(days=rng.randint(-120, 60)),
            }
        else:
            ends = today + timedelta(days=rng.randint(-200, 900))
            data = {"kind": kind, "term_starts_on": ends - timedelta(days=5 * 365), "term_ends_on": ends}
        data.update(chair=person(rng), contact_phone=mobile(rng), contact_email="")
        if kind == "committee" and "term_ends_on" in data:
            # Elected and filed before the portal kept committees: entered as they stand (建档).
            services.record_existing_committee(
                user=official,
                estate_id=estate.pk,
                filed_on=data["term_starts_on"] + timedelta(days=30),
                term_starts_on=data["term_starts_on"],
                term_ends_on=data["term_ends_on"],
                data=data,
            )
        else:
            services.save_committee(user=official, estate_id=estate.pk, data=data)
        committees += 1
    return committees


def _building_heads(estates, *, rng) -> int:
    """楼长 for up to three buildings of ten estates without an owners' body."""
    heads = 0
    for estate in [e for e in estates if e.owners_body == "none"][:10]:
        for building in estate.buildings.all()[:3]:
            BuildingHead.objects.create(estate=estate, building=building, name=person(rng), phone=mobile(rng))
            heads += 1
    return heads


def _household_register(voting, *, rng) -> list[Household]:
    """A household register of two buildings, for the votes."""
    homes = []
    for building in voting.buildings.all()[:2]:
        for floor in range(1, 7):
            for room in (1, 2):
                owner = person(rng)
                homes.append(
                    Household(
                        estate=voting,
                        building=building,
                        unit="1单元",
                        room=f"{floor}0{room}",
                        exclusive_area=Decimal(rng.randint(4200, 9800)) / 100,
                        owner_name=owner,
                        owner_phone=mobile(rng),
                    )
                )
    Household.objects.bulk_create(homes)
    return list(Household.objects.filter(estate=voting))


def _carry_over_typed_funds(estates, *, skip) -> int:
    """seed_demo types the fund facts as the old spreadsheets did: each estate with a
    holder or a balance gets an account with a 期初结转, as migration 0010 does."""
    holders = {"centre": FundAccountHolder.CENTRE, "bank": FundAccountHolder.BANK}
    holders["selling_unit"] = FundAccountHolder.SELLING_UNIT
    carried = [e for e in estates if e.pk not in skip and (e.fund_holder != "none" or e.fund_balance)]
    accounts = FundAccount.objects.bulk_create(
        [
            FundAccount(
                estate=e,
                holder=holders.get(e.fund_holder, FundAccountHolder.UNKNOWN),
                holder_unit_id=e.fund_holder_unit_id if e.fund_holder == "selling_unit" else None,
                opened_on=date(2020, 1, 1),
                remarks="由小区台账迁移",
            )
            for e in carried
        ]
    )
    FundTransaction.objects.bulk_create(
        [
            FundTransaction(
                account=account,
                kind=FundTransactionKind.OPENING,
                amount=e.fund_balance,
                booked_on=date(2020, 1, 1),
                note="由小区台账的维修资金余额结转",
            )
            for account, e in zip(accounts, carried, strict=True)
            if e.fund_balance
        ]
    )
    return len(accounts)


def _post(official, account, kind, amount, on, note=""):
    services.record_fund_transaction(
        user=official, account_id=account.pk, kind=kind, amount=Decimal(amount), booked_on=on, note=note
    )


def _fund_ledger(estates, voting, *, official, today) -> int:
    """The fund ledger of the demo: the voting estate's account (首期交存 and 利息; the
    vote's withdrawal later takes it below 30%), a building account with a 续筹, an
    account of a selling unit that no longer exists moved to a bank special account,
    and every other estate's typed balance carried over."""
    long_ago = today.replace(year=today.year - 12, day=1)
    last_year = today.replace(year=today.year - 1, day=1)
    showcase = {voting.pk}
    account = services.open_fund_account(
        user=official, estate_id=voting.pk, holder=FundAccountHolder.CENTRE, opened_on=long_ago
    )
    _post(official, account, FundTransactionKind.INITIAL, "24000.00", long_ago, "售后公房业主首期交存")
    _post(official, account, FundTransactionKind.INTEREST, "480.00", last_year, "年度结息")
    with_buildings = [e for e in estates if e.pk != voting.pk and e.buildings.exists()]
    if with_buildings:
        estate = with_buildings[0]
        showcase.add(estate.pk)
        account = services.open_fund_account(
            user=official,
            estate_id=estate.pk,
            building_id=estate.buildings.order_by("pk").first().pk,
            holder=FundAccountHolder.BANK,
            bank="中国建设银行北京东城支行",
            opened_on=long_ago,
        )
        _post(official, account, FundTransactionKind.INITIAL, "120000.00", long_ago, "首期交存")
        _post(official, account, FundTransactionKind.TOP_UP, "20000.00", last_year, "业主续筹")
        _post(official, account, FundTransactionKind.INTEREST, "915.36", last_year, "年度结息")
    gone = PropertyRightsUnit.objects.filter(district=voting.community.street.district).exclude(
        status=RightsUnitStatus.ACTIVE
    )
    unit = gone.order_by("pk").first()
    others = [e for e in estates if e.pk not in showcase and e.fund_holder != "selling_unit"]
    if unit is not None and others:
        estate = others[0]
        showcase.add(estate.pk)
        account = services.open_fund_account(
            user=official,
            estate_id=estate.pk,
            holder=FundAccountHolder.SELLING_UNIT,
            holder_unit_id=unit.pk,
            opened_on=long_ago,
        )
        _post(official, account, FundTransactionKind.INITIAL, "356000.00", long_ago, "售房单位按售房款比例提取")
        _post(official, account, FundTransactionKind.INTEREST, "2130.50", last_year, "年度结息")
        services.transfer_fund_account(
            user=official,
            account_id=account.pk,
            to_holder=FundAccountHolder.BANK,
            bank="北京银行东城支行",
            on=today - timedelta(days=20),
            note="售房单位已注销，由街道移交专户",
        )
    return len(showcase) + _carry_over_typed_funds(estates, skip=showcase)


def _votes(voting, homes, *, official, today, rng) -> None:
    """A passed vote on using the fund (and a withdrawal), and an open elevator vote."""
    fund_vote = services.open_vote(
        user=official,
        estate_id=voting.pk,
        subject=VoteSubject.FUND_USE,
        title="使用维修资金更换二次供水水泵",
        opens_on=today - timedelta(days=40),
        closes_on=today - timedelta(days=10),
    )
    choices = {}  # one owner with several homes votes the same way for all of them
    for home in homes[: len(homes) * 5 // 6]:
        choice = choices.setdefault(
            home.owner_key, "agree" if rng.random() < 0.8 else rng.choice(["against", "abstain"])
        )
        services.record_paper_ballot(user=official, vote_id=fund_vote.pk, household_id=home.pk, choice=choice)
    fund_vote = services.close_vote(user=official, vote_id=fund_vote.pk)
    if fund_vote.passed:
        services.withdraw_fund(
            user=official,
            estate_id=voting.pk,
            vote_id=fund_vote.pk,
            amount=Decimal("18600.00"),
            purpose="更换二次供水水泵两台",
            withdrawn_on=today - timedelta(days=5),
        )
    elevator = services.open_vote(
        user=official,
        estate_id=voting.pk,
        subject=VoteSubject.ELEVATOR,
        title="1号楼加装电梯",
        opens_on=today - timedelta(days=3),
        closes_on=today + timedelta(days=27),
    )
    for home in homes[:8]:
        services.record_paper_ballot(user=official, vote_id=elevator.pk, household_id=home.pk, choice="agree")


def _subsidies(district, *, official, quarter, today) -> None:
    """Last quarter's advance approved and balance proposed; this quarter's advance proposed."""
    previous = services.ensure_period(district_id=district.pk, day=quarter - timedelta(days=1))
    services.run_advance(period_id=previous.pk)
    services.approve_payments(user=official, period_id=previous.pk, tranche="advance")
    services.run_balance(period_id=previous.pk, today=today)
    current = services.ensure_period(district_id=district.pk, day=today)
    services.run_advance(period_id=current.pk)


BANKS = ["中国工商银行", "中国建设银行", "中国银行", "中国农业银行", "北京银行"]


def _rewards(district, *, official, today, rng) -> int:
    """Last year's 以奖代补 on Shanghai's scheme: every street scored, all but the last
    approved (so they go into the batch below; the last waits for approval)."""
    scheme = services.save_scheme(
        user=official,
        data={
            "district": district.pk,
            "year": today.year - 1,
            "name": "物业管理以奖代补考核",
            "items": [
                {"code": "fee", "name": "物业费收缴", "points": 40},
                {"code": "inspection", "name": "日常检查", "points": 40},
                {"code": "safety", "name": "安全管理", "points": 20},
            ],
            "tiers": [{"min_score": 80, "share": "1"}, {"min_score": 70, "share": "0.8"}],
            "street_reward": Decimal("200000.00"),
            "community_reward": None,
        },
    )
    awards = [
        services.score_award(
            user=official,
            scheme_id=scheme.pk,
            street_id=street.pk,
            item_scores={
                "fee": rng.randint(26, 40),
                "inspection": rng.randint(28, 40),
                "safety": rng.randint(14, 20),
            },
        )
        for street in streets_for(user=official).order_by("code")
    ]
    if len(awards) > 1:
        services.approve_awards(user=official, scheme_id=scheme.pk, award_ids=[a.pk for a in awards[:-1]])
    return len(awards)


def _payees_and_batch(district, *, companies, official, today) -> str:
    """Payee records for every company but the last (so the 待补充收款信息 list has
    rows) and for the streets' service centres and serving committees; last quarter's
    approved advance built into a batch, released, and settled: one line returned
    with its reason, the rest paid. Account numbers are made up from ids."""

    def details(name, n):
        return {
            "account_name": name,
            "bank": BANKS[n % len(BANKS)],
            "branch": "东城支行",
            "account_number": f"0200{n:015d}",
        }

    for company in companies[:-1]:
        services.save_payee(user=official, data=details(company.name, company.pk), body="company", target_id=company.pk)
    for street in streets_for(user=official):  # the district official's streets: the district's
        services.save_payee(
            user=official,
            data=details(f"{street.name}物业服务中心", 10_000 + street.pk),
            body="street_centre",
            target_id=street.pk,
        )
    committees = Committee.objects.filter(
        estate__community__street__district=district, stage__in=PAYING_COMMITTEE_STAGES
    ).select_related("estate")
    for committee in committees:
        services.save_payee(
            user=official,
            data=details(f"{committee.estate.name}{committee.get_kind_display()}", 20_000 + committee.pk),
            body="committee",
            target_id=committee.pk,
        )
    batch = services.build_batch(district_id=district.pk, today=today)["batch"]
    if batch is None:
        return ""
    services.release_batch(user=official, batch_id=batch.pk)
    lines = list(BatchLine.objects.filter(batch=batch).order_by("id").values_list("pk", flat=True))
    for index, line_id in enumerate(lines):
        if index == 1:
            services.settle_line(user=official, line_id=line_id, paid=False, reason="户名与账号不符，银行退回")
        elif index < len(lines) - 3:  # the last three wait for the bank's return file
            services.settle_line(user=official, line_id=line_id, paid=True)
    return f"、拨付批次1个（{len(lines)}笔）"


def seed(*, district, rng) -> str | None:
    """Create this app's demo data for the district once; return what was made, or None."""
    if Contract.objects.filter(estate__community__street__district=district).exists():
        return None
    official = User.objects.filter(role=Role.DISTRICT_OFFICIAL, district=district).first()
    if official is None:
        return None
    today = timezone.localdate()
    # The pieces draw from rng in this order: the same seed makes the same data.
    companies = _companies(district, rng=rng)
    estates = list(Estate.objects.filter(community__street__district=district).select_related("community__street"))
    contracts = _contracts(estates, companies, official=official, rng=rng)
    quarter = services.quarter_of(today)[0]
    _fee_collections(contracts, official=official, quarter=quarter, rng=rng)
    _assessments(contracts, bad_company=companies[0], official=official, today=today, rng=rng)
    rectifications = _rectification(contracts, official=official, today=today)
    committees = _committees(estates, official=official, today=today, rng=rng)
    heads = _building_heads(estates, rng=rng)
    voting = next((e for e in estates if e.buildings.exists() and e.fund_balance), estates[0])
    homes = _household_register(voting, rng=rng)
    accounts = _fund_ledger(estates, voting, official=official, today=today)
    _votes(voting, homes, official=official, today=today, rng=rng)
    _subsidies(district, official=official, quarter=quarter, today=today)
    payments = SubsidyPayment.objects.filter(period__district=district).count()
    rewards = _rewards(district, official=official, today=today, rng=rng)
    batch = _payees_and_batch(district, companies=companies, official=official, today=today)
    return (
        f"物业管理演示数据：{len(companies)}家企业、{len(contracts)}份合同、{committees}个业主组织、"
        f"{heads}名楼长、{len(homes)}户房屋户籍、2项表决、{accounts}个维修资金账户、{payments}笔补贴、"
        f"{rewards}个街道的以奖代补评分{batch}、{rectifications}份限期整改通知。"
    )
