"""Importing the ledger from Excel: preview first, then all rows or none."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from communities.models import Estate, ImportBatch, ManagementPeriod
from tests.excel import ledger_row, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, content, name="台账.xlsx"):
    return client.post(
        reverse("communities:import_upload"),
        {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
    )


def batch_of(response):
    return ImportBatch.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def test_preview_lists_every_bad_row_and_writes_nothing(world, client_for):
    before = set(Estate.objects.values_list("pk", "name", "households", "version"))
    rows = [
        ledger_row("和平里街道", "交林社区", "好小区一号"),  # fine on its own
        ledger_row("和平里街道", "交林社区", "", 建成年份=1980),  # name missing
        ledger_row("和平里街道", "交林社区", "未来小区", 建成年份=2999),  # future year
        ledger_row("龙潭街道", "板厂南里社区", "别人的小区"),  # other street
        ledger_row("和平里街道", "不存在社区", "找不到社区"),  # unknown community
        ledger_row("和平里街道", "交林社区", "负户数", **{"户数（户）": -5}),
        ledger_row("和平里街道", "交林社区", "乱填模式", 管理模式="随便管"),
        ledger_row("和平里街道", "交林社区", "面积是字", **{"建筑面积（㎡）": "很大"}),
        ledger_row("和平里街道", "交林社区", "只有经度", 经度=116.4),
        ledger_row("和平里街道", "交林社区", "好小区一号"),  # duplicate of row 2
        ledger_row("和平里街道", "交林社区", "征拆乱填", 计划征收拆迁="也许"),
    ]
    response = upload(client_for(world.staff_a), xlsx_bytes(rows))
    assert response.status_code == 302
    batch = batch_of(response)
    assert batch.status == ImportBatch.Status.REJECTED
    errors = {(e["row"], e["column"]) for e in batch.errors}
    assert errors >= {
        (3, "小区名称"),
        (4, "建成年份"),
        (5, "街道"),
        (6, "社区"),
        (7, "户数（户）"),
        (8, "管理模式"),
        (9, "建筑面积（㎡）"),
        (10, "经度"),
        (11, "小区名称"),
        (12, "计划征收拆迁"),
    }
    assert batch.summary["error_rows"] == 10
    # Nothing was written, not even the good row.
    assert set(Estate.objects.values_list("pk", "name", "households", "version")) == before
    # The page names row, column and reason in Chinese.
    page = client_for(world.staff_a).get(response.url).content.decode()
    assert "“龙潭街道”不在您的管辖范围内" in page
    assert "不能大于" in page  # the year 2999
    assert "“随便管”不是可选值" in page
    # A rejected batch cannot be committed.
    commit = client_for(world.staff_a).post(response.url, {"commit": "1"})
    assert commit.status_code == 302
    assert set(Estate.objects.values_list("pk", "name", "households", "version")) == before


def test_commit_writes_all_rows_with_history_and_management_periods(world, client_for):
    client = client_for(world.staff_a)
    rows = [ledger_row("和平里街道", "交林社区", f"新小区{i}", **{"户数（户）": 100 + i}) for i in range(30)]
    response = upload(client, xlsx_bytes(rows, title_rows=["和平里街道小区台账", "填报单位：和平里街道"]))
    batch = batch_of(response)
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.summary["create"] == 30
    assert not Estate.objects.filter(name__startswith="新小区").exists()  # preview wrote nothing

    client.post(response.url, {"commit": "1"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    created = Estate.objects.filter(name__startswith="新小区")
    assert created.count() == 30
    assert created.get(name="新小区7").households == 107
    assert ManagementPeriod.objects.filter(estate__in=created, ended_on__isnull=True).count() == 30
    history = Estate.history.filter(name="新小区7").get()
    assert history.history_user == world.staff_a and history.history_type == "+"

    # Pressing the button again writes nothing more.
    client.post(response.url, {"commit": "1"})
    assert Estate.objects.filter(name__startswith="新小区").count() == 30


def test_reimporting_the_same_file_does_not_duplicate_estates(world, client_for):
    client = client_for(world.staff_a)
    content = xlsx_bytes(
        [
            ledger_row("和平里街道", "交林社区", "和平里七区", **{"户数（户）": 999}),
            ledger_row("和平里街道", "交林社区", "重复导入小区"),
        ]
    )
    for _ in range(2):
        response = upload(client, content)
        client.post(response.url, {"commit": "1"})
    assert Estate.objects.filter(name="重复导入小区").count() == 1
    estate = Estate.objects.get(pk=world.estate_a1.pk)
    assert estate.households == 999
    assert estate.version == 2  # updated once; the second import found nothing to change
    second = ImportBatch.objects.order_by("-created_at").first()
    assert second.summary["unchanged"] == 2


def test_mode_change_by_import_closes_the_old_period(world, client_for):
    client = client_for(world.staff_a)
    ManagementPeriod.objects.create(estate=world.estate_a1, mode="owners", started_on="2020-01-01")
    response = upload(client, xlsx_bytes([ledger_row("和平里街道", "交林社区", "和平里七区", 管理模式="市场化物业")]))
    client.post(response.url, {"commit": "1"})
    periods = list(ManagementPeriod.objects.filter(estate=world.estate_a1).order_by("started_on"))
    assert [p.mode for p in periods] == ["owners", "market"]
    assert periods[0].ended_on is not None and periods[1].ended_on is None


def test_commit_revalidates_and_writes_nothing_if_the_ledger_changed(world, client_for):
    """Between preview and commit someone moved the street's community: now a row is bad."""
    client = client_for(world.staff_a)
    response = upload(
        client,
        xlsx_bytes(
            [ledger_row("和平里街道", "交林社区", "后来出错"), ledger_row("和平里街道", "青年湖社区", "本来没错")]
        ),
    )
    world.community_a1.name = "交林东社区"
    world.community_a1.save()
    client.post(response.url, {"commit": "1"})
    batch = batch_of(response)
    assert batch.status == ImportBatch.Status.REJECTED
    assert not Estate.objects.filter(name__in=["后来出错", "本来没错"]).exists()


