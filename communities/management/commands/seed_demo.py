"""Demo data: one district with its street offices, communities, a few hundred
estates with buildings, property-rights units, and one user per role.

Safe to run again: the data is created once; the demo users' passwords are
reset and printed every time, so `make run` always shows working logins.
"""

import importlib
import random
import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from accounts.models import Role, User
from communities.models import (
    Building,
    DangerGrade,
    Enclosure,
    Estate,
    FundHolder,
    FundStatus,
    IllegalStructure,
    ManagementMode,
    ManagementPeriod,
    OwnersBody,
    PropertyRightsUnit,
    RightsForm,
    RightsHolding,
    RightsUnitStatus,
    Structure,
)
from core.pinyin import initials
from core.validators import credit_code_check_character
from org.models import Community, District, StreetOffice

STREETS = {
    "和平里街道": ["和平里七区社区", "和平里九区社区", "交林社区", "青年湖社区"],
    "东花市街道": ["花市枣苑社区", "忠实里社区", "南小市口社区"],
    "龙潭街道": ["龙潭北里社区", "板厂南里社区", "幸福南里社区", "夕照寺社区"],
    "体育馆路街道": ["法华寺社区", "四块玉社区", "长青园社区"],
    "天坛街道": ["金鱼池社区", "东晓市社区", "西园子社区"],
}
PLACES = [
    "和平里",
    "青年湖",
    "地坛",
    "安德里",
    "交道口",
    "花市",
    "枣苑",
    "忠实里",
    "龙潭",
    "板厂",
    "幸福",
    "夕照寺",
    "法华寺",
    "四块玉",
    "长青",
    "金鱼池",
    "东晓市",
    "光明",
    "红桥",
    "崇文门",
    "广渠门",
    "左安门",
]
SUFFIXES = ["北里", "南里", "东里", "西里", "小区", "家园", "新村", "宿舍", "一区", "二区", "三区", "北街", "胡同"]
EMPLOYERS = [
    "北京第一机床厂",
    "北京化工研究院",
    "北京电力设备总厂",
    "北京市第二建筑工程公司",
    "北京光华染织厂",
    "北京市纺织工业局",
    "北京无线电仪器厂",
    "中国有色金属工业总公司",
    "北京市百货公司",
    "北京铁路分局",
    "北京市煤炭总公司",
    "北京市自来水公司",
    "北京重型机械厂",
    "北京市外贸公司",
    "北京市粮食局",
    "北京市第三医院",
    "北京汽车制造厂",
    "北京印刷一厂",
    "北京市木材厂",
    "北京市商业储运公司",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "秀英", "志强", "丽华", "国庆", "淑珍", "海燕", "卫东", "玉兰", "振华", "桂芳", "红梅"]


def make_credit_code(rng, division="110101"):
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + division + "".join(rng.choice(alphabet) for _ in range(9))
    return body + credit_code_check_character(body)


