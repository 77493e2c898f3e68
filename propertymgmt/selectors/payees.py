"""Reads of payees: the lists (masked), one record with its history, and who receives
an estate's subsidy (the body of its active contract and that body's payee record)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.scoping import Action, get_scoped_object_or_404, scoped
from core.validators import mask_account_number
from propertymgmt.models import (
    Committee,
    CommitteeStage,
    Contract,
    ManagingBody,
    Payee,
    PayeeAccountView,
    PayeeBody,
    SubsidyPayment,
)

# A committee or 自管会 receives money once it is filed and while it serves.
PAYING_COMMITTEE_STAGES = (CommitteeStage.FILED, CommitteeStage.IN_TERM, CommitteeStage.RE_ELECTION)


def payees_for(*, user, action: Action = Action.VIEW) -> QuerySet:
    return scoped(
        Payee.objects.select_related("company", "rights_unit", "street", "committee__estate", "updated_by"),
        user,
        action,
    ).order_by("body", "account_name", "id")


def payee_for(*, user, payee_id, action: Action = Action.VIEW) -> Payee:
    return get_scoped_object_or_404(
        Payee.objects.select_related("company", "rights_unit", "street", "committee__estate", "updated_by"),
        user,
        action,
        pk=payee_id,
    )


def body_name(payee: Payee) -> str:
    """The body a payee record belongs to, as a clerk names it."""
    if payee.body == PayeeBody.COMPANY:
        return payee.company.name
    if payee.body == PayeeBody.RIGHTS_UNIT:
        return payee.rights_unit.name
    if payee.body == PayeeBody.STREET_CENTRE:
        return _("%(street)s物业服务中心") % {"street": payee.street.name}
    return f"{payee.committee.estate.name}{payee.committee.get_kind_display()}"


@dataclass(frozen=True)
class HistoryRow:
    at: object
    user: object
    changes: list[tuple[str, str, str]]  # field label, old, new (account numbers masked)


def payee_history(payee: Payee, *, limit: int = 50) -> list[HistoryRow]:
    """Who changed the record, when, old → new; account numbers masked here too."""
    records = list(payee.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    labels = {name: str(Payee._meta.get_field(name).verbose_name) for name in ("account_name", "bank", "branch")}
    labels["account_number"] = str(Payee._meta.get_field("account_number").verbose_name)
    rows = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(rows) == limit:
            break
        changes = []
        for name, label in labels.items():
            new = getattr(newer, name)
            old = getattr(older, name) if older is not None else ""
            if older is not None and new == old:
                continue
            if name == "account_number":
                new, old = mask_account_number(new), mask_account_number(old) if old else ""
            changes.append((label, old, new))
        rows.append(HistoryRow(at=newer.history_date, user=newer.history_user, changes=changes))
    return rows


def account_views(payee: Payee, *, limit: int = 50) -> list[PayeeAccountView]:
    return list(payee.account_views.select_related("user")[:limit])


@dataclass(frozen=True)
class Receiver:
    """Who receives an estate's subsidy: the payee record, or why there is none."""

    payee: Payee | None
    body: str  # PayeeBody value, "" when the estate has no managing body
    target_id: int | None  # the body's id (company, rights unit, street, committee)
    reason: str  # "" when payee is set


def receivers_of_estates(estate_ids) -> dict[int, Receiver]:
    """The receiver of each estate's subsidy, in four queries whatever their number:
    the body of the estate's active contract (a company, a rights unit, the street's
    service centre, or for owners' self-management the committee or 自管会 that is
    filed and serving) and that body's payee record."""
    estate_ids = list(estate_ids)
    contracts = {
        row["estate_id"]: row
        for row in Contract.objects.filter(estate_id__in=estate_ids, ended_on__isnull=True)
        .order_by("estate_id", "-starts_on", "-id")
        .values("estate_id", "body", "company_id", "rights_unit_id", "estate__community__street_id")
    }
    owners_estates = [e for e, c in contracts.items() if c["body"] == ManagingBody.OWNERS]
    committees = {}
    for row in (
        Committee.objects.filter(estate_id__in=owners_estates, stage__in=PAYING_COMMITTEE_STAGES)
        .order_by("estate_id", "id")
        .values("estate_id", "id")
    ):
        committees[row["estate_id"]] = row["id"]
    wanted = {
        (c["body"], c["company_id"] or c["rights_unit_id"] or c["estate__community__street_id"])
        for c in contracts.values()
    }
    ids_of = {body: [target for b, target in wanted if b == body] for body in ManagingBody.values}
    payees = {}
    for payee in Payee.objects.filter(
        Q(company_id__in=ids_of[ManagingBody.COMPANY])
        | Q(rights_unit_id__in=ids_of[ManagingBody.RIGHTS_UNIT])
        | Q(body=PayeeBody.STREET_CENTRE, street_id__in=ids_of[ManagingBody.STREET_CENTRE])
        | Q(committee_id__in=list(committees.values()))
    ):
        key = payee.company_id or payee.rights_unit_id or payee.committee_id or payee.street_id
        payees[(payee.body, key)] = payee
    receivers = {}
    for estate_id in estate_ids:
        contract = contracts.get(estate_id)
        if contract is None:
            reason = _("小区没有在管的物业服务合同或管理协议，无法确定收款主体。")
            receivers[estate_id] = Receiver(None, "", None, reason)
            continue
        body = contract["body"]
        if body == ManagingBody.OWNERS:
            committee_id = committees.get(estate_id)
            if committee_id is None:
                receivers[estate_id] = Receiver(
                    None, PayeeBody.COMMITTEE, None, _("业主自治的小区没有已备案、在任期内的业委会或自管会。")
                )
                continue
            body, target = PayeeBody.COMMITTEE, committee_id
        elif body == ManagingBody.COMPANY:
            target = contract["company_id"]
        elif body == ManagingBody.RIGHTS_UNIT:
            target = contract["rights_unit_id"]
        else:
            body, target = PayeeBody.STREET_CENTRE, contract["estate__community__street_id"]
        payee = payees.get((body, target))
        reason = "" if payee else _("收款主体尚未登记收款信息（户名、开户银行、账号）。")
        receivers[estate_id] = Receiver(payee, body, target, reason)
    return receivers


@dataclass(frozen=True)
class MissingPayee:
    payment: SubsidyPayment
    receiver: Receiver


def payments_missing_payee(*, user, limit: int | None = None) -> list[MissingPayee]:
    """待补充收款信息: the approved payments in the user's scope that cannot be paid
    because their receiver is unknown or has no payee record, with the reason."""
    payments = list(
        scoped(SubsidyPayment.objects.filter(status=SubsidyPayment.Status.APPROVED), user)
        .select_related("estate", "street", "period")
        .order_by("street_id", "estate__name", "period__starts_on", "tranche", "id")
    )
    receivers = receivers_of_estates({p.estate_id for p in payments})
    missing = [MissingPayee(p, receivers[p.estate_id]) for p in payments if receivers[p.estate_id].payee is None]
    return missing[:limit] if limit is not None else missing
