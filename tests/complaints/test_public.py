import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from complaints.models import Complaint, Notification, Photo, Status
from tests.complaints.conftest import jpeg_bytes
from tests.conftest import queries_exactly

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits(settings):
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def form_data(world, category, **overrides):
    data = {
        "category": category.pk,
        "estate_name": world.estate_a1.name,
        "estate_id": world.estate_a1.pk,
        "building_unit": "3号楼2单元",
        "description": "楼道堆满杂物，消防通道被堵",
        "reporter_name": "李秀英",
        "reporter_phone": "138 1234 5678",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def test_resident_files_with_photo_and_gets_number_and_link(world, category, settings):
    photo = SimpleUploadedFile("IMG_0001.JPG", jpeg_bytes(), content_type="image/jpeg")
    response = Client().post("/complaints/file/", {**form_data(world, category), "photos": [photo]})
    assert response.status_code == 302
    case = Complaint.objects.get()
    assert response["Location"] == f"/complaints/t/{case.access_token}/?new=1"
    assert case.reporter_phone == "13812345678"
    assert case.street == world.street_a and case.community == world.community_a1
    assert case.consent_at is not None
    page = Client().get(response["Location"])
    assert case.number in page.content.decode()
    stored = Photo.objects.get(complaint=case)
    with Image.open(stored.file.path) as image:
        assert image.format == "JPEG"
        assert not image.getexif()  # the phone's make/model (and GPS) are gone


def test_typed_address_needs_a_street(world, category):
    data = form_data(world, category, estate_name="找不到的小区", estate_id="", address="")
    response = Client().post("/complaints/file/", data)
    assert response.status_code == 400
    assert "请选择所在街道" in response.content.decode() or "所在街道" in response.content.decode()
    data.update(address="和平里北街5号院", street=world.street_b.pk)
    assert Client().post("/complaints/file/", data).status_code == 302
    case = Complaint.objects.get()
    assert case.estate is None and case.street == world.street_b


def test_typed_address_is_filed_under_the_chosen_streets_district(world, category):
    from org.models import District
    from tests.factories import StreetFactory

    west = District.objects.get(code="110102")
    assert District.objects.order_by("id").first() != west  # not simply the first district
    street = StreetFactory(district=west, name="新街口街道", code="110102099")
    data = form_data(world, category, estate_name="", estate_id="", address="德胜门外大街3号院", street=street.pk)
    assert Client().post("/complaints/file/", data).status_code == 302
    case = Complaint.objects.get()
    assert case.estate is None and case.street == street and case.district == west


def test_filing_a_typed_address_without_a_street_asks_for_the_street(world, category):
    from django.core.exceptions import ValidationError

    from complaints import services

    filing = services.Filing(
        category=category,
        description="路灯不亮",
        reporter_name="王大爷",
        reporter_phone="13812345678",
        address="和平里北街5号院",
        consent=True,
    )
    with pytest.raises(ValidationError) as refused:
        services.file_complaint(filing=filing)
    assert refused.value.message_dict["street"] == ["填写地址时，请选择所在街道。"]
    assert not Complaint.objects.exists()


def test_invalid_mobile_and_missing_consent_are_named(world, category):
    response = Client().post("/complaints/file/", form_data(world, category, reporter_phone="1234", consent=""))
    body = response.content.decode()
    assert response.status_code == 400
    assert "请输入11位中国大陆手机号码" in body and "请阅读并同意" in body
    assert not Complaint.objects.exists()


def test_a_pdf_renamed_jpg_is_refused(world, category):
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = Client().post("/complaints/file/", {**form_data(world, category), "photos": [fake]})
    assert response.status_code == 400
    assert "无法识别照片" in response.content.decode()
    assert not Complaint.objects.exists()


def test_honeypot_saves_nothing(world, category):
    response = Client().post("/complaints/file/", form_data(world, category, website="http://spam.example"))
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_per_phone_rate_limit_answers_429_in_chinese(world, category, settings):
    settings.COMPLAINT_RATE_PER_PHONE_DAY = 2
    settings.COMPLAINT_CHALLENGE_AFTER = 100
    client = Client()
    for n in range(2):
        data = form_data(
            world,
            category,
            description=f"问题{n}",
            estate_id=world.estate_a2.pk if n else world.estate_a1.pk,
            estate_name=world.estate_a2.name if n else world.estate_a1.name,
        )
        assert client.post("/complaints/file/", data).status_code == 302
    response = client.post(
        "/complaints/file/", form_data(world, category, estate_id=world.estate_b1.pk, estate_name=world.estate_b1.name)
    )
    assert response.status_code == 429
    assert "请稍后再试" in response.content.decode()
    assert Complaint.objects.count() == 2


def test_per_ip_rate_limit_answers_429(world, category, settings):
    settings.COMPLAINT_RATE_PER_IP_HOUR = 1
    settings.COMPLAINT_CHALLENGE_AFTER = 100
    client = Client(REMOTE_ADDR="10.1.2.3")
    assert client.post("/complaints/file/", form_data(world, category)).status_code == 302
    response = client.post("/complaints/file/", form_data(world, category, reporter_phone="13900001234"))
    assert response.status_code == 429
    # another address is not affected
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert other.post("/complaints/file/", form_data(world, category, reporter_phone="13900001234")).status_code == 302


def test_arithmetic_challenge_after_repeated_submissions(world, category, settings):
    from django.core import signing

    settings.COMPLAINT_CHALLENGE_AFTER = 1
    client = Client()
    assert client.post("/complaints/file/", form_data(world, category)).status_code == 302
    page = client.get("/complaints/file/")
    assert "加" in page.content.decode() and "等于几" in page.content.decode()
    data = form_data(
        world, category, reporter_phone="13900005678", estate_id=world.estate_a2.pk, estate_name=world.estate_a2.name
    )
    token = page.context["form"].initial["challenge_token"]
    answer = signing.loads(token, salt="complaints.challenge")["sum"]
    wrong = client.post("/complaints/file/", {**data, "challenge_token": token, "challenge_answer": str(answer + 1)})
    assert wrong.status_code == 400 and Complaint.objects.count() == 1
    right = client.post("/complaints/file/", {**data, "challenge_token": token, "challenge_answer": str(answer)})
    assert right.status_code == 302 and Complaint.objects.count() == 2


def test_duplicate_within_a_day_offers_to_add_to_the_open_case(world, category, settings):
    settings.COMPLAINT_CHALLENGE_AFTER = 100
    client = Client()
    client.post("/complaints/file/", form_data(world, category))
    first = Complaint.objects.get()
    offer = client.post("/complaints/file/", form_data(world, category, description="又堵上了"))
    assert offer.status_code == 200
    assert "补充到此前的工单" in offer.content.decode()
    assert Complaint.objects.count() == 1
    added = client.post(
        "/complaints/file/", {**form_data(world, category, description="又堵上了"), "on_duplicate": "add"}
    )
    assert added.status_code == 302 and added["Location"] == "/complaints/file/added/"
    assert Complaint.objects.count() == 1
    assert first.steps.filter(action="supplement", note="又堵上了", public=True).exists()
    new = client.post(
        "/complaints/file/", {**form_data(world, category, description="另一件事"), "on_duplicate": "new"}
    )
    assert new.status_code == 302 and Complaint.objects.count() == 2


def test_resident_sees_public_steps_and_reply_never_staff_notes(world, file_case):
    from complaints import services

    case = file_case()
    services.accept(user=world.staff_a, complaint_id=case.pk)
    services.add_note(user=world.staff_a, complaint_id=case.pk, note="内部：物业经理态度差", public=False)
    services.assign(user=world.staff_a, complaint_id=case.pk, community=world.community_a1)
    services.resolve(user=world.staff_a, complaint_id=case.pk, outcome="内部结论", reply="杂物已清理完毕")
    body = Client().get(f"/complaints/t/{case.access_token}/").content.decode()
    assert "杂物已清理完毕" in body
    assert "物业经理态度差" not in body and "内部结论" not in body
    assert "13812345678" not in body


def test_resident_rates_once_after_resolution(world, file_case):
    from complaints import services

    case = file_case()
    services.accept(user=world.staff_a, complaint_id=case.pk)
    services.assign(user=world.staff_a, complaint_id=case.pk, community=world.community_a1)
    client = Client()
    url = f"/complaints/t/{case.access_token}/"
    assert "提交评价" not in client.get(url).content.decode()
    services.resolve(user=world.staff_a, complaint_id=case.pk, outcome="x", reply="已处理")
    assert client.post(url, {"satisfaction": "5", "comment": "谢谢"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.satisfaction == 5
    assert "提交评价" not in client.get(url).content.decode()


def test_complaint_is_saved_and_acknowledged_when_the_broker_is_down(world, category, broker_unreachable, settings):
    settings.COMPLAINT_CHALLENGE_AFTER = 100
    response = Client().post("/complaints/file/", form_data(world, category))
    assert response.status_code == 302
    case = Complaint.objects.get()
    notification = Notification.objects.get(complaint=case, kind="received")
    assert notification.state == Notification.State.PENDING


def test_outbox_sends_once_the_broker_is_back(world, file_case, sms_outbox):
    from complaints import services

    case = file_case()
    sms_outbox.clear()
    assert services.deliver_pending() == 1
    assert services.deliver_pending() == 0
    assert sms_outbox == [("13812345678", Notification.objects.get(complaint=case).text)]


def test_estate_search_returns_names_only(world):
    data = Client().get("/complaints/estates.json", {"q": "和平里"}).json()
    assert data["results"][0]["name"] == world.estate_a1.name
    assert set(data["results"][0]) == {"id", "name", "street", "community"}


def test_public_form_page_is_phone_friendly(db):
    body = Client().get("/complaints/file/").content.decode()
    assert 'name="viewport"' in body and "css/complaints" in body
    assert 'inputmode="tel"' in body and 'name="website"' in body


def test_png_with_transparency_is_reencoded_as_jpeg(world, category):
    image = Image.new("RGBA", (30, 30), (255, 0, 0, 128))
    out = io.BytesIO()
    image.save(out, format="PNG")
    upload = SimpleUploadedFile("a.png", out.getvalue(), content_type="image/png")
    assert Client().post("/complaints/file/", {**form_data(world, category), "photos": [upload]}).status_code == 302
    with Image.open(Photo.objects.get().file.path) as stored:
        assert stored.format == "JPEG"


def test_public_post_query_count_is_pinned(world, category, settings):
    settings.COMPLAINT_CHALLENGE_AFTER = 100
    client = Client()
    client.post("/complaints/file/", form_data(world, category))
    # category, estate (four ids and a name), duplicate check (the id only), then in one
    # transaction: day counter, calendar, case, step, measures, outbox
    # (+ savepoint and release: the test wraps everything in a transaction). Nothing else:
    # no session write, no SELECT of the whole case for the duplicate check.
    with queries_exactly(11) as captured:
        response = client.post("/complaints/file/", form_data(world, category, reporter_phone="13900007777"))
    assert response.status_code == 302
    duplicate_check = next(q["sql"] for q in captured.captured_queries if "reporter_phone =" in q["sql"])
    assert duplicate_check.startswith("SELECT id FROM complaints_complaint")
    assert not any("django_session" in q["sql"] for q in captured.captured_queries)


def test_filings_ask_the_worker_once_until_it_starts_draining(
    world, category, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from complaints import services
    from complaints.tasks import deliver_notifications

    settings.COMPLAINT_CHALLENGE_AFTER = 100
    published = []
    monkeypatch.setattr(deliver_notifications, "apply_async", lambda **kwargs: published.append(kwargs))
    client = Client()
    for n, phone in enumerate(["13900000001", "13900000002"]):
        with django_capture_on_commit_callbacks(execute=True):
            data = form_data(world, category, reporter_phone=phone, description=f"问题{n}")
            assert client.post("/complaints/file/", data).status_code == 302
    assert len(published) == 1  # the second case is drained by the request already queued
    services.kicked()  # the worker starts draining
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/complaints/file/", form_data(world, category, reporter_phone="13900000003")).status_code
    assert len(published) == 2
    assert Notification.objects.filter(state=Notification.State.PENDING).count() == 3


def test_a_failed_publish_lets_the_next_filing_try_again(world, category, settings, monkeypatch):
    from kombu.exceptions import OperationalError

    from complaints import services
    from complaints.tasks import deliver_notifications

    calls = []

    def down(**kwargs):
        calls.append(kwargs)
        raise OperationalError("broker down")

    monkeypatch.setattr(deliver_notifications, "apply_async", down)
    services.kick_delivery()
    services.kick_delivery()
    assert len(calls) == 2


def test_rate_counters_count_each_filing_per_address_and_phone(world, category, settings):
    from complaints import abuse

    settings.COMPLAINT_CHALLENGE_AFTER = 100
    client = Client(REMOTE_ADDR="10.4.4.4")
    client.post("/complaints/file/", form_data(world, category, reporter_phone="139 0000 4444"))
    client.post(
        "/complaints/file/",
        form_data(
            world,
            category,
            reporter_phone="13900004444",
            estate_id=world.estate_a2.pk,
            estate_name=world.estate_a2.name,
        ),
    )
    assert abuse.count("ip", "10.4.4.4") == 2 and abuse.count("phone", "13900004444") == 2
    limits = abuse.Limits("10.4.4.4", "+86 139-0000-4444")
    assert limits.ip_count == 2 and limits.phone_count == 2
