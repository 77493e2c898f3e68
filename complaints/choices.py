"""The complaint-mediation app's enums: its public vocabulary.

Other apps name these (a case's channel or status, its escalation, the kind of
mediation) without reaching into `complaints.models`; the models import them from
here. Enums nested in a model (`CalendarDay.Kind`, `ExtensionRequest.Decision`,
`Notification.Kind` and `.State`) stay with their model.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("网上投诉")
    HOTLINE = "hotline", _("12345热线")
    MAYOR = "mayor_mailbox", _("市长信箱")
    DISTRICT_HEAD = "district_mailbox", _("区长信箱")
    PHONE = "phone", _("来电")
    WALK_IN = "walk_in", _("来访")
    OPEN311 = "open311", _("Open311接口")


STAFF_CHANNELS = [c for c in Channel if c not in (Channel.WEB, Channel.OPEN311)]


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    REJECTED = "rejected", _("不予受理")
    ASSIGNED = "assigned", _("已分派")
    MEDIATING = "mediating", _("调解中")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已结案")


# A case's status badge by family: waiting for the office, being handled,
# finished, refused (Bootstrap's text-bg-* pairs keep the text readable on each).
STATUS_BADGES = {
    Status.SUBMITTED: "text-bg-warning",
    Status.ACCEPTED: "text-bg-primary",
    Status.ASSIGNED: "text-bg-primary",
    Status.MEDIATING: "text-bg-info",
    Status.RESOLVED: "text-bg-success",
    Status.CLOSED: "text-bg-success",
    Status.REJECTED: "text-bg-secondary",
}


class Satisfaction(models.IntegerChoices):
    """The 1–5 scale of residents' ratings and of return visits."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    FAIR = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.MEDIATING)
# Cases whose resolve deadline runs (accepted, not yet resolved).
WORKING_STATUSES = (Status.ACCEPTED, Status.ASSIGNED, Status.MEDIATING)
FINISHED_STATUSES = (Status.RESOLVED, Status.CLOSED)


class Escalation(models.TextChoices):
    NONE = "", _("未升级")
    STREET = "street", _("街道联席会议")
    DISTRICT = "district", _("区联席会议")


class MediationType(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("行政调解")
    PEOPLES = "peoples", _("人民调解")
    JUDICIAL = "judicial", _("司法调解")
    INDUSTRY = "industry", _("行业调解")
