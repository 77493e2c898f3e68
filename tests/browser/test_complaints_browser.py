"""A resident on a phone-sized screen files a complaint with a photo, then
follows it with the tracking number, the phone and a code sent by SMS, in real
chromium."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from complaints.models import Category, Complaint, Photo
from tests.complaints.conftest import jpeg_bytes

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def estates(transactional_db, live_server, world):
    """The shared world, committed for the live server; the flush of a
    transactional test removes the seeded categories, so add one back."""
    cache.clear()
    Category.objects.get_or_create(
        code="common_area", defaults={"name": "占用公共部位", "accept_days": 1, "resolve_days": 13}
    )
    return world


def test_resident_files_with_a_photo_on_a_phone_and_follows_by_number(
    page: Page, live_server, estates, tmp_path, sms_outbox
):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/complaints/file/")
    expect(page.get_by_role("heading", name="物业投诉", level=1)).to_be_visible()

    page.get_by_label("问题类别").select_option(label="占用公共部位")
    estate = page.get_by_label("小区名称")
    estate.fill("和平里")
    # The suggestions come from the JSON endpoint; picking the name sets the estate id.
    expect(page.locator("#estate-options option")).to_have_count(1)
    estate.fill("和平里七区")
    expect(page.locator("#id_estate_id")).to_have_value(str(estates.estate_a1.pk))
    page.get_by_label("楼栋/单元/门牌").fill("3号楼2单元")
    page.get_by_label("问题描述").fill("一楼楼道堆满纸箱，消防通道被堵。")
    photo = tmp_path / "楼道.jpg"
    photo.write_bytes(jpeg_bytes(size=(800, 600)))
    page.get_by_label("照片（最多3张，JPG/PNG/WebP）").set_input_files(str(photo))
    page.get_by_role("textbox", name=re.compile("^姓名")).fill("李秀英")
    page.get_by_role("textbox", name=re.compile("^手机号码")).fill("138 1234 5678")
    consent = page.get_by_label(re.compile("我同意街道办事处"))
    consent.check()

    # Nothing is wider than the phone's screen; the submit button is a large target.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    submit = page.get_by_role("button", name="提交投诉")
    box = submit.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300
    submit.click()

    number = page.get_by_test_id("case-number")
    expect(number).to_have_text(re.compile(r"^TS-\d{8}-\d{6}$"))
    tracking = number.inner_text()
    case = Complaint.objects.get(number=tracking)
    assert Photo.objects.filter(complaint=case).count() == 1
    expect(page.get_by_role("img", name="照片 1")).to_be_visible()

    # Later, on another phone: number + phone number show the status; the
    # words need a one-time code sent by SMS to the phone on the case.
    other = page.context.browser.new_context(viewport=PHONE, locale="zh-CN")
    try:
        later = other.new_page()
        later.goto(f"{live_server.url}/complaints/track/")
        later.get_by_label("工单号").fill(tracking)
        later.get_by_label("手机号码").fill("13812345678")
        later.get_by_role("button", name="查询").click()
        expect(later.get_by_test_id("case-status")).to_have_text("待受理")
        expect(later.locator("#main")).not_to_contain_text("一楼楼道堆满纸箱")
        expect(later.locator("#main")).not_to_contain_text("13812345678")
        later.get_by_role("button", name="获取短信验证码").click()
        expect(later.locator("#main")).to_contain_text("验证码已通过短信发送")
        code = re.search(r"验证码(\d{6})", sms_outbox[-1][1]).group(1)
        later.get_by_label("短信验证码").fill(code)
        later.get_by_role("button", name="验证并查看").click()
        expect(later.locator("#main")).to_contain_text("一楼楼道堆满纸箱")

        # A wrong phone number shows nothing of the case.
        later.goto(f"{live_server.url}/complaints/track/")
        later.get_by_label("工单号").fill(tracking)
        later.get_by_label("手机号码").fill("13900000000")
        later.get_by_role("button", name="查询").click()
        expect(later.locator("#main")).to_contain_text("工单号与手机号码不匹配")
        expect(later.locator("#main")).not_to_contain_text("一楼楼道堆满纸箱")
    finally:
        other.close()
