"""Staff actions on a case, and the resident's rating.

Every staff action checks the user's scope, locks the case row, refuses a step
the case's state does not allow (with a message saying why), records a Step
and keeps the monthly measures, all in one transaction.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action, get_scoped_object_or_404, scoped
from communities.selectors import communities_for, rights_units_for
from complaints.models import FINISHED_STATUSES, Complaint, Escalation, Notification, PhoneView, Status, Step
from complaints.services.delivery import _notify
from complaints.services.numbering import _local_date
from complaints.services.stats import _bump, _on_time
from complaints.services.transitions import RESIDENT, TRANSITIONS, _locked, _move, _refuse, _step
from complaints.workdays import calendar_around
from propertymgmt.selectors import companies_for


@transaction.atomic
def accept(*, user, complaint_id: int, note: str = "") -> Complaint:
    complaint = _locked(user, complaint_id)
    if complaint.status != Status.SUBMITTED:
        _refuse(complaint, "accept")
    now = timezone.now()
    today = _local_date(now)
    complaint.accepted_at = now
    complaint.resolve_due = calendar_around(today).add(today, complaint.category.resolve_days)
    complaint.handler = complaint.handler or user
    _move(complaint, user=user, action="accept", note=note or _("已受理，将在规定时限内办理。"))
    _bump(complaint, accepted=1)
    return complaint


@transaction.atomic
def reject(*, user, complaint_id: int, reason: str) -> Complaint:
    complaint = _locked(user, complaint_id)
    if not (reason or "").strip():
        raise ValidationError({"rejection_reason": _("不予受理须填写理由。")})
    if complaint.status != Status.SUBMITTED:
        _refuse(complaint, "reject")
    complaint.rejection_reason = reason.strip()
    return _move(complaint, user=user, action="reject", note=reason.strip())


@transaction.atomic
def assign(
    *, user, complaint_id: int, community=None, company=None, rights_unit=None, handler=None, note: str = ""
) -> Complaint:
    complaint = _locked(user, complaint_id)
    if complaint.status not in TRANSITIONS["assign"][0]:
        _refuse(complaint, "assign")
    if community is None and company is None and rights_unit is None:
        raise ValidationError(_("分派须指定社区、物业企业或产权单位。"), code="no_assignee")
    if community is not None and not communities_for(user=user).filter(pk=community.pk).exists():
        raise ValidationError({"assigned_community": _("该社区不在您的管辖范围内。")})
    if company is not None and company.district_id != complaint.district_id:
        raise ValidationError({"company": _("该物业企业不在本区登记。")})
    if rights_unit is not None and rights_unit.district_id != complaint.district_id:
        raise ValidationError({"rights_unit": _("该产权单位不在本区登记。")})
    complaint.assigned_community = community
    complaint.company = company
    complaint.rights_unit = rights_unit
    if handler is not None:
        complaint.handler = handler
    names = "、".join(str(x) for x in (community, company, rights_unit) if x is not None)
    return _move(complaint, user=user, action="assign", note=note or _("已分派给%(names)s。") % {"names": names})


@transaction.atomic
def start_mediation(*, user, complaint_id: int, mediation_type: str, note: str = "") -> Complaint:
    complaint = _locked(user, complaint_id)
    complaint.mediation_type = mediation_type
    return _move(complaint, user=user, action="mediate", note=note or _("已开始调解。"))


@transaction.atomic
def resolve(*, user, complaint_id: int, outcome: str, reply: str, upheld_against_company: bool = False) -> Complaint:
    complaint = _locked(user, complaint_id)
    if complaint.status not in TRANSITIONS["resolve"][0]:
        _refuse(complaint, "resolve")
    errors = {}
    if not (outcome or "").strip():
        errors["outcome"] = _("请填写办理结果。")
    if not (reply or "").strip():
        errors["reply"] = _("请填写给居民的答复。")
    if upheld_against_company and complaint.company_id is None:
        errors["upheld_against_company"] = _("认定责任在物业企业时，须先将工单分派给该企业。")
    if errors:
        raise ValidationError(errors)
    complaint.outcome = outcome.strip()
    complaint.reply = reply.strip()
    complaint.upheld_against_company = upheld_against_company
    complaint.resolved_at = timezone.now()
    complaint.due_soon = False
    _move(complaint, user=user, action="resolve", note=complaint.reply)
    _bump(complaint, resolved=1, resolved_on_time=int(_on_time(complaint)), replied=1)
    _notify(
        complaint,
        kind=Notification.Kind.RESOLVED,
        key=f"resolved:{complaint.pk}:{complaint.reopen_count}",
        recipient=complaint.reporter_phone,
        text=_("您的投诉%(number)s已办结，请查看答复并评价。") % {"number": complaint.number},
    )
    return complaint


@transaction.atomic
def close(*, user, complaint_id: int, note: str = "") -> Complaint:
    complaint = _locked(user, complaint_id)
    complaint.closed_at = timezone.now()
    return _move(complaint, user=user, action="close", note=note or _("已结案。"))


def _reopen(complaint: Complaint, *, user, note: str, label=None) -> Complaint:
    if complaint.status not in TRANSITIONS["reopen"][0]:
        _refuse(complaint, "reopen")
    _bump(
        complaint,
        resolved=-1,
        resolved_on_time=-int(_on_time(complaint)),
        replied=-int(bool(complaint.reply)),
        **(
            {
                "rated": -1,
                "satisfaction_sum": -complaint.satisfaction,
                "satisfied": -int(complaint.satisfaction >= 4),
            }
            if complaint.satisfaction
            else {}
        ),
    )
    complaint.reopen_count += 1
    complaint.resolved_at = None
    complaint.closed_at = None
    complaint.satisfaction = None
    complaint.rated_at = None
    complaint.outcome = ""
    complaint.upheld_against_company = False
    today = timezone.localdate()
    complaint.resolve_due = calendar_around(today).add(today, complaint.category.resolve_days)
    complaint.overdue = False
    return _move(complaint, user=user, action="reopen", note=note, label=label)


@transaction.atomic
def reopen(*, user, complaint_id: int, note: str) -> Complaint:
    if not (note or "").strip():
        raise ValidationError({"note": _("请说明重新办理的原因。")})
    return _reopen(_locked(user, complaint_id), user=user, note=note.strip())


@transaction.atomic
def escalate(*, user, complaint_id: int, level: str, note: str) -> Complaint:
    complaint = _locked(user, complaint_id)
    if level not in (Escalation.STREET, Escalation.DISTRICT):
        raise ValidationError({"escalation": _("请选择升级到街道或区联席会议。")})
    if not (note or "").strip():
        raise ValidationError({"note": _("请说明升级的理由。")})
    complaint.escalation = level
    return _move(
        complaint,
        user=user,
        action="escalate",
        note=_("提交%(level)s：%(note)s") % {"level": Escalation(level).label, "note": note.strip()},
        public=False,
    )


@transaction.atomic
def add_note(*, user, complaint_id: int, note: str, public: bool = False) -> Step:
    complaint = _locked(user, complaint_id)
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写内容。")})
    return _step(complaint, user=user, action="note", note=note.strip(), public=public)


@transaction.atomic
def record_return_visit(*, user, complaint_id: int, rating: int, note: str = "") -> Complaint:
    complaint = _locked(user, complaint_id)
    if complaint.status not in FINISHED_STATUSES:
        _refuse(complaint, "return_visit")
    if rating not in range(1, 6):
        raise ValidationError({"return_visit_rating": _("回访满意度应为1至5。")})
    complaint.return_visit_at = timezone.now()
    complaint.return_visit_rating = rating
    complaint.return_visit_note = (note or "").strip()[:500]
    complaint.save()
    _step(
        complaint,
        user=user,
        action="return_visit",
        note=_("回访满意度%(r)s。%(note)s") % {"r": rating, "note": complaint.return_visit_note},
    )
    return complaint


@transaction.atomic
def link(*, user, complaint_id: int, other_number: str) -> Complaint:
    complaint = _locked(user, complaint_id)
    other = scoped(Complaint.objects.all(), user).filter(number=(other_number or "").strip().upper()).first()
    if other is None:
        raise ValidationError({"number": _("没有找到该工单，或不在您的管辖范围内。")})
    if other.pk == complaint.pk:
        raise ValidationError({"number": _("不能关联工单本身。")})
    complaint.linked.add(other)
    _step(complaint, user=user, action="link", note=other.number)
    return complaint


def reveal_phone(*, user, complaint_id: int, ip: str | None = None) -> str:
    """The full number, for staff who may work the case; every look is logged."""
    complaint = get_scoped_object_or_404(Complaint.objects.all(), user, Action.CHANGE, pk=complaint_id)
    PhoneView.objects.create(complaint=complaint, user=user, ip=ip)
    return complaint.reporter_phone


# --- the resident ------------------------------------------------------------------------


@transaction.atomic
def rate(*, complaint: Complaint, satisfaction: int, comment: str = "", reopen_requested: bool = False) -> Complaint:
    """Once resolved, the resident rates the outcome once. Dissatisfied (1–2)
    and asking for it, the case is reopened; otherwise it is closed."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status != Status.RESOLVED or complaint.satisfaction is not None:
        raise ValidationError(_("该工单目前不能评价（办结后可评价一次）。"), code="cannot_rate")
    if satisfaction not in range(1, 6):
        raise ValidationError({"satisfaction": _("请选择1至5的满意度。")})
    complaint.satisfaction = satisfaction
    complaint.rating_comment = (comment or "").strip()[:500]
    complaint.rated_at = timezone.now()
    complaint.save()
    _step(
        complaint,
        user=None,
        label=RESIDENT,
        action="rate",
        note=_("满意度%(s)s。%(c)s") % {"s": satisfaction, "c": complaint.rating_comment},
        public=True,
    )
    _bump(complaint, rated=1, satisfaction_sum=satisfaction, satisfied=int(satisfaction >= 4))
    if reopen_requested and satisfaction <= 2:
        return _reopen(complaint, user=None, label=RESIDENT, note=_("居民不满意，要求重新办理。"))
    complaint.closed_at = timezone.now()
    return _move(complaint, user=None, label=RESIDENT, action="close", note=_("居民已评价，结案。"))


# --- choices -----------------------------------------------------------------------------


def assignable(*, user, complaint: Complaint) -> dict:
    """Choices for the assign form: the communities, property companies and
    rights units of the case's street or district that the user may see,
    each read through its own app's selectors."""
    return {
        "communities": communities_for(user=user).filter(street_id=complaint.street_id)
        if complaint.street_id
        else communities_for(user=user).filter(street__district_id=complaint.district_id),
        "companies": companies_for(user=user, district_id=complaint.district_id),
        "rights_units": rights_units_for(user=user).filter(district_id=complaint.district_id),
    }
