"""Rectification before exit (限期整改) and the streets' opinions on companies (街道意见).

Before a street orders a company out on the satisfaction ground it issues a
rectification order (what, by when, who checks) and records the check; the order
out (services.assessments.order_out) then rests on a failed or overdue order. The
street's opinions on a company's entry, exit and service are recorded on the company.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action, can, get_scoped_object_or_404, scoped, user_scope
from org.models import StreetOffice
from propertymgmt.models import (
    CompanyOpinion,
    Contract,
    ExitOrder,
    OpinionKind,
    PropertyCompany,
    RectificationOrder,
    RectificationResult,
)


def _street_office_decides(user, model, message: str) -> None:
    """Street staff and district officials decide; community workers and auditors do not."""
    if not can(user, Action.CREATE, model) or user_scope(user).level == "community":
        raise ValidationError(message)


def _served_estates(*, user, company, street) -> set[int]:
    """The estates of the street the company manages today (an active contract)."""
    contracts = scoped(Contract.objects, user).filter(
        company=company, ended_on__isnull=True, estate__community__street=street
    )
    return set(contracts.values_list("estate_id", flat=True))


@transaction.atomic
def issue_rectification(
    *,
    user,
    company_id: int,
    street_id: int,
    problems: str,
    deadline: date,
    checker: str = "",
    checker_user=None,
    estate_ids=(),
    today: date | None = None,
) -> RectificationOrder:
    """The street office orders a company serving its estates to fix the problems by
    the deadline. The company need not be on the exit list; one open order per company
    and street at a time (the database's partial unique constraint backs this)."""
    today = today or timezone.localdate()
    _street_office_decides(user, RectificationOrder, _("限期整改通知由街道办事处下达。"))
    street = get_scoped_object_or_404(StreetOffice.objects, user, Action.VIEW, pk=street_id)
    company = get_scoped_object_or_404(PropertyCompany.objects.select_for_update(), user, Action.VIEW, pk=company_id)
    served = _served_estates(user=user, company=company, street=street)
    if not served:
        raise ValidationError({"company": _("该企业目前未在本街道的小区提供物业服务，不能下达整改通知。")})
    estate_ids = {int(pk) for pk in estate_ids}
    if not estate_ids <= served:
        raise ValidationError({"estates": _("涉及小区须是该企业在本街道服务的小区。")})
    if not problems.strip():
        raise ValidationError({"problems": _("请填写整改事项。")})
    if deadline < today:
        raise ValidationError({"deadline": _("整改期限不能早于今天。")})
    if checker_user is not None and not scoped(StreetOffice.objects, checker_user).filter(pk=street.pk).exists():
        raise ValidationError({"checker_user": _("验收人须是本街道或本区的工作人员。")})
    if not checker.strip() and checker_user is None:
        raise ValidationError({"checker": _("请填写由谁验收。")})
    order = RectificationOrder(
        company=company,
        street=street,
        problems=problems.strip(),
        deadline=deadline,
        checker=checker.strip(),
        checker_user=checker_user,
        issued_on=today,
        issued_by=user,
    )
    order._history_user = user
    order.full_clean()  # names an open order of the company in this street (the partial unique constraint)
    order.save()
    if estate_ids:
        order.estates.set(sorted(estate_ids))
    return order


@transaction.atomic
def check_rectification(
    *,
    user,
    order_id: int,
    result: str,
    checked_on: date,
    remarks: str = "",
    today: date | None = None,
) -> RectificationOrder:
    """The check of an order: passed or failed, on a date, with remarks. Recorded once."""
    today = today or timezone.localdate()
    order = get_scoped_object_or_404(RectificationOrder.objects.select_for_update(), user, Action.CHANGE, pk=order_id)
    if order.result:
        raise ValidationError(_("该整改通知已验收，不能再次登记。"))
    if result not in RectificationResult.values:
        raise ValidationError({"result": _("请选择验收结果。")})
    if checked_on > today:
        raise ValidationError({"checked_on": _("验收日期不能晚于今天。")})
    if checked_on < order.issued_on:
        raise ValidationError({"checked_on": _("验收日期不能早于下达日期。")})
    if result == RectificationResult.FAILED and not remarks.strip():
        raise ValidationError({"remarks": _("验收未通过的，请写明未整改到位的问题。")})
    order.result = result
    order.checked_on = checked_on
    order.checked_by = user
    order.check_remarks = remarks.strip()
    order._history_user = user
    order.full_clean()
    order.save(update_fields=["result", "checked_on", "checked_by", "check_remarks"])
    return order


@transaction.atomic
def record_opinion(
    *,
    user,
    company_id: int,
    street_id: int,
    kind: str,
    text: str,
    grade: str = "",
    given_on: date | None = None,
    exit_order: ExitOrder | None = None,
    today: date | None = None,
) -> CompanyOpinion:
    """A street office's opinion on a company's entry, exit or service, for its own street
    (a district official for any street of the district)."""
    today = today or timezone.localdate()
    given_on = given_on or today
    _street_office_decides(user, CompanyOpinion, _("街道意见由街道办事处登记。"))
    street = get_scoped_object_or_404(StreetOffice.objects, user, Action.VIEW, pk=street_id)
    company = get_scoped_object_or_404(PropertyCompany.objects, user, Action.VIEW, pk=company_id)
    if company.district_id != street.district_id:
        raise ValidationError({"street": _("该企业不是本区登记的企业。")})
    if kind not in OpinionKind.values:
        raise ValidationError({"kind": _("请选择意见类型。")})
    if kind != OpinionKind.RATING:
        grade = ""
    if given_on > today:
        raise ValidationError({"given_on": _("日期不能晚于今天。")})
    opinion = CompanyOpinion(
        company=company,
        street=street,
        kind=kind,
        grade=grade,
        text=text.strip(),
        given_on=given_on,
        given_by=user,
        exit_order=exit_order,
    )
    if kind == OpinionKind.RATING and not grade:
        raise ValidationError({"grade": _("评价须选择等次。")})
    if not opinion.text:
        raise ValidationError({"text": _("请填写意见。")})
    opinion._history_user = user
    opinion.full_clean()
    opinion.save()
    return opinion
