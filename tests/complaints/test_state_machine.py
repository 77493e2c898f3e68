from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from complaints import selectors, services
from complaints.models import (
    CalendarDay,
    Complaint,
    Escalation,
    ExtensionRequest,
    MonthlyStat,
    Notification,
    Status,
    Step,
)
from complaints.workdays import WorkCalendar

pytestmark = pytest.mark.django_db


def walk_to_mediation(world, case, company=None):
    services.accept(user=world.staff_a, complaint_id=case.pk)
    services.assign(user=world.staff_a, complaint_id=case.pk, community=world.community_a1, company=company)
    return services.start_mediation(user=world.staff_a, complaint_id=case.pk, mediation_type="peoples")


def test_case_numbers_are_dated_and_sequential(file_case):
    first, second = file_case(), file_case(phone="13900001111")
    today = timezone.localdate()
    assert first.number == f"TS-{today:%Y%m%d}-000001"
    assert second.number == f"TS-{today:%Y%m%d}-000002"


def test_whole_flow_records_every_step_with_who_and_whether_public(world, file_case, company):
    case = file_case()
    walk_to_mediation(world, case, company)
    services.add_note(user=world.staff_a, complaint_id=case.pk, note="物业经理电话未接通", public=False)
    services.resolve(
        user=world.staff_a,
        complaint_id=case.pk,
        outcome="杂物已清理",
        reply="已协调物业清理",
        upheld_against_company=True,
    )
    case = services.rate(complaint=Complaint.objects.get(pk=case.pk), satisfaction=5, comment="很快")
    assert case.status == Status.CLOSED
    actions = list(case.steps.values_list("action", "public"))
    assert [a for a, _ in actions] == ["submit", "accept", "assign", "mediate", "note", "resolve", "rate", "close"]
    assert ("note", False) in actions
    assert case.steps.get(action="accept").actor == world.staff_a


@pytest.mark.parametrize(
    ("action", "kwargs"),
    [
        ("resolve", {"outcome": "x", "reply": "y"}),
        ("start_mediation", {"mediation_type": "peoples"}),
        ("close", {}),
        ("reopen", {"note": "不满意"}),
        ("escalate", {"level": "street", "note": "重大"}),
    ],
)
def test_illegal_transitions_from_submitted_are_refused_with_a_message(world, file_case, action, kwargs):
    case = file_case()
    with pytest.raises(ValidationError) as caught:
        getattr(services, action)(user=world.staff_a, complaint_id=case.pk, **kwargs)
    assert "不能执行" in caught.value.messages[0]
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    assert case.steps.count() == 1


def test_rejected_case_cannot_be_accepted_and_needs_a_reason(world, file_case):
    case = file_case()
    with pytest.raises(ValidationError):
        services.reject(user=world.staff_a, complaint_id=case.pk, reason="  ")
    services.reject(user=world.staff_a, complaint_id=case.pk, reason="不属于物业管理范围")
    with pytest.raises(ValidationError):
        services.accept(user=world.staff_a, complaint_id=case.pk)
    with pytest.raises(ValidationError):
        services.assign(user=world.staff_a, complaint_id=case.pk, community=world.community_a1)


def test_assign_needs_an_assignee_and_resolve_an_outcome(world, file_case):
    case = file_case()
    services.accept(user=world.staff_a, complaint_id=case.pk)
    with pytest.raises(ValidationError):
        services.assign(user=world.staff_a, complaint_id=case.pk)
    services.assign(user=world.staff_a, complaint_id=case.pk, community=world.community_a1)
    with pytest.raises(ValidationError) as caught:
        services.resolve(user=world.staff_a, complaint_id=case.pk, outcome="", reply="")
    assert set(caught.value.message_dict) == {"outcome", "reply"}


def test_upheld_against_company_needs_the_company_assigned(world, file_case):
    case = file_case()
    walk_to_mediation(world, case)
    with pytest.raises(ValidationError) as caught:
        services.resolve(user=world.staff_a, complaint_id=case.pk, outcome="x", reply="y", upheld_against_company=True)
    assert "upheld_against_company" in caught.value.message_dict


def test_staff_cannot_act_on_other_street_complaint(world, file_case):
    case = file_case()
    with pytest.raises(Http404):
        services.accept(user=world.staff_b, complaint_id=case.pk)


