"""Contracts between an estate and its managing body, and the fees collected under them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.scoping import Action, get_scoped_object_or_404
from propertymgmt.models import BODY_MODE, CompanyStatus, Contract, FeeCollection, OwnersVote, VoteSubject
from propertymgmt.services.common import _check_decision, _estate, _set_mode

CONTRACT_FIELDS = (
    "body",
    "company",
    "rights_unit",
    "starts_on",
    "ends_on",
    "service_level",
    "fee_standard",
    "full_service",
    "cleaning",
    "security",
    "greening",
    "repairs",
    "vote",
)


@transaction.atomic
def start_contract(*, user, estate_id: int, data: dict) -> Contract:
    """Record a new contract for an estate. The estate's active contract, if any,
    ends the day the new one starts; the estate's management mode follows the new
    managing body, with history kept by the ledger."""
    estate = _estate(user, estate_id)
    contract = Contract(estate=estate, created_by=user, **{k: v for k, v in data.items() if k in CONTRACT_FIELDS})
    _check_decision(contract.vote, estate=estate, subjects={VoteSubject.HIRE_COMPANY}, field="vote")
    company = contract.company if contract.company_id else None
    if company is not None:
        if company.district_id != estate.community.street.district_id:
            raise ValidationError({"company": _("请选择本区登记的物业服务企业。")})
        if company.status == CompanyStatus.ORDERED_OUT:
            raise ValidationError({"company": _("该企业已被责令退出，不能签订新合同。")})
        if company.status == CompanyStatus.WITHDRAWN:
            raise ValidationError({"company": _("该企业已撤出，不能签订新合同。")})
    if contract.full_service:
        contract.cleaning = contract.security = contract.greening = contract.repairs = False
    contract.full_clean(exclude=["estate"], validate_constraints=False)
    current = Contract.objects.select_for_update().filter(estate=estate, ended_on__isnull=True).first()
    if current is not None:
        if contract.starts_on < current.starts_on:
            raise ValidationError({"starts_on": _("新合同开始日期不能早于现行合同的开始日期。")})
        current.ended_on = contract.starts_on
        current.end_reason = _("由新合同接替")
        current._history_user = user
        current.save(update_fields=["ended_on", "end_reason"])
    contract.full_clean()
    contract._history_user = user
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError as exc:  # a concurrent clerk started one first
        raise ValidationError(_("该小区已有执行中的合同，请先结束原合同。")) from exc
    _set_mode(user=user, estate=estate, mode=BODY_MODE[contract.body], since=contract.starts_on)
    return contract


@transaction.atomic
def end_contract(*, user, contract_id: int, ended_on: date, reason: str, vote_id: int | None = None) -> Contract:
    """End a contract; the estate is unmanaged (无人管理) until the next one starts.

    When the owners dismissed the manager (解聘), the passed vote on hiring or dismissing
    the manager is cited and kept with the contract: it must be this estate's, closed and
    passed, decided during the contract, and not the vote that hired it."""
    contract = get_scoped_object_or_404(
        Contract.objects.select_for_update(of=("self",)).select_related("estate"), user, Action.CHANGE, pk=contract_id
    )
    if contract.ended_on is not None:
        raise ValidationError(_("该合同已经结束。"))
    if not reason.strip():
        raise ValidationError({"end_reason": _("请填写结束原因。")})
    if ended_on < contract.starts_on:
        raise ValidationError({"ended_on": _("结束日期不能早于合同开始日期。")})
    vote = None
    if vote_id:
        vote = OwnersVote.objects.filter(pk=vote_id).first()
        if vote is None:
            raise ValidationError({"vote": _("没有找到所引用的解聘表决。")})
        _check_decision(vote, estate=contract.estate, subjects={VoteSubject.HIRE_COMPANY}, field="vote")
        if vote.pk == contract.vote_id:
            raise ValidationError({"vote": _("选聘该管理人的表决不能作为解聘的依据，请引用解聘表决。")})
        if vote.closes_on < contract.starts_on:
            raise ValidationError({"vote": _("解聘表决须在合同开始之后作出。")})
        if vote.closes_on > ended_on:
            raise ValidationError({"ended_on": _("合同结束日期不能早于解聘表决的截止日期。")})
    contract.ended_on = ended_on
    contract.end_reason = reason.strip()[:200]
    contract.end_vote = vote
    contract._history_user = user
    contract.save(update_fields=["ended_on", "end_reason", "end_vote"])
    _set_mode(user=user, estate=contract.estate, mode="none", since=ended_on, note=reason)
    return contract


@transaction.atomic
def record_fee_collection(
    *, user, estate_id: int, period_start: date, period_end: date, billed: Decimal, collected: Decimal
) -> FeeCollection:
    estate = _estate(user, estate_id)
    contract = Contract.objects.filter(estate=estate, ended_on__isnull=True).first()
    row = FeeCollection(
        estate=estate,
        contract=contract,
        period_start=period_start,
        period_end=period_end,
        billed=billed,
        collected=collected,
    )
    row.full_clean()
    row.save()
    return row
