"""Owners' committees: the timetable, the overdue list and reminders that never repeat."""

import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from propertymgmt import selectors, services
from propertymgmt.models import CommitteeStage, CommitteeStep, Notice, Reminder, StepKind

pytestmark = pytest.mark.django_db

DUE = date(2026, 6, 30)


def _preparing(world, estate=None, due=DUE):
    return services.save_committee(
        user=world.staff_a,
        estate_id=(estate or world.estate_a1).pk,
        data={
            "stage": CommitteeStage.PREPARATION,
            "chair": "刘组长",
            "contact_phone": "13911112222",
            "contact_email": "chouzu@example.cn",
            "preparation_due_on": due,
            "on": due - timedelta(days=90),
        },
    )


def test_filed_committee_gets_re_election_and_term_end_steps(world):
    committee = services.record_existing_committee(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        filed_on=date(2021, 7, 20),
        term_starts_on=date(2021, 7, 1),
        term_ends_on=date(2026, 6, 30),
    )
    kinds = set(committee.steps.values_list("kind", "due_on"))
    assert kinds == {(StepKind.TERM_END, date(2026, 6, 30)), (StepKind.RE_ELECTION, date(2026, 4, 1))}


def _resolve_preparation(world, committee, on):
    """The preparation deadline is met by electing the committee."""
    from tests.propertymgmt.test_committee_lifecycle import _vote

    services.move_committee(user=world.staff_a, committee_id=committee.pk, to_stage=CommitteeStage.ASSEMBLY, on=on)
    services.move_committee(
        user=world.staff_a,
        committee_id=committee.pk,
        to_stage=CommitteeStage.ELECTED,
        on=on,
        vote_id=_vote(world).pk,
    )


def test_overdue_step_stays_on_the_list_until_done(world):
    committee = _preparing(world)
    step = committee.steps.get()
    assert list(selectors.overdue_steps(user=world.staff_a, today=DUE)) == []
    assert list(selectors.overdue_steps(user=world.staff_a, today=DUE + timedelta(days=1))) == [step]
    assert list(selectors.overdue_steps(user=world.staff_a, today=DUE + timedelta(days=200))) == [step]
    assert list(selectors.overdue_steps(user=world.staff_b, today=DUE + timedelta(days=1))) == []
    _resolve_preparation(world, committee, DUE + timedelta(days=3))
    assert list(selectors.overdue_steps(user=world.staff_a, today=DUE + timedelta(days=200))) == [
        committee.steps.get(kind=StepKind.FILING)
    ]  # the filing, due 30 days after the election, is late by then; the preparation is not
    assert not selectors.overdue_steps(user=world.staff_a, today=DUE + timedelta(days=200)).filter(pk=step.pk)


def test_overdue_committee_stays_listed_after_its_reminder_until_the_step_is_done(
    world, django_capture_on_commit_callbacks
):
    committee = _preparing(world)
    late = DUE + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(today=late) == 1
    assert Reminder.objects.get().kind == "overdue" and Reminder.objects.get().sent_at is not None
    for day in (late, late + timedelta(days=1), late + timedelta(days=30)):
        listed = list(selectors.overdue_committees(user=world.staff_a, today=day))
        assert listed == [committee] and listed[0].overdue_since == DUE
    assert list(selectors.overdue_committees(user=world.staff_b, today=late)) == []
    _resolve_preparation(world, committee, late + timedelta(days=1))
    assert list(selectors.overdue_committees(user=world.staff_a, today=late + timedelta(days=2))) == []
    assert list(selectors.overdue_steps(user=world.staff_a, today=late + timedelta(days=2))) == []


def test_a_late_step_cannot_be_ticked_off_by_hand(world):
    committee = _preparing(world)
    step = committee.steps.get()
    with pytest.raises(ValidationError, match="不能直接标记完成"):
        services.complete_step(user=world.staff_a, step_id=step.pk, done_on=DUE + timedelta(days=3))
    assert list(selectors.overdue_steps(user=world.staff_a, today=DUE + timedelta(days=5))) == [step]


