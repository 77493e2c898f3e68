"""Monthly assessments of the managing body and the exit rule (责令退出) they feed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action, can, get_scoped_object_or_404, scoped, user_scope
from org.models import StreetOffice
from propertymgmt.models import (
    Assessment,
    CompanyStatus,
    Contract,
    ExitOrder,
    OpinionKind,
    PropertyCompany,
    ScoringScheme,
)
from propertymgmt.selectors import exit_ground, exit_list, latest_rectifications
from propertymgmt.services.common import FEN
from propertymgmt.services.contracts import end_contract
from propertymgmt.services.rectification import record_opinion

# Complaints upheld against a company lower its score, but the complaints app
# sits above this one (its cases are assigned to our companies), so it hands us
# its count when it starts (complaints.apps) instead of being imported here.
_upheld_counts = None


def provide_upheld_counts(counter) -> None:
    """Register `counter(*, start, end) -> {company_id: count}`: the complaints
    resolved as upheld against each company between the two dates."""
    global _upheld_counts
    _upheld_counts = counter


def _upheld_complaints(company_id: int | None, month: date) -> int:
    """Complaints resolved against the company during the month."""
    if company_id is None:
        return 0
    if _upheld_counts is None:
        raise ImproperlyConfigured("No app provides the upheld complaint counts (complaints.apps does).")
    last_day = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return _upheld_counts(start=month, end=last_day).get(company_id, 0)


def score_of(*, scheme: ScoringScheme, item_scores: dict, complaints_upheld: int) -> Decimal:
    """The scheme's items summed, less the scheme's deduction per upheld complaint, never below 0."""
    total = Decimal("0")
    for item in scheme.items:
        value = Decimal(str(item_scores.get(item["code"], 0)))
        if value < 0 or value > Decimal(str(item["points"])):
            raise ValidationError(
                {"item_scores": _("“%(name)s”得分应在0至%(max)s之间。") % {"name": item["name"], "max": item["points"]}}
            )
        total += value
    total -= scheme.complaint_deduction * complaints_upheld
    return max(total, Decimal("0")).quantize(FEN)


@transaction.atomic
def record_assessment(
    *,
    user,
    contract_id: int,
    month: date,
    item_scores: dict,
    satisfaction: Decimal,
    security_incidents: int,
    remarks: str = "",
    scheme: ScoringScheme | None = None,
) -> Assessment:
    contract = get_scoped_object_or_404(Contract.objects, user, Action.CHANGE, pk=contract_id)
    scheme = scheme or ScoringScheme.objects.get(is_default=True)
    month = month.replace(day=1)
    upheld = _upheld_complaints(contract.company_id, month)
    assessment = Assessment(
        contract=contract,
        estate_id=contract.estate_id,
        company_id=contract.company_id,
        month=month,
        scheme=scheme,
        item_scores={k: str(v) for k, v in item_scores.items()},
        complaints_upheld=upheld,
        score=score_of(scheme=scheme, item_scores=item_scores, complaints_upheld=upheld),
        satisfaction=satisfaction,
        security_incidents=security_incidents,
        remarks=remarks,
        recorded_by=user,
    )
    assessment._history_user = user
    assessment.full_clean()
    assessment.save()
    return assessment


@transaction.atomic
def order_out(*, user, company_id: int, street_id: int, reason: str, today: date | None = None) -> ExitOrder:
    """The street office orders a company on its exit list out: its contracts in
    that street end with the reason, the order keeps the evidence, and the reason
    is recorded as the street's exit opinion on the company.

    On the safety ground (five or more security incidents in a year) the order is
    immediate; otherwise the company must first have been given a rectification
    order (限期整改) that failed its check or ran past its deadline unchecked."""
    today = today or timezone.localdate()
    street = get_scoped_object_or_404(StreetOffice.objects, user, Action.VIEW, pk=street_id)
    if not can(user, Action.CHANGE, Contract) or user_scope(user).level == "community":
        raise ValidationError(_("责令退出由街道办事处决定。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写责令退出的原因。")})
    listed = [row for row in exit_list(user=user, today=today) if row["company_id"] == company_id]
    listed = [row for row in listed if row["street_id"] == street.pk]
    if not listed:
        raise ValidationError(_("该企业不在本街道的退出名单上，不能责令退出。"))
    company = PropertyCompany.objects.select_for_update().get(pk=company_id)
    latest = latest_rectifications(user=user, pairs={(company_id, street.pk)}).get((company_id, street.pk))
    ground = exit_ground(listed[0], latest, today)
    if ground is None:
        raise ValidationError(
            _(
                "责令退出前须先下达限期整改通知：该企业须有近一年内下达、验收未通过或逾期未验收的整改通知"
                "（近一年治安事件5起及以上的除外）。"
            )
        )
    evidence = {
        "incidents": listed[0]["incidents"],
        "satisfaction": str(listed[0]["satisfaction"]) if listed[0]["satisfaction"] is not None else None,
        "month": listed[0]["month"].isoformat(),
        "reasons": listed[0]["reasons"],
        **ground,
    }
    order = ExitOrder.objects.create(
        company=company,
        street=street,
        reason=reason.strip()[:300],
        evidence=evidence,
        ordered_on=today,
        ordered_by=user,
    )
    ended = scoped(Contract.objects, user, Action.CHANGE).filter(
        company=company, ended_on__isnull=True, estate__community__street=street
    )
    for contract in ended:
        end_contract(user=user, contract_id=contract.pk, ended_on=today, reason=_("责令退出：%(r)s") % {"r": reason})
    company.status = CompanyStatus.ORDERED_OUT
    company._history_user = user
    company.save(update_fields=["status"])
    record_opinion(
        user=user,
        company_id=company.pk,
        street_id=street.pk,
        kind=OpinionKind.EXIT,
        text=reason,
        given_on=today,
        exit_order=order,
        today=today,
    )
    return order
