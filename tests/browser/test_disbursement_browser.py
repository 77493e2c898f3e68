"""A district official pays subsidies in a real browser: release the batch, download
the payment instruction, import the bank's return file with one line returned,
correct the payee, and see the returned line reissued in the next batch."""

import io

import pytest
from django.core.cache import cache
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from propertymgmt import services
from propertymgmt.models import BatchLine, DisbursementBatch
from tests.browser.test_ledger_browser import log_in
from tests.propertymgmt.conftest import CompanyFactory, rules  # noqa: F401  (fixture)
from tests.propertymgmt.test_disbursement import ACCOUNT, TODAY, _payment, _return_file

pytestmark = pytest.mark.browser


@pytest.fixture
def batch(transactional_db, live_server, world, rules):  # noqa: F811
    """Two approved payments (和平里七区, 板厂南里) to one company with a payee record,
    gathered into a draft batch as the beat task does; committed for the live server."""
    from tests.propertymgmt.conftest import ContractFactory

    cache.clear()
    company = CompanyFactory(district=world.district, name="安居物业服务有限公司")
    ContractFactory(estate=world.estate_a1, company=company)
    ContractFactory(estate=world.estate_b1, company=company)
    services.save_payee(
        user=world.official,
        data={"account_name": "安居物业服务有限公司", "bank": "中国工商银行", "branch": "", "account_number": ACCOUNT},
        body="company",
        target_id=company.pk,
    )
    _payment(world, world.estate_a1, "210.00")
    _payment(world, world.estate_b1, "1234.56")
    return services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]


def test_official_releases_downloads_settles_from_the_return_file_and_the_return_is_reissued(
    page: Page, live_server, world, batch
):
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live_server, world.official)
    page.goto(f"{live_server.url}/property/disbursement/")
    page.get_by_role("link", name=batch.number).click()
    expect(page.locator("#batch-status")).to_have_text("待发布")
    expect(page.locator("#batch-total")).to_contain_text("1,444.56")
    # Lists show the account masked, even to the official.
    expect(page.locator("#lines")).to_contain_text("6222 **** **** 1234")
    page.get_by_role("button", name="核对无误，发布批次").click()
    expect(page.locator("#batch-status")).to_have_text("已发布")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载拨付指令").click()
    with open(download_info.value.path(), "rb") as handle:  # a temporary file without a suffix
        instruction = load_workbook(io.BytesIO(handle.read()))
    rows = [r for r in instruction.active.iter_rows(values_only=True) if r[1] and str(r[1]).isdigit()]
    assert {r[4] for r in rows} == {ACCOUNT}
    by_estate = {line.payment.estate_id: str(line.pk) for line in BatchLine.objects.select_related("payment")}
    returned = _return_file(
        instruction,
        {by_estate[world.estate_a1.pk]: ("已支付", ""), by_estate[world.estate_b1.pk]: ("已退回", "账户已销户")},
    )

    page.get_by_role("link", name="导入回单").click()
    page.get_by_label("回单文件（.xlsx）").set_input_files(
        files=[{"name": "回单.xlsx", "mimeType": "application/octet-stream", "buffer": returned.getvalue()}]
    )
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("#preview")).to_contain_text("1,234.56")
    page.get_by_role("button", name="确认登记").click()
    expect(page.locator("#main .alert-success")).to_contain_text("支付 1 笔，退回 1 笔")
    expect(page.locator(f"#line-{by_estate[world.estate_b1.pk]}")).to_contain_text("账户已销户")

    # The payee is corrected; the next day's beat run reissues the returned line once.
    page.goto(f"{live_server.url}/property/payees/")
    page.get_by_role("link", name="安居物业服务有限公司").click()
    page.get_by_role("link", name="修改").click()
    page.get_by_label("账号", exact=True).fill("9558 8012 3456 7890")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#account")).to_contain_text("9558 **** **** 7890")
    services.build_batches()
    reissue = DisbursementBatch.objects.exclude(pk=batch.pk).get()
    page.goto(f"{live_server.url}/property/disbursement/{reissue.pk}/")
    expect(page.locator("#lines")).to_contain_text("重发")
    expect(page.locator("#lines")).to_contain_text("9558 **** **** 7890")
    expect(page.locator("#batch-total")).to_contain_text("1,234.56")
