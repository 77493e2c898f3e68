"""Importing the ledger from Excel: preview first, then all rows or none."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from communities.models import Estate, ImportBatch, ManagementPeriod
from tests.excel import HEADERS, ledger_row, xlsx_bytes

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


def test_a_discarded_preview_can_no_longer_be_committed(world, client_for):
    client = client_for(world.staff_a)
    response = upload(client, xlsx_bytes([ledger_row("和平里街道", "交林社区", "放弃的小区")]))
    batch = batch_of(response)

    assert client.post(response.url, {"discard": "1"}).url == reverse("communities:import_upload")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED

    client.post(response.url, {"commit": "1"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED
    assert not Estate.objects.filter(name="放弃的小区").exists()


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


# --- Hostile files: refused fast, whatever the sheet declares --------------------------------------

LIMIT = 50  # rows; small, so the tests read little


def patched_sheet(content: bytes, change) -> bytes:
    """The same .xlsx with its first sheet's XML passed through `change`."""
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(info.filename, data)
    return out.getvalue()


def ledger_rows(count, prefix="小区"):
    return [ledger_row("和平里街道", "交林社区", f"{prefix}{n}") for n in range(count)]


def declaring_the_whole_sheet(content: bytes) -> bytes:
    return patched_sheet(
        content, lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
    )