def test_auditor_in_scope_is_refused_with_403(world, file_case):
    case = file_case()
    with pytest.raises(PermissionDenied):
        services.accept(user=world.auditor, complaint_id=case.pk)


def test_dissatisfied_resident_reopens_and_counter_goes_up(world, file_case):
    case = file_case()
    walk_to_mediation(world, case)
    services.resolve(user=world.staff_a, complaint_id=case.pk, outcome="x", reply="y")
    case = services.rate(complaint=case, satisfaction=1, comment="没解决", reopen_requested=True)
    assert case.status == Status.MEDIATING
    assert case.reopen_count == 1
    assert case.satisfaction is None
    with pytest.raises(ValidationError):  # cannot rate while in mediation
        services.rate(complaint=case, satisfaction=5)


def test_resident_rates_only_once(world, file_case):
    case = file_case()
    walk_to_mediation(world, case)
    services.resolve(user=world.staff_a, complaint_id=case.pk, outcome="x", reply="y")
    services.rate(complaint=case, satisfaction=4)
    with pytest.raises(ValidationError):
        services.rate(complaint=case, satisfaction=5)


def test_escalation_and_return_visit_and_links(world, file_case):
    case, other = file_case(), file_case(phone="13900002222")
    services.accept(user=world.staff_a, complaint_id=case.pk)
    services.escalate(user=world.staff_a, complaint_id=case.pk, level=Escalation.DISTRICT, note="涉及多个产权单位")
    services.link(user=world.staff_a, complaint_id=case.pk, other_number=other.number)
    case.refresh_from_db()
    assert case.escalation == Escalation.DISTRICT
    assert list(other.linked.all()) == [case]
    with pytest.raises(ValidationError):  # not yet resolved
        services.record_return_visit(user=world.staff_a, complaint_id=case.pk, rating=5)


def test_extension_is_approved_only_by_a_district_official(world, file_case):
    case = file_case()
    services.accept(user=world.staff_a, complaint_id=case.pk)
    request = services.request_extension(user=world.staff_a, complaint_id=case.pk, days=5, reason="需要产权单位会商")
    with pytest.raises(ValidationError):
        services.request_extension(user=world.staff_a, complaint_id=case.pk, days=3, reason="再延")
    with pytest.raises(PermissionDenied):
        services.decide_extension(user=world.staff_a, request_id=request.pk, approve=True)
    before = Complaint.objects.get(pk=case.pk).resolve_due
    services.decide_extension(user=world.official, request_id=request.pk, approve=True)
    after = Complaint.objects.get(pk=case.pk).resolve_due
    assert WorkCalendar(before, after).between(before, after) == 5
    assert ExtensionRequest.objects.get(pk=request.pk).decision == ExtensionRequest.Decision.APPROVED