def test_not_an_excel_file_is_refused_with_a_message(world, client_for):
    client = client_for(world.staff_a)
    response = upload(client, b"name,year\n", name="台账.csv")
    assert response.status_code == 200
    assert "请上传 .xlsx 格式的文件" in response.content.decode()
    response = upload(client, b"PK\x03\x04 not really a zip", name="坏文件.xlsx")
    batch = batch_of(response)
    assert batch.status == ImportBatch.Status.REJECTED
    assert "无法读取该文件" in batch.summary["file_error"]


def test_missing_required_columns_are_named(world, client_for):
    response = upload(client_for(world.staff_a), xlsx_bytes([{"小区名称": "甲"}], headers=["小区名称", "地址", "户数"]))
    batch = batch_of(response)
    assert "缺少必填列：街道、社区、建成年份" in batch.summary["file_error"]


def test_exported_file_imports_back_unchanged(world, client_for):
    client = client_for(world.staff_a)
    exported = b"".join(client.get(reverse("communities:estate_export")).streaming_content)
    response = upload(client, exported, name="导出的台账.xlsx")
    batch = batch_of(response)
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.errors
    assert batch.summary["unchanged"] == 2 and batch.summary["create"] == 0 and batch.summary["update"] == 0


def test_template_lists_the_users_own_streets_and_communities(world, client_for):
    response = client_for(world.staff_a).get(reverse("communities:import_template"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    headers = [c.value for c in workbook["小区台账"][1]]
    assert headers[:5] == ["街道", "社区", "小区名称", "地址", "建成年份"]
    options = [c.value for c in workbook["可选值"]["B"] if c.value]
    assert "交林社区" in options and "板厂南里社区" not in options
    assert "Content-Disposition" in response.headers and "filename*=utf-8''" in response.headers["Content-Disposition"]


def test_community_worker_and_auditor_cannot_import(world, client_for):
    for user in (world.worker_a1, world.auditor):
        response = upload(client_for(user), xlsx_bytes([ledger_row("和平里街道", "交林社区", "越权")]))
        assert response.status_code == 403
    assert not ImportBatch.objects.exists()
