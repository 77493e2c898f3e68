"""Payees (收款信息): kept by the district for companies and rights units, by the
street for its service centre and its estates' committees; the full account number
shown to district officials only, each time logged."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scoping import Action, get_scoped_object_or_404, scoped
from communities.selectors import rights_units_for, streets_for
from core.validators import normalize_account_number
from propertymgmt.models import Committee, Payee, PayeeAccountView, PayeeBody, PropertyCompany

PAYEE_FIELDS = ("account_name", "bank", "branch", "account_number")


def _place(payee: Payee, *, user, body: str, target_id) -> None:
    """Set the body a new payee record belongs to, and its district and street, from
    a body the user may see."""
    payee.body = body
    if body == PayeeBody.COMPANY:
        company = get_scoped_object_or_404(PropertyCompany.objects.all(), user, Action.VIEW, pk=target_id)
        payee.company, payee.district_id = company, company.district_id
    elif body == PayeeBody.RIGHTS_UNIT:
        unit = get_scoped_object_or_404(rights_units_for(user=user), user, Action.VIEW, pk=target_id)
        payee.rights_unit, payee.district_id = unit, unit.district_id
    elif body == PayeeBody.STREET_CENTRE:
        street = get_scoped_object_or_404(streets_for(user=user), user, Action.VIEW, pk=target_id)
        payee.street, payee.district_id = street, street.district_id
    elif body == PayeeBody.COMMITTEE:
        committee = get_scoped_object_or_404(
            Committee.objects.select_related("estate__community__street"), user, Action.VIEW, pk=target_id
        )
        street = committee.estate.community.street
        payee.committee, payee.street, payee.district_id = committee, street, street.district_id
    else:
        raise ValidationError({"body": _("请选择收款主体类型。")})


@transaction.atomic
def save_payee(*, user, data: dict, payee_id: int | None = None, body: str = "", target_id=None) -> Payee:
    """Create the payee record of a body (`body`, `target_id`) or correct one. The
    account number is kept as its digits; every change is in the record's history."""
    if payee_id is None:
        payee = Payee()
        _place(payee, user=user, body=body, target_id=target_id)
        existing = Payee.objects.filter(
            company=payee.company, rights_unit=payee.rights_unit, committee=payee.committee
        ).filter(body=body)
        if body == PayeeBody.STREET_CENTRE:
            existing = existing.filter(street=payee.street)
        if existing.exists():
            raise ValidationError(_("该收款主体已有收款信息，请在原记录上修改。"))
    else:
        payee = get_scoped_object_or_404(Payee.objects.select_for_update(), user, Action.CHANGE, pk=payee_id)
    for name in PAYEE_FIELDS:
        if name in data:
            setattr(payee, name, (data[name] or "").strip())
    payee.account_number = normalize_account_number(payee.account_number)
    payee.updated_at, payee.updated_by = timezone.now(), user
    payee._history_user = user
    payee.full_clean()
    payee.save()
    # The one scoping rule decides whether this user may keep this body's record
    # (a street its own bodies, the district all of them); refused, nothing stays.
    if not scoped(Payee.objects.filter(pk=payee.pk), user, Action.CHANGE).exists():
        raise PermissionDenied(_("该收款主体的收款信息由区级管理人员登记。"))
    return payee


def may_see_full_account(user) -> bool:
    return bool(user.is_superuser or getattr(user, "role", "") == Role.DISTRICT_OFFICIAL)


@transaction.atomic
def reveal_account_number(*, user, payee_id: int, ip: str | None) -> str:
    """A payee's full account number for a district official, logged as phone views are."""
    payee = get_scoped_object_or_404(Payee.objects.all(), user, Action.VIEW, pk=payee_id)
    if not may_see_full_account(user):
        raise PermissionDenied(_("完整账号仅区级管理人员可查看。"))
    PayeeAccountView.objects.create(payee=payee, user=user, ip=ip or None)
    return payee.account_number


def log_instruction_views(*, user, lines, ip: str | None) -> None:
    """A payment instruction shows each line's full account number: one view per payee."""
    if not may_see_full_account(user):
        raise PermissionDenied(_("完整账号仅区级管理人员可查看。"))
    payees = sorted({line.payee_id for line in lines})
    PayeeAccountView.objects.bulk_create([PayeeAccountView(payee_id=pk, user=user, ip=ip or None) for pk in payees])