def test_working_days_skip_holidays_and_count_make_up_days():
    calendar = WorkCalendar(date(2026, 9, 1), date(2026, 10, 31))
    # Wed 30 Sep + 1 working day: 1–7 Oct are holidays, Sat 10 Oct is a make-up working day.
    assert calendar.add(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert calendar.add(date(2026, 10, 9), 1) == date(2026, 10, 10)
    assert calendar.add(date(2026, 10, 3), 0) == date(2026, 10, 8)
    assert CalendarDay.objects.filter(date__year=2026).count() > 30


def test_accept_deadline_follows_the_category(world, file_case):
    case = file_case()
    today = timezone.localdate()
    assert case.accept_due == WorkCalendar(today, today + timedelta(days=30)).add(today, case.category.accept_days)


def test_deadline_task_run_twice_sends_nothing_twice(world, file_case, sms_outbox):
    soon, late = file_case(), file_case(phone="13900003333")
    for case in (soon, late):
        services.accept(user=world.staff_a, complaint_id=case.pk)
    today = timezone.localdate()
    Complaint.objects.filter(pk=soon.pk).update(resolve_due=today)
    Complaint.objects.filter(pk=late.pk).update(resolve_due=today - timedelta(days=3))
    first = services.check_deadlines(today=today)
    second = services.check_deadlines(today=today)
    assert first == {"due_soon": 1, "overdue": 1}
    assert second == {"due_soon": 0, "overdue": 0}
    assert Notification.objects.filter(kind__in=["due_soon", "overdue"]).count() == 2
    late.refresh_from_db()
    assert late.overdue and late.escalation == Escalation.STREET
    assert Step.objects.filter(action__in=["due_soon", "overdue"]).count() == 2
    sms_outbox.clear()
    services.deliver_pending()
    services.deliver_pending()
    assert len([m for m in sms_outbox if m[0].startswith("street:")]) == 2


def test_case_not_accepted_in_time_is_flagged_once(world, file_case):
    case = file_case()
    today = timezone.localdate()
    Complaint.objects.filter(pk=case.pk).update(accept_due=today - timedelta(days=1))
    assert services.check_deadlines(today=today)["overdue"] == 1
    assert services.check_deadlines(today=today)["overdue"] == 0
    assert Complaint.objects.get(pk=case.pk).overdue
    assert Notification.objects.filter(key__startswith="overdue_accept:").count() == 1


def test_unrated_resolved_case_closes_after_the_rating_period(world, file_case):
    case = file_case()
    walk_to_mediation(world, case)
    services.resolve(user=world.staff_a, complaint_id=case.pk, outcome="x", reply="y")
    assert services.close_unrated(today=timezone.localdate()) == 0
    assert services.close_unrated(today=timezone.localdate() + timedelta(days=30)) == 1
    assert Complaint.objects.get(pk=case.pk).status == Status.CLOSED


def test_upheld_counts_by_company_counts_resolved_upheld_cases_in_range(world, file_case, company):
    upheld, not_upheld = file_case(), file_case(phone="13900004444")
    for case, verdict in ((upheld, True), (not_upheld, False)):
        walk_to_mediation(world, case, company)
        services.resolve(
            user=world.staff_a, complaint_id=case.pk, outcome="x", reply="y", upheld_against_company=verdict
        )
    today = timezone.localdate()
    assert selectors.upheld_counts_by_company(start=today, end=today) == {company.pk: 1}
    assert selectors.upheld_counts_by_company(start=today - timedelta(days=9), end=today - timedelta(days=1)) == {}


def test_running_measures_equal_a_rebuild_from_the_cases(world, file_case):
    cases = [file_case(phone=f"1390000{n:04d}") for n in range(4)]
    walk_to_mediation(world, cases[0])
    services.resolve(user=world.staff_a, complaint_id=cases[0].pk, outcome="x", reply="y")
    services.rate(complaint=cases[0], satisfaction=5)
    walk_to_mediation(world, cases[1])
    services.resolve(user=world.staff_a, complaint_id=cases[1].pk, outcome="x", reply="y")
    services.rate(complaint=cases[1], satisfaction=2, reopen_requested=True)
    services.accept(user=world.staff_a, complaint_id=cases[2].pk)
    fields = [
        "received",
        "accepted",
        "resolved",
        "resolved_on_time",
        "replied",
        "rated",
        "satisfaction_sum",
        "satisfied",
    ]
    order = ["street_key", "month", "category"]
    running = list(MonthlyStat.objects.order_by(*order).values(*fields))
    services.rebuild_monthly_stats()
    assert list(MonthlyStat.objects.order_by(*order).values(*fields)) == running
    street_row, district_row = running[1], running[0]  # the district total sorts first (street_key -1)
    assert street_row == district_row
    assert street_row["received"] == 4 and street_row["resolved"] == 1 and street_row["satisfaction_sum"] == 5


def test_calendar_is_kept_by_district_officials_only(world):
    with pytest.raises(PermissionDenied):
        services.save_calendar_day(user=world.staff_a, day=date(2027, 1, 1), kind="holiday", name="元旦")
    services.save_calendar_day(user=world.official, day=date(2027, 1, 1), kind="holiday", name="元旦")
    assert CalendarDay.objects.filter(date=date(2027, 1, 1)).exists()


def test_beat_task_run_twice_writes_one_reminder(world, file_case):
    from complaints import tasks

    case = file_case()
    services.accept(user=world.staff_a, complaint_id=case.pk)
    Complaint.objects.filter(pk=case.pk).update(resolve_due=timezone.localdate() - timedelta(days=1))
    first = tasks.check_deadlines.apply().get()
    second = tasks.check_deadlines.apply().get()
    assert first["overdue"] == 1 and second["overdue"] == 0
    assert Notification.objects.filter(kind="overdue").count() == 1
