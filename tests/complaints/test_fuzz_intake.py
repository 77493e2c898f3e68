"""Issue 11 part 7: hypothesis drives the public intake (the web form, Open311
and tracking) with random Unicode, NUL bytes, huge and missing fields.

Whatever it sends: never a 5xx, and nothing half-saved — a refused filing
leaves no case, photo, step or outbox row; an accepted one leaves one case
with its first step and its receipt. Each example runs in a savepoint rolled
back at its end, so examples do not see each other's rows (the test's own
transaction from pytest-django stays around them); the rate limits are lifted
so that examples are not refused for coming from the same address.
"""

from collections import Counter

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from complaints.models import Category, Complaint, Notification, Photo, Step, TrackingCode
from tests.complaints.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db

FUZZ = hypothesis_settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI failures can be replayed
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text a browser or a client could send: any character but lone surrogates
# (which cannot be encoded in UTF-8 at all, so never reach the server).
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
WITH_NUL = st.tuples(TEXT, TEXT).map(lambda parts: f"{parts[0]}\x00{parts[1]}")
HUGE = st.sampled_from(["长" * 2001, "a" * 20_000, "漏" * 200_000, "1" * 5000])
DIGITS = st.sampled_from(["²", "١٢", "１２", "-1", "0", "9" * 30, "1e3", "NaN", " 7 "])


EARLIER_PHONE = "13700000000"
JUNK = st.one_of(st.none(), TEXT, WITH_NUL, HUGE, DIGITS)  # None: the field is left out


def spoiled(valid: dict, extra=None):
    """A valid set of fields with up to four of them replaced by junk (or left
    out), plus any `extra` fields: most examples are one mistake away from a
    filing that goes through, so the checks behind the first one run too."""
    names = sorted(valid)
    junk = st.dictionaries(st.sampled_from(names), JUNK, max_size=4)
    extra = extra if extra is not None else st.just({})
    return st.tuples(junk, extra).map(lambda parts: {**valid, **parts[0], **parts[1]})


def junk_or(valid):
    return st.one_of(st.just(valid), JUNK)


@pytest.fixture(autouse=True)
def no_limits(settings):
    settings.COMPLAINT_RATE_PER_IP_HOUR = 10**9
    settings.COMPLAINT_RATE_PER_PHONE_DAY = 10**9
    settings.COMPLAINT_CHALLENGE_AFTER = 10**9
    settings.COMPLAINT_TRACK_MISSES_PER_IP_HOUR = 10**9
    settings.COMPLAINT_TRACK_MISSES_PER_NUMBER_HOUR = 10**9
    settings.OPEN311_API_KEYS = []
    cache.clear()
    yield
    cache.clear()


def tally() -> dict:
    return {
        "complaints": Complaint.objects.count(),
        "photos": Photo.objects.count(),
        "steps": Step.objects.count(),
        "outbox": Notification.objects.count(),
    }


def posted(fields: dict) -> dict:
    return {name: value for name, value in fields.items() if value is not None}


def in_savepoint(check):
    """Run one example inside a savepoint and roll it back afterwards."""
    with transaction.atomic():
        check()
        transaction.set_rollback(True)


def web_form_fields(world, category):
    valid = {
        "category": str(category.pk),
        "estate_name": world.estate_a1.name,
        "estate_id": str(world.estate_a1.pk),
        "street": str(world.street_a.pk),
        "address": "和平里北街5号院",
        "building_unit": "3号楼2单元",
        "description": "楼道堆满杂物",
        "reporter_name": "李秀英",
        "reporter_phone": "13812345678",
        "consent": "on",
    }
    extra = st.fixed_dictionaries(
        {},
        optional={
            "website": TEXT,
            "challenge_answer": st.one_of(TEXT, DIGITS),
            "on_duplicate": st.one_of(st.sampled_from(["add", "new"]), TEXT),
            "reporter_phone": st.just(EARLIER_PHONE),  # meets the earlier case: the duplicate offer
        },
    )
    return spoiled(valid, extra)


