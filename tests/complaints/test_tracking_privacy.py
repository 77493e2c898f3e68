"""Issue 11 part 1: a phone number never opens a resident's case.

The attack: a second visitor files the public form with the same phone,
category and estate as an earlier resident, or tracks a guessed number with a
phone, hoping to read the case. Each of the resident's own paths (the secret
link, tracking + a one-time code by SMS) still shows everything."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, Notification, Photo, TrackingCode
from tests.complaints.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db

VICTIM_PHONE = "13812345678"
SECRET_WORDS = "我家3号楼502漏水，物业经理王某说不管"
SECRET_REPLY = "已约维修师傅周三上门"


@pytest.fixture(autouse=True)
def fresh_limits(settings):
    settings.COMPLAINT_CHALLENGE_AFTER = 100
    cache.clear()
    yield
    cache.clear()


def form_data(world, category, **overrides):
    data = {
        "category": category.pk,
        "estate_name": world.estate_a1.name,
        "estate_id": world.estate_a1.pk,
        "description": SECRET_WORDS,
        "reporter_name": "李秀英",
        "reporter_phone": VICTIM_PHONE,
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def reveals(body: str, case: Complaint) -> list[str]:
    """What of the case a page shows that it must not."""
    leaks = {
        "number": case.number,
        "token": case.access_token,
        "link": "/complaints/t/",
        "description": SECRET_WORDS,
        "reply": SECRET_REPLY,
        "photo": "/photos/",
    }
    return [name for name, text in leaks.items() if text in body]


@pytest.fixture
def victims_case(world, category):
    photo = SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = Client(REMOTE_ADDR="10.0.0.1").post("/complaints/file/", {**form_data(world, category), "photos": photo})
    assert response.status_code == 302
    return Complaint.objects.get()


def test_duplicate_offer_to_a_second_visitor_reveals_nothing_of_the_case(world, category, victims_case):
    intruder = Client(REMOTE_ADDR="10.6.6.6")
    offer = intruder.post("/complaints/file/", form_data(world, category, description="想看看他写了什么"))
    assert offer.status_code == 200
    assert "补充到此前的工单" in offer.content.decode()
    assert reveals(offer.content.decode(), victims_case) == []


def test_adding_to_the_case_sends_its_link_to_the_phone_on_the_case_only(
    world, category, victims_case, sms_outbox, django_capture_on_commit_callbacks
):
    intruder = Client(REMOTE_ADDR="10.6.6.6")
    photo = SimpleUploadedFile("b.jpg", jpeg_bytes(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=False):
        added = intruder.post(
            "/complaints/file/",
            {**form_data(world, category, description="楼下也漏了"), "photos": photo, "on_duplicate": "add"},
        )
    assert added.status_code == 302
    assert added["Location"] == "/complaints/file/added/"  # never the case's link
    page = intruder.get(added["Location"])
    body = page.content.decode()
    assert "已补充到您此前提交的工单，查看链接已通过短信发送到该手机号码" in body
    assert reveals(body, victims_case) == []
    # The words and the photo went into the case.
    assert victims_case.steps.filter(action="supplement", note="楼下也漏了").exists()
    assert Photo.objects.filter(complaint=victims_case).count() == 2
    # The link goes by SMS to the phone on the case, once.
    link = Notification.objects.get(complaint=victims_case, kind=Notification.Kind.LINK)
    assert link.recipient == VICTIM_PHONE
    sms_outbox.clear()
    services.deliver_pending()
    services.deliver_pending()
    sent = [(to, text) for to, text in sms_outbox if victims_case.access_token in text]
    assert len(sent) == 1
    assert sent[0][0] == VICTIM_PHONE and f"/complaints/t/{victims_case.access_token}/" in sent[0][1]


def test_track_by_number_and_phone_shows_status_and_dates_only(world, victims_case):
    services.accept(user=world.staff_a, complaint_id=victims_case.pk)
    services.assign(user=world.staff_a, complaint_id=victims_case.pk, community=world.community_a1)
    services.add_note(user=world.staff_a, complaint_id=victims_case.pk, note="物业已回复", public=True)
    services.resolve(user=world.staff_a, complaint_id=victims_case.pk, outcome="x", reply=SECRET_REPLY)
    response = Client(REMOTE_ADDR="10.6.6.6").post(
        "/complaints/track/", {"number": victims_case.number, "phone": VICTIM_PHONE}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert victims_case.number in body and victims_case.category.name in body and "已办结" in body
    assert [leak for leak in reveals(body, victims_case) if leak != "number"] == []
    assert "物业已回复" not in body  # public steps' text needs the link too
    assert "提交评价" not in body and 'name="satisfaction"' not in body and 'name="text"' not in body


def test_secret_link_shows_everything(world, victims_case):
    services.accept(user=world.staff_a, complaint_id=victims_case.pk)
    services.assign(user=world.staff_a, complaint_id=victims_case.pk, community=world.community_a1)
    services.resolve(user=world.staff_a, complaint_id=victims_case.pk, outcome="x", reply=SECRET_REPLY)
    body = Client().get(f"/complaints/t/{victims_case.access_token}/").content.decode()
    assert SECRET_WORDS in body and SECRET_REPLY in body and "/photos/" in body and "提交评价" in body


def _code_from(sms_outbox) -> str:
    texts = [text for to, text in sms_outbox if to == VICTIM_PHONE and "验证码" in text]
    return re.search(r"验证码(\d{6})", texts[-1]).group(1)


def _track(client, case, **extra):
    return client.post("/complaints/track/", {"number": case.number, "phone": VICTIM_PHONE, **extra})


def test_track_then_one_time_code_opens_the_case(world, victims_case, sms_outbox):
    client = Client()
    sent = _track(client, victims_case, step="send_code")
    assert sent.status_code == 200 and "验证码已通过短信发送" in sent.content.decode()
    code = _code_from(sms_outbox)
    stored = TrackingCode.objects.get(complaint=victims_case)
    assert code not in stored.code_hash  # only a hash is kept
    assert not Notification.objects.filter(text__contains=code).exists()
    verified = _track(client, victims_case, step="verify", code=code)
    assert verified.status_code == 302
    assert verified["Location"] == f"/complaints/t/{victims_case.access_token}/"
    assert SECRET_WORDS in client.get(verified["Location"]).content.decode()
    # A code works once.
    again = _track(client, victims_case, step="verify", code=code)
    assert again.status_code == 400 and "验证码已失效" in again.content.decode()


def test_a_code_sent_for_a_wrong_pair_is_never_sent(world, victims_case, sms_outbox):
    sms_outbox.clear()
    response = Client().post(
        "/complaints/track/", {"number": victims_case.number, "phone": "13900000000", "step": "send_code"}
    )
    assert response.status_code == 400 and sms_outbox == []
    assert not TrackingCode.objects.exists()


def test_five_wrong_codes_void_the_code(world, victims_case, sms_outbox):
    client = Client()
    _track(client, victims_case, step="send_code")
    code = _code_from(sms_outbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        response = _track(client, victims_case, step="verify", code=wrong)
        assert response.status_code == 400 and f"还可以再试{left}次" in response.content.decode()
    fifth = _track(client, victims_case, step="verify", code=wrong)
    assert "错误次数过多" in fifth.content.decode()
    right_too_late = _track(client, victims_case, step="verify", code=code)
    assert right_too_late.status_code == 400 and "验证码已失效" in right_too_late.content.decode()
    assert TrackingCode.objects.get().attempts == 5


def test_an_expired_code_is_refused(world, victims_case, sms_outbox):
    client = Client()
    _track(client, victims_case, step="send_code")
    code = _code_from(sms_outbox)
    past = timezone.now() - timedelta(minutes=11)
    TrackingCode.objects.update(created_at=past, expires_at=past + timedelta(minutes=10))
    response = _track(client, victims_case, step="verify", code=code)
    assert response.status_code == 400 and "验证码已失效" in response.content.decode()


def test_codes_are_sent_at_most_once_a_minute_and_five_an_hour(world, victims_case, sms_outbox):
    client = Client()
    assert "验证码已通过短信发送" in _track(client, victims_case, step="send_code").content.decode()
    too_soon = _track(client, victims_case, step="send_code")
    assert "1分钟后" in too_soon.content.decode()
    for _n in range(4):
        TrackingCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))  # moved back in time
        assert "验证码已通过短信发送" in _track(client, victims_case, step="send_code").content.decode()
    TrackingCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    assert "次数过多" in _track(client, victims_case, step="send_code").content.decode()
    assert len([1 for to, text in sms_outbox if "验证码" in text]) == 5
    assert TrackingCode.objects.filter(spent_at__isnull=True).count() == 1


def test_non_ascii_digits_are_not_a_code(world, victims_case, sms_outbox):
    client = Client()
    _track(client, victims_case, step="send_code")
    arabic = _code_from(sms_outbox).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = _track(client, victims_case, step="verify", code=arabic)
    assert response.status_code == 400 and "6位数字" in response.content.decode()
