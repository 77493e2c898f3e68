"""Demo data of the complaints app, created once by `manage.py seed_demo`.

About 240 cases over the last six months from every channel, worked through
the same services the pages use (with the clock set back for each step), so
that queues, deadlines, measures and the resident's view all look lived-in:
most resolved and rated, some in mediation, a few overdue and escalated.
"""

from datetime import timedelta
from unittest import mock

from django.utils import timezone

from accounts.models import Role, User
from communities.models import Estate
from complaints import services
from complaints.models import Category, Channel, Complaint, Escalation

TEXTS = {
    "parking": ["楼下有人私装地锁，占了消防通道旁的车位。", "外来车辆长期停在单元门口，老人轮椅过不去。"],
    "common_area": ["楼道里堆满了纸箱和旧家具，存在消防隐患。", "一楼住户把楼前绿地圈起来种菜。"],
    "repairs": ["顶楼漏水，下雨天屋里要接好几个盆。", "单元门坏了两个月没人修。"],
    "elevator": ["电梯经常停运，家里有九十岁老人下不了楼。"],
    "drains": ["化粪池外溢，院里臭气熏天。", "下水道堵了，污水返到一楼卫生间。"],
    "sanitation": ["垃圾桶满了好几天没人清运。"],
    "service": ["物业电话总是打不通，报修没人来。", "保洁只扫门口，楼道从来不打扫。"],
    "fees": ["物业费涨价没有公示，也没开业主大会。"],
    "renovation": ["楼上装修砸承重墙，墙面出现裂缝。"],
    "group_renting": ["隔壁房子隔成了八个小间出租，进出人员很杂。"],
    "security": ["院门门禁坏了，夜里陌生人随便进出。"],
    "noise": ["楼下底商夜里营业到凌晨两点，噪音很大。"],
    "greening": ["树枝伸到窗户里，影响采光，还招虫子。"],
    "enquiry": ["想咨询老旧小区改造加装电梯需要什么手续。"],
}
REPLIES = [
    "经街道物管投诉调解工作站协调，物业公司已于近日处理完毕，感谢您的监督。",
    "已约谈相关责任方并现场核实，问题已整改，如仍有问题请再次反映。",
    "经社区组织楼门长和业主协商，已达成一致意见并落实。",
]
CHANNEL_WEIGHTS = [
    (Channel.WEB, 40),
    (Channel.HOTLINE, 35),
    (Channel.PHONE, 10),
    (Channel.WALK_IN, 8),
    (Channel.MAYOR, 4),
    (Channel.DISTRICT_HEAD, 3),
]


def seed(*, district, rng) -> str | None:
    if Complaint.objects.filter(district=district).exists():
        return None
    from communities.management.commands.seed_demo import mobile, person
    from propertymgmt.models import PropertyCompany

    estates = list(Estate.objects.filter(community__street__district=district).select_related("community__street"))
    if not estates:
        return None
    official = User.objects.filter(role=Role.DISTRICT_OFFICIAL, district=district).first()
    staff_by_street = {u.street_id: u for u in User.objects.filter(role=Role.STREET_STAFF, street__district=district)}
    companies = list(PropertyCompany.objects.filter(district=district))
    categories = {c.code: c for c in Category.objects.all()}
    now = timezone.now()
    channels = [c for c, _w in CHANNEL_WEIGHTS]
    weights = [w for _c, w in CHANNEL_WEIGHTS]
    made = 0
    for _i in range(240):
        estate = rng.choice(estates)
        code = rng.choice(list(TEXTS))
        category = categories.get(code)
        if category is None:
            continue
        received = now - timedelta(days=rng.uniform(0.2, 180), hours=rng.uniform(0, 8))
        staff = staff_by_street.get(estate.community.street_id) or official
        if staff is None:
            continue
        clock = [received]

        def at(hours, clock=clock):
            clock[0] = min(clock[0] + timedelta(hours=hours), now)
            return mock.patch("django.utils.timezone.now", return_value=clock[0])

        with mock.patch("django.utils.timezone.now", return_value=received):
            case = services.file_complaint(
                filing=services.Filing(
                    category=category,
                    description=rng.choice(TEXTS[code]),
                    reporter_name=person(rng),
                    reporter_phone=mobile(rng),
                    estate=estate,
                    building_unit=f"{rng.randint(1, 12)}号楼{rng.randint(1, 4)}单元",
                    channel=rng.choices(channels, weights)[0],
                    external_ref=f"12345-{received:%Y%m%d}-{rng.randint(1, 9999):04d}",
                    consent=True,
                ),
                user=None,
            )
        made += 1
        age_days = (now - received).days
        if rng.random() < 0.04:
            with at(3):
                services.reject(
                    user=staff,
                    complaint_id=case.pk,
                    reason="反映的问题属于业主之间的民事纠纷，建议通过人民调解或诉讼解决。",
                )
            continue
        if age_days < 1 and rng.random() < 0.6:
            continue  # still waiting to be accepted
        with at(rng.uniform(1, 20)):
            services.accept(user=staff, complaint_id=case.pk)
        company = rng.choice(companies) if companies and rng.random() < 0.6 else None
        with at(rng.uniform(4, 30)):
            services.assign(user=staff, complaint_id=case.pk, community=estate.community, company=company)
        if age_days < 3 and rng.random() < 0.5:
            continue
        with at(rng.uniform(4, 48)):
            services.start_mediation(
                user=staff, complaint_id=case.pk, mediation_type=rng.choice(["administrative", "peoples", "industry"])
            )
        if rng.random() < 0.06 and official is not None:
            with at(24):
                services.escalate(
                    user=staff,
                    complaint_id=case.pk,
                    level=Escalation.STREET,
                    note="涉及多个产权单位，提请联席会议协调。",
                )
        if age_days < 15 and rng.random() < 0.7:
            continue  # in mediation
        with at(rng.uniform(24, 24 * 18)):
            services.resolve(
                user=staff,
                complaint_id=case.pk,
                outcome="现场核实后协调责任方整改完毕。",
                reply=rng.choice(REPLIES),
                upheld_against_company=company is not None and rng.random() < 0.5,
            )
        if rng.random() < 0.75:
            score = rng.choices([5, 4, 3, 2, 1], [45, 30, 12, 8, 5])[0]
            with at(rng.uniform(2, 72)):
                services.rate(
                    complaint=Complaint.objects.get(pk=case.pk),
                    satisfaction=score,
                    comment="" if score >= 3 else "问题没有彻底解决。",
                    reopen_requested=score <= 2 and rng.random() < 0.5,
                )
            if score >= 3 and rng.random() < 0.3:
                with at(24):
                    services.record_return_visit(
                        user=staff, complaint_id=case.pk, rating=score, note="电话回访，居民认可。"
                    )
    result = services.check_deadlines()
    services.close_unrated()
    return f"已生成演示投诉工单：{made} 件（逾期 {result['overdue']} 件、临期 {result['due_soon']} 件）。"
