"""The ledger export: the shape officials send upward, and the big ones run
in the background on a real Celery worker."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.models import ExportJob
from tests.factories import BuildingFactory, IllegalStructureFactory

pytestmark = pytest.mark.django_db


def workbook_of(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_export_has_title_headers_units_totals_and_footer(world, client_for):
    BuildingFactory(estate=world.estate_a1, number="2号楼", danger_grade="D")
    IllegalStructureFactory(estate=world.estate_a1, area="40.5")
    response = client_for(world.staff_a).get(reverse("communities:estate_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    sheet = workbook_of(response)["小区台账"]
    assert sheet["A1"].value == "和平里街道老旧小区台账"
    assert "填报单位：和平里街道" in sheet["A2"].value
    assert "A1:AB1" in {str(r) for r in sheet.merged_cells.ranges}
    headers = [c.value for c in sheet[3]]
    for header in (
        "街道",
        "社区",
        "小区名称",
        "建成年份",
        "户数（户）",
        "建筑面积（㎡）",
        "建筑面积（万㎡）",
        "管理模式",
        "C/D级危房（栋）",
        "待拆违建（㎡）",
    ):
        assert header in headers
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    data = [r for r in rows if isinstance(r[0], int)]
    total = next(r for r in rows if r[0] == "合计")
    col = {h: i for i, h in enumerate(headers)}
    assert len(data) == 2
    assert total[col["户数（户）"]] == sum(r[col["户数（户）"]] for r in data) == 640
    assert float(total[col["建筑面积（㎡）"]]) == pytest.approx(43001.0)
    assert total[col["建筑面积（万㎡）"]] == 4.3
    assert isinstance(data[0][col["户数（户）"]], int)  # numbers as numbers, not text
    first = next(r for r in data if r[col["小区名称"]] == "和平里七区")
    assert first[col["C/D级危房（栋）"]] == 1 and float(first[col["待拆违建（㎡）"]]) == 40.5
    assert first[col["老旧小区"]] == "是" and first[col["管理模式"]] == "业主自治"
    assert any(r[0] and str(r[0]).startswith("填报人") for r in rows)


def test_export_follows_the_filters_and_its_title_names_them(world, client_for):
    response = client_for(world.official).get(reverse("communities:estate_export"), {"year_from": 1990})
    sheet = workbook_of(response)["小区台账"]
    names = [row[3] for row in sheet.iter_rows(min_row=4, values_only=True) if row and isinstance(row[0], int)]
    assert names == ["青年湖西里"]
    assert sheet["A1"].value == "东城区老旧小区台账（筛选：建成年份自=1990）"


def test_export_says_old_estates_only_when_every_row_is_one(world, client_for):
    from tests.factories import EstateFactory

    EstateFactory(community=world.community_a1, name="新建小区", year_built=2010)
    client = client_for(world.official)
    sheet = workbook_of(client.get(reverse("communities:estate_export")))["小区台账"]
    assert sheet["A1"].value == "东城区小区台账"
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert {row[6] for row in rows if row and isinstance(row[0], int)} == {"是", "否"}

    response = client.get(reverse("communities:estate_export"), {"is_old": "false", "street": world.street_a.pk})
    sheet = workbook_of(response)["小区台账"]
    assert sheet["A1"].value == "东城区小区台账（筛选：街道=和平里街道；老旧小区=否）"
    names = [row[3] for row in sheet.iter_rows(min_row=4, values_only=True) if row and isinstance(row[0], int)]
    assert names == ["新建小区"]

    response = client.get(reverse("communities:estate_export"), {"is_old": "true"})
    assert workbook_of(response)["小区台账"]["A1"].value == "东城区老旧小区台账（筛选：老旧小区=是）"


@pytest.mark.django_db(transaction=True)
def test_large_export_runs_on_the_worker_with_progress_and_only_for_its_owner(
    world, client_for, settings, tmp_path, celery_worker
):
    settings.EXPORT_SYNC_MAX_ROWS = 1
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.official)
    response = client.get(reverse("communities:estate_export"))
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response.url == reverse("core:export_job", args=[job.pk])
    for _ in range(100):
        job.refresh_from_db()
        if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
            break
        import time

        time.sleep(0.1)
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.rows_done == 3 and job.percent == 100
    page = client.get(reverse("core:export_job", args=[job.pk])).content.decode()
    assert "下载" in page
    download = client.get(reverse("core:export_download", args=[job.pk]))
    assert download.status_code == 200
    names = {
        row[3]
        for row in workbook_of(download)["小区台账"].iter_rows(min_row=4, values_only=True)
        if row and isinstance(row[0], int)
    }
    assert names == {"和平里七区", "青年湖西里", "板厂南里"}
    # Another user — even one who could see the same rows — cannot fetch it.
    for other in (world.auditor, world.staff_a):
        assert client_for(other).get(reverse("core:export_download", args=[job.pk])).status_code == 404
        assert client_for(other).get(reverse("core:export_job", args=[job.pk])).status_code == 404


def test_export_job_reports_a_broker_outage_instead_of_failing(world, client_for, settings, broker_unreachable):
    settings.EXPORT_SYNC_MAX_ROWS = 1
    response = client_for(world.official).get(reverse("communities:estate_export"))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ExportJob.Status.FAILED and "后台任务服务暂时不可用" in job.error


def test_expired_exports_and_old_uploads_are_purged(world, settings, tmp_path):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from communities.models import ImportBatch
    from core.tasks import purge_expired_files

    settings.MEDIA_ROOT = tmp_path
    old = ExportJob.objects.create(
        requested_by=world.official, kind="ledger", status="done", expires_at=timezone.now() - timedelta(minutes=1)
    )
    old.file.save("old.xlsx", ContentFile(b"x"))
    fresh = ExportJob.objects.create(requested_by=world.official, kind="ledger", status="done")
    fresh.file.save("fresh.xlsx", ContentFile(b"x"))
    batch = ImportBatch.objects.create(
        uploaded_by=world.staff_a,
        original_name="a.xlsx",
        sha256="0" * 64,
        status=ImportBatch.Status.PREVIEWED,
        created_at=timezone.now() - timedelta(hours=settings.IMPORT_KEEP_HOURS + 1),
    )
    batch.file.save("a.xlsx", ContentFile(b"x"))
    old_path, batch_path = Path(old.file.path), Path(batch.file.path)

    assert purge_expired_files() == 2
    assert not ExportJob.objects.filter(pk=old.pk).exists() and not old_path.exists()
    assert ExportJob.objects.filter(pk=fresh.pk).exists() and Path(fresh.file.path).exists()
    batch.refresh_from_db()
    assert not batch_path.exists() and batch.status == ImportBatch.Status.DISCARDED


def test_rows_fetched_ahead_are_the_querysets_rows_with_its_converters(world):
    from communities import selectors
    from communities.ledger_excel.export import EXPORT_VALUES
    from communities.models import Estate
    from core.xlsx.rows import queryset_rows

    IllegalStructureFactory(estate=world.estate_a1, area="40.5")
    queryset = selectors.with_row_figures(Estate.objects.order_by("name", "id")).values_list(*EXPORT_VALUES)
    assert list(queryset_rows(queryset, chunk=2)) == list(queryset.iterator(chunk_size=2))
    assert list(queryset_rows(queryset.none())) == []


def test_rows_fetched_ahead_keep_their_order_hand_over_errors_and_stop_with_the_caller():
    from core.xlsx.rows import fetched_ahead

    assert [row for rows in fetched_ahead([i, i] for i in range(500)) for row in rows] == [
        i for i in range(500) for _twice in (1, 2)
    ]

    def failing():
        yield [1]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        list(fetched_ahead(failing()))

    closed = []

    def endless():
        try:
            while True:
                yield [0]
        finally:
            closed.append(True)  # the cursor is closed

    ahead = fetched_ahead(endless())
    assert next(ahead) == [0]
    ahead.close()
    assert closed == [True]