PHOTO = st.one_of(
    st.none(),
    st.binary(max_size=200).map(lambda data: SimpleUploadedFile("x.jpg", data, content_type="image/jpeg")),
    st.just("jpeg").map(lambda _: SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")),
)


def test_web_form_never_fails_and_never_half_saves(world):
    category = Category.objects.get(code="common_area")
    # A case already filed, so that some examples meet the duplicate offer.
    Client().post(
        "/complaints/file/",
        {
            "category": category.pk,
            "estate_name": world.estate_a1.name,
            "estate_id": world.estate_a1.pk,
            "description": "楼道堆满杂物",
            "reporter_name": "李秀英",
            "reporter_phone": EARLIER_PHONE,
            "consent": "on",
        },
    )

    statuses = Counter()

    @FUZZ
    @given(fields=web_form_fields(world, category), photo=PHOTO)
    def check(fields, photo):
        def example():
            before = tally()
            data = posted(fields)
            if photo is not None:
                photo.seek(0)
                data["photos"] = photo
            response = Client().post("/complaints/file/", data)
            statuses[response.status_code] += 1
            assert response.status_code < 500
            after = tally()
            if response.status_code == 302 and response["Location"].startswith("/complaints/t/"):
                assert after["complaints"] == before["complaints"] + 1
                assert after["steps"] == before["steps"] + 1 and after["outbox"] == before["outbox"] + 1
            elif response.status_code == 302:
                assert response["Location"] == "/complaints/file/added/"
                assert after["complaints"] == before["complaints"] and after["steps"] == before["steps"] + 1
            else:
                assert after == before, (response.status_code, data)

        in_savepoint(example)

    check()
    # The fuzzer reached the end of the road too: some filings went through.
    assert statuses[302] > 0 and sum(n for code, n in statuses.items() if code >= 400) > 0, statuses


def open311_fields(world):
    valid = {
        "service_code": "common_area",
        "lat": "39.95",
        "long": "116.41",
        "address_string": world.estate_a1.name,
        "address_id": str(world.estate_b1.pk),
        "description": "楼道堆放杂物",
        "first_name": "秀英",
        "last_name": "李",
        "phone": "13812345678",
        "email": "li@example.com",
        "device_id": "tY7muzjmVRgpHgg",
    }
    return spoiled(valid, st.fixed_dictionaries({}, optional={"api_key": st.one_of(TEXT, WITH_NUL)}))


def test_open311_never_fails_and_never_half_saves(world):
    statuses = Counter()

    @FUZZ
    @given(fields=open311_fields(world))
    def check(fields):
        def example():
            before = tally()
            response = Client().post("/open311/v2/requests.json", posted(fields))
            statuses[response.status_code] += 1
            assert response.status_code < 500
            body = response.json()
            after = tally()
            if response.status_code == 200:
                assert after["complaints"] == before["complaints"] + 1
                assert set(body[0]) == {"service_request_id", "service_notice", "account_id"}
            else:
                assert after == before, (response.status_code, fields)
                assert body and all(set(error) == {"code", "description"} for error in body)
                assert all(error["code"] == response.status_code for error in body)

        in_savepoint(example)

    check()
    assert statuses[200] > 0 and statuses[400] > 0, statuses


def test_tracking_never_fails_and_never_opens_a_case_without_its_code(world, file_case):
    case = file_case()

    statuses = Counter()

    @FUZZ
    @given(
        number=junk_or(case.number),
        phone=junk_or("13812345678"),
        step=st.one_of(st.none(), st.sampled_from(["send_code", "verify"]), TEXT),
        code=st.one_of(st.none(), TEXT, DIGITS, st.from_regex(r"\A[0-9]{6}\Z")),
    )
    def check(number, phone, step, code):
        def example():
            data = posted({"number": number, "phone": phone, "step": step, "code": code})
            response = Client().post("/complaints/track/", data)
            statuses[response.status_code] += 1
            assert response.status_code < 500
            assert case.access_token not in response.content.decode()
            assert response.status_code != 302  # no code was ever sent to the fuzzer
            assert TrackingCode.objects.filter(spent_at__isnull=False, attempts__lt=5).count() <= 1

        in_savepoint(example)

    check()
    assert statuses[200] > 0 and statuses[400] > 0, statuses
