"""Seed the categories (with the 12345 hotline's deadlines), a reply template
per category, and the State Council's 2026 holiday and make-up working days.
Officials edit all of these in the portal afterwards."""

from django.db import migrations

CATEGORIES = [
    # code, name, accept days, resolve days, remind days
    ("parking", "停车/地锁", 1, 13, 2),
    ("common_area", "占用公共部位", 1, 13, 2),
    ("repairs", "房屋维修/漏水", 1, 13, 3),
    ("elevator", "电梯", 0, 5, 1),
    ("drains", "下水道堵塞", 0, 3, 1),
    ("sanitation", "环境卫生", 1, 5, 1),
    ("service", "物业服务质量", 1, 13, 2),
    ("fees", "物业收费", 1, 13, 2),
    ("renovation", "违规装修", 1, 13, 2),
    ("group_renting", "群租/住改商", 1, 13, 2),
    ("security", "治安安全", 0, 3, 1),
    ("noise", "噪音扰民", 1, 5, 1),
    ("greening", "绿化", 1, 13, 2),
    ("enquiry", "咨询", 1, 3, 1),
]


def seed(apps, schema_editor):
    from complaints.workdays import CALENDAR_2026

    Category = apps.get_model("complaints", "Category")
    ReplyTemplate = apps.get_model("complaints", "ReplyTemplate")
    CalendarDay = apps.get_model("complaints", "CalendarDay")
    for sort, (code, name, accept, resolve, remind) in enumerate(CATEGORIES):
        category, created = Category.objects.get_or_create(
            code=code,
            defaults={"name": name, "accept_days": accept, "resolve_days": resolve, "remind_days": remind, "sort": sort},
        )
        if created:
            ReplyTemplate.objects.create(
                category=category,
                title=f"{name}：已协调解决",
                text=f"您反映的{name}问题，经街道调解工作站协调，相关责任方已于近日处理完毕。感谢您的监督，如仍有问题请再次联系我们。",
            )
    for day, kind, name in CALENDAR_2026:
        CalendarDay.objects.get_or_create(date=day, defaults={"kind": kind, "name": name})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
