import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from complaints import services
from complaints.models import Complaint, PhoneView, Status
from tests.conftest import queries_exactly

pytestmark = pytest.mark.django_db


def test_staff_cannot_see_other_street_complaint(world, file_case, client_for):
    case = file_case()
    assert client_for(world.staff_b).get(f"/complaints/{case.pk}/").status_code == 404
    assert client_for(world.staff_a).get(f"/complaints/{case.pk}/").status_code == 200
    assert client_for(world.worker_a1).get(f"/complaints/{case.pk}/").status_code == 200
    assert client_for(world.official).get(f"/complaints/{case.pk}/").status_code == 200


def test_anonymous_is_sent_to_login(world, file_case):
    case = file_case()
    assert Client().get(f"/complaints/{case.pk}/").status_code == 302
    assert Client().get("/complaints/").status_code == 302


def test_queue_lists_only_the_users_scope(world, file_case, client_for):
    mine = file_case()
    theirs = file_case(estate=world.estate_b1, phone="13900001111")
    body = client_for(world.staff_a).get("/complaints/").content.decode()
    assert mine.number in body and theirs.number not in body
    body = client_for(world.official).get("/complaints/").content.decode()
    assert mine.number in body and theirs.number in body


def test_queues_mine_unassigned_overdue_escalated(world, file_case, client_for):
    fresh = file_case()
    taken = file_case(phone="13900002222")
    late = file_case(phone="13900003333")
    services.accept(user=world.staff_a, complaint_id=taken.pk)
    services.assign(user=world.staff_a, complaint_id=taken.pk, community=world.community_a1)
    services.accept(user=world.staff_a, complaint_id=late.pk)
    services.escalate(user=world.staff_a, complaint_id=late.pk, level="district", note="多部门")
    Complaint.objects.filter(pk=late.pk).update(overdue=True)
    client = client_for(world.staff_a)

    def numbers(queue):
        return {c.number for c in client.get("/complaints/", {"queue": queue}).context["page"].object_list}

    assert numbers("mine") == {taken.number, late.number}
    assert numbers("unassigned") == {fresh.number, late.number}
    assert numbers("overdue") == {late.number}
    assert numbers("escalated") == {late.number}


def test_phones_are_masked_in_the_list(world, file_case, client_for):
    file_case(phone="13812345678")
    body = client_for(world.staff_a).get("/complaints/").content.decode()
    assert "138****5678" in body and "13812345678" not in body


def test_full_phone_only_on_request_in_scope_and_logged(world, file_case, client_for):
    case = file_case(phone="13812345678")
    detail = client_for(world.staff_a).get(f"/complaints/{case.pk}/").content.decode()
    assert "13812345678" not in detail and "138****5678" in detail
    shown = client_for(world.staff_a).post(f"/complaints/{case.pk}/phone/")
    assert "13812345678" in shown.content.decode()
    assert PhoneView.objects.filter(complaint=case, user=world.staff_a).count() == 1
    assert client_for(world.staff_b).post(f"/complaints/{case.pk}/phone/").status_code == 404
    assert client_for(world.auditor).post(f"/complaints/{case.pk}/phone/").status_code == 403
    assert PhoneView.objects.count() == 1


