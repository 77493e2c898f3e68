"""Seed the work-item catalogue with the three categories of §3 (DOMAIN.md).

The catalogue is data: district officials add items later; this migration only
puts the published list in place once (items already present are left alone).
"""

from django.db import migrations

CATALOGUE = [
    # (category, name, unit, output)
    ("basic", "供水管网改造", "公里", "pipes_km"),
    ("basic", "排水管网改造", "公里", "pipes_km"),
    ("basic", "供电设施改造", "公里", "pipes_km"),
    ("basic", "弱电及通信线路改造", "公里", "pipes_km"),
    ("basic", "燃气管网改造", "公里", "pipes_km"),
    ("basic", "供热管网改造", "公里", "pipes_km"),
    ("basic", "小区道路改造", "㎡", ""),
    ("basic", "消防设施改造", "项", ""),
    ("basic", "安防设施改造", "项", ""),
    ("basic", "垃圾分类设施", "处", ""),
    ("basic", "移动通信设施", "处", ""),
    ("basic", "光纤入户", "户", ""),
    ("basic", "架空线规整（入地）", "公里", "pipes_km"),
    ("basic", "屋面防水及修缮", "㎡", ""),
    ("basic", "外墙修缮", "㎡", ""),
    ("basic", "楼梯间修缮", "个", ""),
    ("improvement", "拆除违法建设", "㎡", ""),
    ("improvement", "绿化整治", "㎡", ""),
    ("improvement", "照明改造", "盏", ""),
    ("improvement", "适老化及无障碍改造", "处", ""),
    ("improvement", "增设停车位", "个", "parking"),
    ("improvement", "电动汽车充电桩", "个", "chargers"),
    ("improvement", "电动自行车充电设施", "处", ""),
    ("improvement", "智能快件箱", "组", ""),
    ("improvement", "文化体育设施", "处", "facilities"),
    ("improvement", "物业管理用房", "处", "facilities"),
    ("improvement", "建筑节能改造", "㎡", "retrofit_m2"),
    ("improvement", "加装电梯", "部", "elevators"),
    ("improvement", "5G基站", "个", ""),
    ("upgrade", "社区综合服务中心", "处", "facilities"),
    ("upgrade", "社区卫生服务站", "处", "facilities"),
    ("upgrade", "幼儿园", "处", "facilities"),
    ("upgrade", "智能感知设施（周界、高空抛物）", "套", ""),
    ("upgrade", "养老服务设施", "处", "facilities"),
    ("upgrade", "托育设施", "处", "facilities"),
    ("upgrade", "助餐设施", "处", "facilities"),
    ("upgrade", "家政服务网点", "处", "facilities"),
    ("upgrade", "便民市场", "处", "facilities"),
    ("upgrade", "便利店", "处", "facilities"),
    ("upgrade", "邮政快递末端网点", "处", "facilities"),
]


def seed(apps, schema_editor):
    CatalogueItem = apps.get_model("renovation", "CatalogueItem")
    existing = set(CatalogueItem.objects.values_list("name", flat=True))
    CatalogueItem.objects.bulk_create(
        CatalogueItem(category=category, name=name, unit=unit, output=output, sort_order=index)
        for index, (category, name, unit, output) in enumerate(CATALOGUE, start=1)
        if name not in existing
    )


def unseed(apps, schema_editor):
    CatalogueItem = apps.get_model("renovation", "CatalogueItem")
    CatalogueItem.objects.filter(name__in=[row[1] for row in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("renovation", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
