"""Property companies: registered by the district, and their withdrawal (撤出)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action, can, get_scoped_object_or_404
from propertymgmt.models import CompanyStatus, Contract, PropertyCompany
from propertymgmt.services.contracts import end_contract


@transaction.atomic
def save_company(*, user, data: dict, company_id: int | None = None) -> PropertyCompany:
    """Companies are registered by the district (they work across streets)."""
    fields = ("name", "credit_code", "contact_person", "contact_phone", "address")
    if company_id is None:
        if not can(user, Action.CREATE, PropertyCompany) or user.district_id is None and not user.is_superuser:
            raise ValidationError(_("物业服务企业由区级管理人员登记。"))
        company = PropertyCompany(district_id=data.get("district_id") or user.district_id)
    else:
        company = get_scoped_object_or_404(PropertyCompany.objects, user, Action.CHANGE, pk=company_id)
    for name in fields:
        if name in data:
            setattr(company, name, (data[name] or "").strip())
    company.credit_code = company.credit_code.upper()
    company._history_user = user
    company.full_clean()
    company.save()


@transaction.atomic
def withdraw_company(*, user, company_id: int, withdrawn_on: date, reason: str) -> PropertyCompany:
    """A company leaves the district (撤出): its active contracts end that day with the
    reason, so every estate it managed shows as unmanaged until the next contract,
    and it can sign no new ones. Recorded by the district, which registers companies."""
    company = get_scoped_object_or_404(PropertyCompany.objects.select_for_update(), user, Action.CHANGE, pk=company_id)
    if company.status == CompanyStatus.WITHDRAWN:
        raise ValidationError(_("该企业已登记撤出。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写撤出原因。")})
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": _("撤出日期不能晚于今天。")})
    active = Contract.objects.filter(company=company, ended_on__isnull=True).order_by("pk")
    for contract in active:
        if contract.starts_on > withdrawn_on:
            raise ValidationError(
                {"withdrawn_on": _("撤出日期早于%(estate)s合同的开始日期。") % {"estate": contract.estate.name}}
            )
        end_contract(
            user=user,
            contract_id=contract.pk,
            ended_on=withdrawn_on,
            reason=_("企业撤出：%(r)s") % {"r": reason.strip()},
        )
    company.status = CompanyStatus.WITHDRAWN
    company._history_user = user
    company.save(update_fields=["status"])
    return company
