"""When committee reminders fall due and how they are delivered (in-app notice,
e-mail, SMS): a leaf the reminder runs and their portable versions share."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.message import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.sms import get_backend
from propertymgmt.models import Notice, Reminder

# Days before a step is due when a reminder goes out; on the due date; then weekly while overdue.
REMIND_BEFORE_DAYS = (30, 7)
REMINDER_BATCH = 20_000


def _reminder_text(reminder) -> str:
    step = reminder.step
    estate = step.estate
    what = step.get_kind_display()
    due = f"{step.due_on.year}年{step.due_on.month}月{step.due_on.day}日"
    if reminder.kind == "before":
        return _("【提醒】%(estate)s%(kind)s将于%(due)s到期，请按时办理。") % {
            "estate": estate.name,
            "kind": what,
            "due": due,
        }
    if reminder.kind == "due":
        return _("【提醒】%(estate)s%(kind)s今天（%(due)s）到期。") % {"estate": estate.name, "kind": what, "due": due}
    return _("【逾期】%(estate)s%(kind)s已于%(due)s逾期，请尽快办理。") % {
        "estate": estate.name,
        "kind": what,
        "due": due,
    }


def _deliver(reminder_ids: list[int]) -> None:
    """In-app notice (in the same transaction as the reminder records), then e-mail and
    SMS after commit; a reminder's sent_at says its messages went out."""
    reminders = list(
        Reminder.objects.filter(pk__in=reminder_ids).select_related(
            "step__committee", "step__estate__community", "step"
        )
    )
    texts = {r.pk: _reminder_text(r) for r in reminders}
    Notice.objects.bulk_create(
        Notice(
            street_id=r.step.estate.community.street_id,
            estate_id=r.step.estate_id,
            reminder=r,
            text=texts[r.pk],
        )
        for r in reminders
    )

    def send():
        mails = [
            EmailMessage(
                subject=_("业主组织事项提醒"),
                body=texts[r.pk],
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[r.step.committee.contact_email],
            )
            for r in reminders
            if r.step.committee.contact_email
        ]
        if mails:
            get_connection().send_messages(mails)
        sms = [(r.step.committee.contact_phone, texts[r.pk]) for r in reminders if r.step.committee.contact_phone]
        if sms:
            get_backend().send_messages(sms)
        Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(
            sent_at=timezone.now(), channels="notice,email,sms"
        )

    transaction.on_commit(send)