def test_a_stand_in_body_with_a_term_has_its_term_steps(world):
    body = services.save_committee(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        data={"kind": "mgmt_committee", "term_starts_on": date(2026, 1, 1), "term_ends_on": date(2028, 12, 31)},
    )
    assert set(body.steps.values_list("kind", "due_on")) == {
        (StepKind.RE_ELECTION, date(2028, 10, 2)),
        (StepKind.TERM_END, date(2028, 12, 31)),
    }
    services.move_committee(user=world.staff_a, committee_id=body.pk, to_stage=CommitteeStage.DISSOLVED)
    assert not body.steps.filter(done_on__isnull=True).exists()


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (DUE - timedelta(days=30), "before"),
        (DUE - timedelta(days=7), "before"),
        (DUE, "due"),
        (DUE + timedelta(days=7), "overdue"),
        (DUE + timedelta(days=14), "overdue"),
    ],
)
def test_reminders_go_out_before_on_and_weekly_after_the_due_date(
    world, day, kind, sms_outbox, django_capture_on_commit_callbacks
):
    _preparing(world)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(today=day) == 1
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.on_date) == (kind, day)
    assert reminder.sent_at is not None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["chouzu@example.cn"]
    assert sms_outbox == [("13911112222", mail.outbox[0].body)]
    notice = Notice.objects.get()
    assert notice.street == world.street_a and "和平里七区" in notice.text


@pytest.mark.parametrize("offset", [-29, -8, -1, 1, 6, 8, 13])
def test_no_reminder_on_other_days(world, offset):
    _preparing(world)
    assert services.send_reminders(today=DUE + timedelta(days=offset)) == 0


def test_reminders_not_repeated_when_the_task_runs_twice(world, django_capture_on_commit_callbacks):
    _preparing(world)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(today=DUE) == 1
        assert services.send_reminders(today=DUE) == 0
    assert Reminder.objects.count() == 1 and len(mail.outbox) == 1 and Notice.objects.count() == 1


def test_resolved_steps_are_not_reminded(world):
    committee = _preparing(world)
    _resolve_preparation(world, committee, DUE - timedelta(days=40))
    assert services.send_reminders(today=DUE) == 0


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_reminder_runs_send_once(world, sms_outbox):
    _preparing(world)
    _preparing(world, estate=world.estate_a2)
    start = threading.Barrier(2)
    counts, errors = [], []

    def run():
        try:
            start.wait()
            counts.append(services.send_reminders(today=DUE, batch=1))
        except Exception as exc:  # reported below; the test fails on any
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(counts) == 2
    assert Reminder.objects.count() == 2 and Notice.objects.count() == 2
    assert len(mail.outbox) == 2 and len(sms_outbox) == 2
    assert CommitteeStep.objects.count() == 2


def test_beat_tasks_are_scheduled_daily_and_call_the_services(world, settings):
    from propertymgmt import tasks

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"propertymgmt.tasks.run_subsidies", "propertymgmt.tasks.send_committee_reminders"} <= schedule
    services.save_committee(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        data={"stage": CommitteeStage.PREPARATION, "preparation_due_on": timezone.localdate() + timedelta(days=7)},
    )
    assert tasks.send_committee_reminders.apply().get() == 1  # due in a week
    result = tasks.run_subsidies.apply().get()
    assert result["advance"] == 4 and result["balance"] == 0


def test_in_app_notices_show_to_the_street_only(world, client_for, django_capture_on_commit_callbacks):
    from django.urls import reverse

    _preparing(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(today=DUE)
    page = client_for(world.staff_a).get(reverse("propertymgmt:home")).content.decode()
    assert "【提醒】和平里七区" in page
    assert "【提醒】和平里七区" not in client_for(world.staff_b).get(reverse("propertymgmt:home")).content.decode()
