"""The finish of the case page and the public form (issue 15): what a clerk and a
resident notice — styled and labelled selects, a rating with its meaning, an answer
that says what was done, status colours, date pickers, photos kept across the
duplicate offer."""

import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from lxml import html

from complaints import services
from complaints.models import Complaint, Photo, Status
from tests.complaints.conftest import jpeg_bytes
from tests.complaints.test_public import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits(settings):
    from django.core.cache import cache

    settings.COMPLAINT_CHALLENGE_AFTER = 100
    cache.clear()
    yield
    cache.clear()


def test_case_page_selects_are_styled_and_labelled(world, file_case, client_for):
    case = file_case()
    services.accept(user=world.staff_a, complaint_id=case.pk)
    services.assign(user=world.staff_a, complaint_id=case.pk, community=world.community_a1)
    page = html.fromstring(client_for(world.staff_a).get(f"/complaints/{case.pk}/").content)
    for name in ("mediation_type", "level"):
        select = page.xpath(f"//select[@name='{name}']")[0]
        assert "form-select" in select.get("class")
        assert page.xpath(f"//label[@for='{select.get('id')}']"), name


def test_return_visit_shows_the_rating_with_its_meaning(world, file_case, client_for):
    case = file_case()
    services.accept(user=world.staff_a, complaint_id=case.pk)
    services.assign(user=world.staff_a, complaint_id=case.pk, community=world.community_a1)
    services.resolve(user=world.staff_a, complaint_id=case.pk, outcome="清理", reply="已清理")
    client = client_for(world.staff_a)
    page = html.fromstring(client.get(f"/complaints/{case.pk}/").content)
    select = page.xpath("//select[@name='rating']")[0]
    assert "form-select" in select.get("class")
    assert [o.text for o in select.xpath("option")][0] == "5 非常满意"
    done = client.post(f"/complaints/{case.pk}/do/return_visit/", {"rating": "5", "note": "已回访"}, follow=True)
    shown = html.fromstring(done.content).xpath("//dd[@data-testid='return-visit']")[0].text_content()
    assert "5分（非常满意，满分5分）" in shown


@pytest.mark.parametrize(
    ("action", "post", "answer"),
    [
        ("accept", {}, "已受理。"),
        ("escalate", {"level": "street", "note": "多部门"}, "已提交联席会议。"),
        ("note", {"note": "已电话联系"}, "已添加备注。"),
    ],
)
def test_each_action_says_what_was_done(world, file_case, client_for, action, post, answer):
    case = file_case()
    if action != "accept":
        services.accept(user=world.staff_a, complaint_id=case.pk)
    done = client_for(world.staff_a).post(f"/complaints/{case.pk}/do/{action}/", post, follow=True)
    body = done.content.decode()
    assert answer in body and "已保存。" not in body


def test_statuses_have_a_colour_per_family(world, file_case, client_for):
    waiting = file_case()
    working = file_case(phone="13900002222")
    services.accept(user=world.staff_a, complaint_id=working.pk)
    client = client_for(world.staff_a)

    def badge(case):
        page = html.fromstring(client.get(f"/complaints/{case.pk}/").content)
        return page.xpath("//span[@data-testid='status-badge']")[0].get("class")

    assert "text-bg-warning" in badge(waiting)
    assert "text-bg-primary" in badge(working)
    listing = client.get("/complaints/").content.decode()
    assert "text-bg-warning" in listing and "text-bg-primary" in listing


def test_received_date_filters_are_date_pickers(world, client_for):
    page = html.fromstring(client_for(world.staff_a).get("/complaints/").content)
    for name in ("received_after", "received_before"):
        assert page.xpath(f"//input[@name='{name}']")[0].get("type") == "date"


def test_consent_box_sits_in_a_row_with_its_label(db):
    page = html.fromstring(Client().get("/complaints/file/").content)
    row = page.xpath("//div[contains(@class, 'consent-row')]")[0]
    assert row.xpath("input[@id='id_consent']") and row.xpath("label[@for='id_consent']")


def _photo(name="IMG_0001.JPG"):
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def test_photo_chosen_before_the_duplicate_offer_is_kept(world, category):
    client = Client()
    client.post("/complaints/file/", form_data(world, category))
    first = Complaint.objects.get()
    again = form_data(world, category, description="又堵上了")
    offer = client.post("/complaints/file/", {**again, "photos": [_photo()]})
    assert offer.status_code == 200
    page = html.fromstring(offer.content)
    assert "1 张照片已保留" in page.xpath("//*[@data-testid='held-photos']")[0].text_content()
    token = page.xpath("//input[@name='held_photos']")[0].get("value")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)
    # The resident answers without choosing the photo again.
    added = client.post(
        "/complaints/file/",
        {**form_data(world, category, description="又堵上了"), "held_photos": token, "on_duplicate": "add"},
    )
    assert added.status_code == 302
    assert Photo.objects.filter(complaint=first).count() == 1
    assert services.held_photos(token) == []  # released once saved with the case


def test_held_photos_go_with_a_new_case_too(world, category):
    client = Client()
    client.post("/complaints/file/", form_data(world, category))
    offer = client.post("/complaints/file/", {**form_data(world, category, description="另一件"), "photos": [_photo()]})
    token = html.fromstring(offer.content).xpath("//input[@name='held_photos']")[0].get("value")
    client.post(
        "/complaints/file/",
        {**form_data(world, category, description="另一件"), "held_photos": token, "on_duplicate": "new"},
    )
    newest = Complaint.objects.order_by("-id").first()
    assert newest.description == "另一件" and newest.photos.count() == 1 and newest.status == Status.SUBMITTED


@pytest.mark.parametrize("token", ["../../etc/passwd", "x" * 31, "", "a/b" + "c" * 29])
def test_a_forged_held_photo_token_finds_nothing(db, token):
    assert services.held_photos(token) == []


def test_unused_held_photos_are_purged_after_a_day(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # only this test's held photos
    from datetime import timedelta

    from django.utils import timezone

    token = services.hold_photos([_photo()])
    assert len(services.held_photos(token)) == 1
    assert services.purge_held_photos(now=timezone.now()) == 0
    assert services.purge_held_photos(now=timezone.now() + timedelta(days=2)) == 1
    assert services.held_photos(token) == []
    assert not default_storage.exists(f"complaints/held/{token}")
