"""The state machine: which action may start from which status, the refusal
that says why not, and the step every action records. A leaf of the
package: every writing module builds on it, it imports none of them."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.scoping import Action, get_scoped_object_or_404
from complaints.models import FINISHED_STATUSES, WORKING_STATUSES, Complaint, Status, Step

RESIDENT = "居民"
SYSTEM = "系统"


# action -> (statuses it may start from, status it leads to; None keeps the status)
TRANSITIONS = {
    "accept": ((Status.SUBMITTED,), Status.ACCEPTED),
    "reject": ((Status.SUBMITTED,), Status.REJECTED),
    "assign": ((Status.ACCEPTED, Status.ASSIGNED, Status.MEDIATING), Status.ASSIGNED),
    "mediate": ((Status.ASSIGNED,), Status.MEDIATING),
    "resolve": ((Status.ASSIGNED, Status.MEDIATING), Status.RESOLVED),
    "close": ((Status.RESOLVED,), Status.CLOSED),
    "reopen": ((Status.RESOLVED, Status.CLOSED), Status.MEDIATING),
    "escalate": ((Status.ACCEPTED, Status.ASSIGNED, Status.MEDIATING), None),
    "extend": (WORKING_STATUSES, None),
    "return_visit": (FINISHED_STATUSES, None),
}


ACTION_LABELS = {
    "submit": _("提交"),
    "supplement": _("居民补充"),
    "accept": _("受理"),
    "reject": _("不予受理"),
    "assign": _("分派"),
    "mediate": _("开始调解"),
    "resolve": _("办结"),
    "close": _("结案"),
    "reopen": _("重新办理"),
    "escalate": _("升级"),
    "note": _("备注"),
    "extend_request": _("申请延期"),
    "extend_decide": _("延期审批"),
    "return_visit": _("回访"),
    "rate": _("居民评价"),
    "link": _("关联工单"),
    "due_soon": _("临期提醒"),
    "overdue": _("逾期升级"),
}


def allowed_actions(complaint: Complaint) -> set[str]:
    return {action for action, (sources, _target) in TRANSITIONS.items() if complaint.status in sources}


def _refuse(complaint: Complaint, action: str):
    raise ValidationError(
        _("工单%(number)s当前状态为“%(status)s”，不能执行“%(action)s”。")
        % {"number": complaint.number, "status": complaint.get_status_display(), "action": ACTION_LABELS[action]},
        code="illegal_transition",
    )


def _actor_label(user) -> str:
    if user is None:
        return SYSTEM
    return user.get_full_name() or user.username


def _step(complaint, *, user, action, note="", public=False, label=None, from_status="", to_status=""):
    return Step.objects.create(
        complaint=complaint,
        actor=user,
        actor_label=label or _actor_label(user),
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        public=public,
    )


def _locked(user, complaint_id: int, action: Action = Action.CHANGE) -> Complaint:
    get_scoped_object_or_404(Complaint.objects.all(), user, action, pk=complaint_id)
    return Complaint.objects.select_for_update().get(pk=complaint_id)


def _move(complaint: Complaint, *, user, action: str, note="", public=True, label=None) -> Complaint:
    sources, target = TRANSITIONS[action]
    if complaint.status not in sources:
        _refuse(complaint, action)
    before = complaint.status
    if target is not None:
        complaint.status = target
    complaint.full_clean(exclude=["linked"])
    complaint.save()
    _step(
        complaint,
        user=user,
        action=action,
        note=note,
        public=public,
        label=label,
        from_status=before,
        to_status=complaint.status if target is not None else "",
    )
    return complaint
