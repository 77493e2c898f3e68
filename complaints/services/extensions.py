"""Deadline extensions: staff ask, a district official decides."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action
from complaints.models import WORKING_STATUSES, ExtensionRequest
from complaints.services.transitions import _locked, _refuse, _step
from complaints.workdays import calendar_around


@transaction.atomic
def request_extension(*, user, complaint_id: int, days: int, reason: str) -> ExtensionRequest:
    complaint = _locked(user, complaint_id)
    if complaint.status not in WORKING_STATUSES:
        _refuse(complaint, "extend")
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写延期理由。")})
    if complaint.extensions.filter(decision=ExtensionRequest.Decision.PENDING).exists():
        raise ValidationError(_("该工单已有待审批的延期申请。"))
    request = ExtensionRequest(complaint=complaint, days=days, reason=reason.strip(), requested_by=user)
    request.full_clean()
    request.save()
    _step(
        complaint,
        user=user,
        action="extend_request",
        note=_("申请延期%(days)s个工作日：%(reason)s") % {"days": days, "reason": request.reason},
    )
    return request


@transaction.atomic
def decide_extension(*, user, request_id: int, approve: bool, note: str = "") -> ExtensionRequest:
    """Only a supervisor (Action.APPROVE: district officials) decides."""
    request = ExtensionRequest.objects.select_related("complaint").get(pk=request_id)
    complaint = _locked(user, request.complaint_id, Action.APPROVE)
    request = ExtensionRequest.objects.select_for_update().get(pk=request_id)
    if request.decision != ExtensionRequest.Decision.PENDING:
        raise ValidationError(_("该延期申请已审批。"))
    request.decision = ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REFUSED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.save()
    if approve and complaint.resolve_due:
        complaint.resolve_due = calendar_around(complaint.resolve_due).add(complaint.resolve_due, request.days)
        complaint.overdue = False
        complaint.due_soon = False
        complaint.save()
    text = _("批准延期%(days)s个工作日，新办结时限%(due)s。") if approve else _("未批准延期。")
    _step(
        complaint,
        user=user,
        action="extend_decide",
        note=(text % {"days": request.days, "due": complaint.resolve_due} if approve else text)
        + (f" {note}" if note else ""),
    )
    return request