def person(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def mobile(rng):
    return rng.choice(["138", "139", "135", "186", "150", "177"]) + "".join(str(rng.randint(0, 9)) for _ in range(8))


DEMO_USERS = [
    ("quguan", Role.DISTRICT_OFFICIAL, "张主任"),
    ("jiedao", Role.STREET_STAFF, "李干事"),
    ("jiedao2", Role.STREET_STAFF, "王干事"),
    ("shequ", Role.COMMUNITY_WORKER, "刘书记"),
    ("shenji", Role.AUDITOR, "陈审计"),
]


# Apps whose demo data builds on the registry; each has demo.py with
# seed(*, district, rng) -> str | None (a line saying what it created, or None
# when its data was already there).
DEMO_APPS = ("propertymgmt", "renovation", "complaints", "dashboard")


class Command(BaseCommand):
    help = "Create demo data (once) and reset and print the demo users' passwords."

    def add_arguments(self, parser):
        parser.add_argument("--estates", type=int, default=300)
        parser.add_argument("--seed", type=int, default=20261124)

    def handle(self, *args, **options):
        rng = random.Random(options["seed"])
        with transaction.atomic():
            district = District.objects.filter(code="110101").first()
            if district is None:
                district = self.create_registry(rng, options["estates"])
                self.stdout.write(self.style.SUCCESS(f"已生成演示数据：{Estate.objects.count()} 个小区。"))
            self.reset_users(district)
        for app in DEMO_APPS:
            with transaction.atomic():
                # Each app's demo module creates its own data once and says what it made.
                made = importlib.import_module(f"{app}.demo").seed(
                    district=district, rng=random.Random(options["seed"])
                )
                if made:
                    self.stdout.write(self.style.SUCCESS(made))

    def create_registry(self, rng, estate_count):
        district = District.objects.create(name="东城区", code="110101", code_edition=2024)
        communities = []
        for s_index, (street_name, community_names) in enumerate(STREETS.items(), start=1):
            street = StreetOffice.objects.create(district=district, name=street_name, code=f"110101{s_index:03d}")
            for c_index, name in enumerate(community_names, start=1):
                communities.append(
                    Community.objects.create(street=street, name=name, code=f"110101{s_index:03d}{c_index:03d}")
                )
        units = []
        for index, name in enumerate(EMPLOYERS):
            status = RightsUnitStatus.ACTIVE
            if index % 7 == 3:
                status = RightsUnitStatus.DISSOLVED
            elif index % 7 == 5:
                status = RightsUnitStatus.MERGED
            unit = PropertyRightsUnit(
                district=district,
                name=name,
                credit_code=make_credit_code(rng),
                contact_person=person(rng),
                contact_phone=mobile(rng),
                status=status,
                status_changed_on=date(rng.randint(1998, 2015), rng.randint(1, 12), 1) if status != "active" else None,
            )
            units.append(unit)
        units = bulk_create_with_history(units, PropertyRightsUnit, default_change_reason="演示数据")
        active = [u for u in units if u.status == RightsUnitStatus.ACTIVE]
        for unit in units:
            if unit.status == RightsUnitStatus.MERGED:
                unit.successor = rng.choice(active)
                unit.save(update_fields=["successor"])

        modes = (
            [ManagementMode.MARKET] * 20
            + [ManagementMode.OWNERS] * 54
            + [ManagementMode.UNIT] * 10
            + [ManagementMode.STREET_CENTRE] * 10
            + [ManagementMode.NONE] * 6
        )
        used = set()
        estates = []
        while len(estates) < estate_count:
            community = rng.choice(communities)
            name = rng.choice(PLACES) + rng.choice(SUFFIXES)
            if rng.random() < 0.3:
                name += f"{rng.randint(1, 40)}号院"
            if (community.pk, name) in used:
                continue
            used.add((community.pk, name))
            year = rng.choices(
                [rng.randint(1955, 1979), rng.randint(1980, 1995), rng.randint(1996, 2000), rng.randint(2001, 2015)],
                weights=[20, 45, 25, 10],
            )[0]
            households = rng.randint(60, 1200)
            mode = rng.choice(modes)
            fund_status = rng.choice(
                [FundStatus.COLLECTED, FundStatus.NOT_COLLECTED, FundStatus.PARTIAL, FundStatus.UNKNOWN]
            )
            holder = FundHolder.NONE
            holder_unit = None
            if fund_status == FundStatus.COLLECTED:
                holder = rng.choice([FundHolder.CENTRE, FundHolder.SELLING_UNIT, FundHolder.SELLING_UNIT])
                if holder == FundHolder.SELLING_UNIT:
                    holder_unit = rng.choice(units)
            lon = Decimal("116.41") + Decimal(rng.randint(-200, 200)) / 10000
            lat = Decimal("39.93") + Decimal(rng.randint(-300, 300)) / 10000
            estates.append(
                Estate(
                    community=community,
                    name=name,
                    name_initials=initials(name),
                    address=f"北京市东城区{name}",
                    year_built=year,
                    building_count=0,
                    households=households,
                    floor_area=Decimal(households * rng.randint(48, 75)) + Decimal(rng.randint(0, 99)) / 100,
                    enclosure=rng.choice([Enclosure.OPEN, Enclosure.OPEN, Enclosure.SEMI, Enclosure.CLOSED]),
                    management_mode=mode,
                    owners_body=rng.choice(
                        [
                            OwnersBody.NONE,
                            OwnersBody.NONE,
                            OwnersBody.COMMITTEE,
                            OwnersBody.SELF_MANAGEMENT,
                            OwnersBody.MANAGEMENT_COMMITTEE,
                        ]
                    ),
                    fund_status=fund_status,
                    fund_balance=Decimal(rng.randint(50_000, 3_000_000))
                    if fund_status in (FundStatus.COLLECTED, FundStatus.PARTIAL)
                    else None,
                    fund_holder=holder,
                    fund_holder_unit=holder_unit,
                    parking_spaces=rng.randint(0, 300),
                    vehicles=rng.randint(20, 600),
                    has_surveillance=rng.random() < 0.6,
                    fire_passage_blocked=rng.random() < 0.15,
                    expropriation_planned=rng.random() < 0.03,
                    shantytown=rng.random() < 0.02,
                    longitude=lon if rng.random() < 0.7 else None,
                    latitude=lat if lon and rng.random() < 0.7 else None,
                )
            )
        for estate in estates:
            if estate.longitude is None or estate.latitude is None:
                estate.longitude = estate.latitude = None
        estates = bulk_create_with_history(estates, Estate, batch_size=500, default_change_reason="演示数据")

        buildings, periods, structures = [], [], []
        today = date.today()
        for estate in estates:
            count = rng.randint(2, 12)
            estate.building_count = count
            per_building = max(1, estate.households // count)
            for number in range(1, count + 1):
                old = estate.year_built < 2000
                buildings.append(
                    Building(
                        estate=estate,
                        number=f"{number}号楼",
                        floors=rng.randint(4, 6) if old else rng.randint(6, 18),
                        entrances=rng.randint(1, 6),
                        households=per_building,
                        year_built=estate.year_built,
                        structure=Structure.BRICK_CONCRETE
                        if old
                        else rng.choice([Structure.FRAME, Structure.SHEAR_WALL]),
                        elevators=0 if old and rng.random() < 0.9 else rng.randint(1, 4),
                        danger_grade=rng.choices(
                            ["", DangerGrade.A, DangerGrade.B, DangerGrade.C, DangerGrade.D], weights=[30, 40, 22, 6, 2]
                        )[0],
                        floor_area=(estate.floor_area / count).quantize(Decimal("0.01")),
                    )
                )
            started = today - timedelta(days=rng.randint(200, 4000))
            periods.append(
                ManagementPeriod(estate=estate, mode=estate.management_mode, started_on=started, note="演示数据")
            )
            if rng.random() < 0.15:
                for _ in range(rng.randint(1, 3)):
                    structures.append(
                        IllegalStructure(
                            estate=estate,
                            description=rng.choice(
                                ["楼间空地小配房", "首层私搭外扩", "绿地内彩钢房", "楼顶加建", "自行车棚改建住房"]
                            ),
                            area=Decimal(rng.randint(6, 180)),
                            identified_on=today - timedelta(days=rng.randint(30, 900)),
                        )
                    )
        Estate.objects.bulk_update(estates, ["building_count"], batch_size=500)
        buildings = bulk_create_with_history(buildings, Building, batch_size=1000, default_change_reason="演示数据")
        ManagementPeriod.objects.bulk_create(periods, batch_size=1000)
        bulk_create_with_history(structures, IllegalStructure, batch_size=500, default_change_reason="演示数据")

        holdings = []
        by_estate = {}
        for building in buildings:
            by_estate.setdefault(building.estate_id, []).append(building)
        for estate in estates:
            if rng.random() < 0.45:
                for building in rng.sample(by_estate[estate.pk], k=min(2, len(by_estate[estate.pk]))):
                    holdings.append(
                        RightsHolding(
                            estate=estate,
                            building=building,
                            rights_unit=rng.choice(units),
                            rights_form=rng.choice(
                                [
                                    RightsForm.REFORM,
                                    RightsForm.CENTRAL,
                                    RightsForm.PUBLIC_RENTED,
                                    RightsForm.CENTRAL_LISTED,
                                ]
                            ),
                            portion=rng.choice(["", "1-2单元", "3单元", "1-3层"]),
                            households=rng.randint(10, 60),
                        )
                    )
            if rng.random() < 0.3:
                holdings.append(RightsHolding(estate=estate, rights_form=RightsForm.COMMERCIAL, portion="其余部分"))
        bulk_create_with_history(holdings, RightsHolding, batch_size=1000, default_change_reason="演示数据")
        return district

    def reset_users(self, district):
        streets = {s.name: s for s in StreetOffice.objects.filter(district=district)}
        community = Community.objects.filter(street__district=district, name="交林社区").first()
        nodes = {
            "quguan": {"district": district},
            "jiedao": {"street": streets.get("和平里街道")},
            "jiedao2": {"street": streets.get("龙潭街道")},
            "shequ": {"community": community},
            "shenji": {"district": district},
        }
        lines = []
        for username, role, full_name in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            user, _created = User.objects.get_or_create(username=username)
            user.role = role
            user.last_name, user.first_name = full_name, ""
            user.district = nodes[username].get("district")
            user.street = nodes[username].get("street")
            user.community = nodes[username].get("community")
            user.is_active = True
            user.set_password(password)
            user.save()
            lines.append(f"  {user.get_role_display():<8} {username:<8} {password}   {full_name}（{user.node_name}）")
        admin, _created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        password = secrets.token_urlsafe(9)
        admin.is_staff = admin.is_superuser = True
        admin.set_password(password)
        admin.save()
        lines.append(f"  {'系统管理员':<8} {'admin':<8} {password}   /admin/")
        text = "演示账号（每次启动重置密码）：\n" + "\n".join(lines) + "\n"
        self.stdout.write("\n" + text)
        # `make run` prints the logins again once the servers are up; keep them
        # where only this machine's user can read them.
        from django.conf import settings

        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        path = settings.VAR_DIR / "demo-logins.txt"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