def test_export_masks_phones_and_stays_in_scope(world, file_case, client_for):
    file_case(phone="13812345678")
    file_case(estate=world.estate_b1, phone="13900009999")
    response = client_for(world.staff_a).get("/complaints/export.xlsx", {"queue": "all"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [str(v) for row in book.active.iter_rows(values_only=True) for v in row if v is not None]
    assert "138****5678" in values
    assert not any("13812345678" in v or "13900009999" in v or "139****9999" in v for v in values)
    assert "合计" in values


def test_list_and_export_query_counts_are_pinned(world, file_case, client_for):
    for n in range(5):
        file_case(phone=f"1390000{n:04d}")
    client = client_for(world.staff_a)
    client.get("/complaints/")
    # session, user, count, ids, rows (with joins), street and community choices
    with queries_exactly(7):
        client.get("/complaints/")
    for n in range(5, 15):
        file_case(phone=f"1390000{n:04d}")
    with queries_exactly(7):
        client.get("/complaints/")
    with queries_exactly(4):
        client.get("/complaints/export.xlsx")


def test_actions_through_the_pages(world, file_case, client_for, company):
    case = file_case()
    client = client_for(world.staff_a)
    client.post(f"/complaints/{case.pk}/do/accept/", {"note": ""})
    client.post(f"/complaints/{case.pk}/do/assign/", {"community": world.community_a1.pk, "company": company.pk})
    client.post(f"/complaints/{case.pk}/do/mediate/", {"mediation_type": "peoples"})
    client.post(
        f"/complaints/{case.pk}/do/resolve/", {"outcome": "清理", "reply": "已清理", "upheld_against_company": "on"}
    )
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.upheld_against_company and case.company == company
    refused = client.post(f"/complaints/{case.pk}/do/accept/", follow=True)
    assert "不能执行" in refused.content.decode()


def test_auditor_cannot_act_and_other_street_gets_404(world, file_case, client_for):
    case = file_case()
    assert client_for(world.auditor).post(f"/complaints/{case.pk}/do/accept/").status_code == 403
    assert client_for(world.staff_b).post(f"/complaints/{case.pk}/do/accept/").status_code == 404
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_extension_buttons_work_for_the_official_only(world, file_case, client_for):
    case = file_case()
    services.accept(user=world.staff_a, complaint_id=case.pk)
    request = services.request_extension(user=world.staff_a, complaint_id=case.pk, days=3, reason="会商")
    assert client_for(world.staff_a).post(f"/complaints/extensions/{request.pk}/", {"approve": "1"}).status_code == 403
    client_for(world.official).post(f"/complaints/extensions/{request.pk}/", {"approve": "1"})
    request.refresh_from_db()
    assert request.decision == "approved"


def test_staff_enter_a_12345_case(world, category, client_for):
    response = client_for(world.staff_a).post(
        "/complaints/new/",
        {
            "channel": "hotline",
            "external_ref": "12345-20261125-0001",
            "category": category.pk,
            "estate_name": world.estate_a2.name,
            "description": "电话反映楼顶漏水",
            "reporter_name": "王大爷",
            "reporter_phone": "13600001111",
        },
    )
    case = Complaint.objects.get()
    assert response.status_code == 302
    assert case.channel == "hotline" and case.created_by == world.staff_a and case.estate == world.estate_a2


def test_staff_cannot_enter_a_case_in_another_street(world, category, client_for):
    response = client_for(world.staff_b).post(
        "/complaints/new/",
        {
            "channel": "phone",
            "category": category.pk,
            "estate_name": world.estate_a2.name,
            "description": "x",
            "reporter_name": "王",
            "reporter_phone": "13600001111",
        },
    )
    assert response.status_code == 200
    assert not Complaint.objects.exists()


def test_measures_page_and_export(world, file_case, client_for):
    case = file_case()
    services.accept(user=world.staff_a, complaint_id=case.pk)
    services.assign(user=world.staff_a, complaint_id=case.pk, community=world.community_a1)
    services.resolve(user=world.staff_a, complaint_id=case.pk, outcome="x", reply="y")
    file_case(estate=world.estate_b1, phone="13900001111")
    client = client_for(world.official)
    client.get("/complaints/measures/")
    # the user, the table's groups, the year's trend by month, the district, the categories
    with queries_exactly(5):
        response = client.get("/complaints/measures/", {"year": timezone.localdate().year})
    rows = {row["label"]: row for row in response.context["result"]["rows"]}
    assert rows["和平里街道"]["received"] == 1 and rows["和平里街道"]["resolved_rate"] == 100.0
    assert response.context["result"]["total"]["received"] == 2
    own = client_for(world.staff_b).get("/complaints/measures/").context["result"]
    assert [r["label"] for r in own["rows"]] == ["龙潭街道"]
    export = client.get("/complaints/measures.xlsx")
    book = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    values = [v for row in book.active.iter_rows(values_only=True) for v in row]
    assert "合计" in values and "办结率（%）" in values and "收到投诉（件）" in values


def test_calendar_page_edited_by_official_only(world, client_for):
    assert (
        client_for(world.staff_a).post("/complaints/calendar/", {"date": "2027-01-01", "kind": "holiday"}).status_code
        == 403
    )
    client_for(world.official).post("/complaints/calendar/", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    body = client_for(world.staff_a).get("/complaints/calendar/", {"year": 2027}).content.decode()
    assert "元旦" in body


def test_background_export_function_applies_scope_and_masks(world, file_case):
    """complaints.excel.export_for_job is ready for core.exports.EXPORTERS."""
    import tempfile

    from complaints.excel import export_for_job
    from core.models import ExportJob

    file_case(phone="13812345678")
    file_case(estate=world.estate_b1, phone="13900009999")
    job = ExportJob.objects.create(requested_by=world.staff_a, kind="ledger", params={"query": "queue=all"})
    with tempfile.TemporaryFile() as handle:
        rows, filename = export_for_job(job, handle, lambda n: None)
        handle.seek(0)
        book = load_workbook(handle)
    values = [str(v) for row in book.active.iter_rows(values_only=True) for v in row if v is not None]
    assert rows == 1 and filename.endswith(".xlsx")
    assert "138****5678" in values and not any("9999" in v for v in values)


@pytest.mark.django_db(transaction=True)
def test_large_case_list_export_runs_on_the_worker_in_the_users_scope(
    world, file_case, client_for, settings, celery_worker
):
    import time

    from core.models import ExportJob

    settings.EXPORT_SYNC_MAX_ROWS = 1
    file_case(phone="13812345678")
    file_case(estate=world.estate_a2, phone="13700001111", description="电梯停运三天")
    file_case(estate=world.estate_b1, phone="13900009999")
    client = client_for(world.staff_a)
    response = client.get(reverse("complaints:case_export"), {"queue": "all"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("core:export_job", args=[job.pk])
    for _ in range(100):
        job.refresh_from_db()
        if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
            break
        time.sleep(0.1)
    assert job.status == ExportJob.Status.DONE, job.error
    download = client.get(reverse("core:export_download", args=[job.pk]))
    values = [
        str(v)
        for row in load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    assert "138****5678" in values and "137****1111" in values
    assert not any("9999" in v or "13812345678" in v for v in values)
    assert client_for(world.staff_b).get(reverse("core:export_download", args=[job.pk])).status_code == 404


def test_a_long_export_continues_on_sheets_named_after_the_list_never_a_resident(
    world, file_case, client_for, monkeypatch
):
    """Past MAX_ROWS_PER_SHEET the list goes on in 投诉工单（2）…; the reporter's
    name once leaked into the second sheet's tab, unmasked."""
    from complaints import excel

    monkeypatch.setattr(excel, "MAX_ROWS_PER_SHEET", 1)
    file_case(phone="13812345678")
    file_case(phone="13812345679")
    response = client_for(world.staff_a).get("/complaints/export.xlsx", {"queue": "all"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["投诉工单", "投诉工单（2）"]
    values = [str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert values.count("李**") == 2
    assert not any("秀英" in v for v in values + book.sheetnames)