def with_a_cell_at_xfd1048576(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "小区台账"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(header) for header in HEADERS])
    sheet["XFD1048576"] = "远处的一格"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bomb_of_blank_rows(megabytes: int, row: bytes = b"<row/>") -> bytes:
    """A small file whose sheet inflates to `megabytes` MB of blank rows."""
    blank = row * (megabytes * 1024 * 1024 // len(row))
    return patched_sheet(xlsx_bytes(ledger_rows(1)), lambda xml: xml.replace(b"</sheetData>", blank + b"</sheetData>"))


@pytest.fixture
def reads(monkeypatch, settings):
    """Counts what the importer asks openpyxl for: the rows openpyxl hands over
    and the widest row asked for. The row limit is LIMIT."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    settings.IMPORT_MAX_ROWS = LIMIT
    seen = {"rows": 0, "max_col": 0}
    original = ReadOnlyWorksheet._cells_by_row

    def counting(self, min_col, min_row, max_col, max_row, values_only=False):
        seen["max_col"] = max(seen["max_col"], max_col or 16384)
        for row in original(self, min_col, min_row, max_col, max_row, values_only):
            seen["rows"] += 1
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counting)
    return seen


def refused(response, message):
    batch = batch_of(response)
    assert batch.status == ImportBatch.Status.REJECTED
    assert message in batch.summary["file_error"], batch.summary
    assert batch.summary["create"] == batch.summary["update"] == 0
    return batch


def test_a_declared_range_of_a1_xfd1048576_is_ignored(world, client_for, reads):
    """The sheet says it is 16,384 columns by 1,048,576 rows; only what is there is read."""
    from communities.ledger_excel import IMPORT_MAX_COLUMNS

    response = upload(client_for(world.staff_a), declaring_the_whole_sheet(xlsx_bytes(ledger_rows(10))))
    batch = batch_of(response)
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.summary
    assert batch.summary["create"] == 10
    assert reads["max_col"] <= IMPORT_MAX_COLUMNS and reads["rows"] == 11


def test_a_cell_at_xfd1048576_is_refused_at_the_row_limit(world, client_for, reads):
    from communities.ledger_excel import HEADER_SEARCH_ROWS, IMPORT_MAX_COLUMNS
    from core.xlsx_import import FOOTER_ROWS

    before = Estate.objects.count()
    response = upload(client_for(world.staff_a), with_a_cell_at_xfd1048576(ledger_rows(10)))
    refused(response, f"文件超过 {LIMIT} 行")
    assert Estate.objects.count() == before
    # openpyxl fills in the million missing rows one by one: the reader stops at the first past the limit.
    assert reads["rows"] <= HEADER_SEARCH_ROWS + LIMIT + FOOTER_ROWS + 1
    assert reads["max_col"] <= IMPORT_MAX_COLUMNS


def test_a_long_run_of_blank_rows_is_refused_without_reading_on(world, client_for, settings, reads):
    """A million `<row r="n"/>` hardly compress, so they pass the zip checks; openpyxl
    parses each, so the reader stops at the first long run of blank rows."""
    settings.IMPORT_MAX_ROWS = 100_000
    settings.IMPORT_MAX_BLANK_ROWS = 100
    blank = b"".join(b'<row r="%d"/>' % number for number in range(12, 100_000))
    content = patched_sheet(
        xlsx_bytes(ledger_rows(10)),
        # no <dimension>: openpyxl would parse the whole sheet to size it when opening the file
        lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml).replace(b"</sheetData>", blank + b"</sheetData>"),
    )
    before = Estate.objects.count()
    refused(upload(client_for(world.staff_a), content), "第12行起连续超过100行为空")
    assert Estate.objects.count() == before
    assert reads["rows"] == 11 + 100 + 1
    # blank rows between the data are fine
    rows = ledger_rows(3) + [{}] * 50 + ledger_rows(3, prefix="后面的小区")
    batch = batch_of(upload(client_for(world.staff_a), xlsx_bytes(rows)))
    assert batch.status == ImportBatch.Status.PREVIEWED and batch.summary["create"] == 6


def test_rows_of_thousands_of_cells_are_refused_as_openpyxl_reads_them(world, client_for, reads):
    """openpyxl parses every cell of a row, however few columns it is asked for;
    100 rows of 16,384 cells (4 MB zipped) took 44 s. The sheet's XML is metered."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(column).encode() for column in range(1, 16385)]
    wide = b"".join(
        b'<row r="%d">' % row + b"".join(b'<c r="%s%d"><v>1</v></c>' % (letter, row) for letter in letters) + b"</row>"
        for row in range(12, 22)
    )
    content = patched_sheet(
        xlsx_bytes(ledger_rows(10)), lambda xml: xml.replace(b"</sheetData>", wide + b"</sheetData>")
    )
    before = Estate.objects.count()
    refused(upload(client_for(world.staff_a), content), "数据异常庞大（平均每行超过64 KB）")
    assert Estate.objects.count() == before
    assert reads["rows"] <= 11 + 3  # the ten rows, the header, and a few of the wide ones


def test_more_rows_than_the_limit_are_refused_and_none_saved(world, client_for, reads):
    before = Estate.objects.count()
    refused(upload(client_for(world.staff_a), xlsx_bytes(ledger_rows(LIMIT + 1))), f"文件超过 {LIMIT} 行")
    assert Estate.objects.count() == before
    assert reads["rows"] == 1 + LIMIT + 1  # header, the limit, the first row past it
    # one row fewer is fine
    batch = batch_of(upload(client_for(world.staff_a), xlsx_bytes(ledger_rows(LIMIT))))
    assert batch.status == ImportBatch.Status.PREVIEWED and batch.summary["create"] == LIMIT


def test_a_zip_bomb_is_refused_before_openpyxl_reads_it(world, client_for, monkeypatch):
    import core.xlsx_import

    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not open a zip bomb")

    monkeypatch.setattr(core.xlsx_import, "load_workbook", never)
    content = bomb_of_blank_rows(20)
    assert len(content) < 200 * 1024  # 20 MB of blank rows in a small upload
    refused(upload(client_for(world.staff_a), content), "疑似“压缩炸弹”")


def test_a_sheet_or_archive_past_the_size_limits_is_refused(world, client_for, settings, reads):
    content = bomb_of_blank_rows(2, row=b'<row r="1"/>')  # compresses less than a bomb, but is still 2 MB
    settings.IMPORT_MAX_MEMBER_BYTES = 1024 * 1024
    refused(upload(client_for(world.staff_a), content), "xl/worksheets/sheet1.xml 超过 1 MB")
    settings.IMPORT_MAX_MEMBER_BYTES = 100 * 1024 * 1024
    settings.IMPORT_MAX_UNZIPPED_BYTES = 1024 * 1024
    refused(upload(client_for(world.staff_a), content), "超过 1 MB")
    assert reads["rows"] == 0


def test_a_normal_file_still_imports_after_hostile_ones(world, client_for, reads):
    client = client_for(world.staff_a)
    refused(upload(client, with_a_cell_at_xfd1048576(ledger_rows(3))), "文件超过")
    response = upload(client, xlsx_bytes(ledger_rows(3, prefix="新小区")))
    batch = batch_of(response)
    assert batch.status == ImportBatch.Status.PREVIEWED
    client.post(response.url, {"commit": "1"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED, batch.summary
    assert Estate.objects.filter(name__startswith="新小区").count() == 3


HOUSEHOLD_HEADERS = ["楼号", "单元", "房号", "专有部分面积（㎡）", "业主姓名"]


def household_file(content: bytes):
    return SimpleUploadedFile("户籍.xlsx", content)


def test_household_import_refuses_hostile_files_too(world, reads):
    from openpyxl import Workbook

    from communities import services
    from communities.household_excel import MAX_COLUMNS
    from communities.models import Household

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HOUSEHOLD_HEADERS)
    for room in range(10):
        sheet.append(["1号楼", "1单元", f"{room + 101}", 56.3, "张三"])
    sheet["XFD1048576"] = "远处的一格"
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = services.preview_household_import(
        user=world.staff_a, estate_id=world.estate_a1.pk, upload=household_file(buffer.getvalue())
    )
    assert batch.status == ImportBatch.Status.REJECTED
    assert f"文件超过 {LIMIT} 行" in batch.summary["file_error"]
    assert reads["max_col"] <= MAX_COLUMNS and reads["rows"] <= 10 + LIMIT + 20 + 1
    batch = services.preview_household_import(
        user=world.staff_a, estate_id=world.estate_a1.pk, upload=household_file(bomb_of_blank_rows(20))
    )
    assert batch.status == ImportBatch.Status.REJECTED and "压缩炸弹" in batch.summary["file_error"]
    assert not Household.objects.exists()


def with_shared_strings(count: int, *, cell_uses: int | None = None) -> bytes:
    """A ledger of one row plus a shared string table of `count` strings (as Excel
    writes them); with `cell_uses`, a row whose cell uses that string."""
    import zipfile

    table = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    table += b"".join(b"<si><t>%d</t></si>" % n for n in range(count)) + b"</sst>"
    source, out = zipfile.ZipFile(io.BytesIO(xlsx_bytes(ledger_rows(1)))), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas.'
                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
                )
            elif info.filename == "xl/worksheets/sheet1.xml" and cell_uses is not None:
                data = data.replace(
                    b"</sheetData>", b'<row r="9"><c r="C9" t="s"><v>%d</v></c></row></sheetData>' % cell_uses
                )
            target.writestr(info.filename, data)
        target.writestr("xl/sharedStrings.xml", table)
    return out.getvalue()


@pytest.fixture
def strings_read(monkeypatch):
    from core.xlsx_import import _LazyStrings

    seen = {"strings": 0}
    original = _LazyStrings._next

    def counting(self):
        seen["strings"] += 1
        return original(self)

    monkeypatch.setattr(_LazyStrings, "_next", counting)
    return seen


def test_shared_strings_no_cell_uses_are_never_read(world, client_for, strings_read):
    """openpyxl reads the whole table before the first row: a million strings
    (2.6 MB zipped) took 40 s. They are read as the cells need them."""
    batch = batch_of(upload(client_for(world.staff_a), with_shared_strings(50_000, cell_uses=7)))
    assert batch.status == ImportBatch.Status.REJECTED  # row 9 has a name, "7", but no street or year
    assert not batch.summary["file_error"] and any(error["row"] == 9 for error in batch.errors)
    assert strings_read["strings"] == 8


def test_a_cell_using_a_string_far_down_the_table_is_refused(world, client_for, strings_read):
    from core.xlsx_import import IMPORT_STRINGS_SLACK

    refused(upload(client_for(world.staff_a), with_shared_strings(50_000, cell_uses=49_999)), "共享字符串")
    assert strings_read["strings"] < IMPORT_STRINGS_SLACK + 1000
    # a string past the end of the table: refused, not a server error
    refused(upload(client_for(world.staff_a), with_shared_strings(5, cell_uses=50)), "无法读取该文件")


def test_rows_at_every_maximum_length_import(world, client_for):
    from communities.ledger_excel import IMPORT_COLUMNS

    longest = {c.header: "长" * c.max_length for c in IMPORT_COLUMNS if c.max_length and c.field != "name"}
    rows = [ledger_row("和平里街道", "交林社区", f"{n}号".ljust(100, "名"), **longest) for n in range(30)]
    batch = batch_of(upload(client_for(world.staff_a), xlsx_bytes(rows)))
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.summary
    assert batch.summary["create"] == 30


def test_a_file_with_a_bloated_stylesheet_is_refused_before_it_is_parsed(world, client_for, settings):
    """openpyxl parses styles.xml whole when it opens a file: 500,000 cell
    formats (a 441 KB upload) took 46 s."""
    import zipfile

    formats = b"".join(b'<xf numFmtId="%d" fontId="0" fillId="0" borderId="0"/>' % (n % 200) for n in range(30_000))
    source, out = zipfile.ZipFile(io.BytesIO(xlsx_bytes(ledger_rows(1)))), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/styles.xml":
                data = re.sub(rb'<cellXfs count="\d+">', b'<cellXfs count="30001">' + formats, data)
            target.writestr(info.filename, data)
    refused(upload(client_for(world.staff_a), out.getvalue()), "“xl/styles.xml”异常庞大")
