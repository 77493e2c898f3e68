"""Reads of disbursement: the batches, one batch's lines and its review figures
(by street, by management mode, against what the period approved), and where each
payment stands (proposed → approved → in batch → paid, or returned → reissued)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Action, get_scoped_object_or_404, scoped
from communities.choices import ManagementMode
from core.db import ExactSum
from propertymgmt.models import BatchLine, DisbursementBatch, SubsidyPayment
from propertymgmt.selectors.payees import receivers_of_estates

# Where a payment stands, for lists: its approval, then its latest line.
PAYOUT_LABELS = {
    "proposed": _("待审批"),
    "approved": _("已审批，待拨付"),
    "pending": _("已纳入拨付批次"),
    "reissued": _("已重新拨付"),
    "paid": _("已支付"),
    "returned": _("已退回"),
}


def with_payout_state(queryset: QuerySet, *, paid_for: str = "payment") -> QuerySet:
    """Annotate `payout_line` (the latest line's status) and `payout_reissue` (whether
    that line is a reissue); `payout_state(payment)` reads them. `paid_for` names the
    line's field pointing at the queryset's rows: "payment", or "award" for 以奖代补."""
    latest = BatchLine.objects.filter(**{paid_for: OuterRef("pk")}).order_by("-id")
    return queryset.annotate(
        payout_line=Subquery(latest.values("status")[:1]),
        payout_reissue=Exists(latest.filter(reissue_of__isnull=False)[:1]),
    )


def payout_state(payment) -> str:
    line = getattr(payment, "payout_line", None)
    if line is None:
        return payment.status
    if line == BatchLine.Status.PENDING and payment.payout_reissue:
        return "reissued"
    return line


def payout_label(payment) -> str:
    return str(PAYOUT_LABELS[payout_state(payment)])


def batches_for(*, user) -> QuerySet:
    """The batches the user may see, with the totals of the lines they may see (a
    street sees its own lines' figures, not the district's)."""
    mine = Q(lines__in=scoped(BatchLine.objects.all(), user).values("pk"))
    return (
        scoped(DisbursementBatch.objects.select_related("period", "released_by", "district"), user)
        .annotate(
            line_count=Count("lines", filter=mine),
            amount=ExactSum("lines__amount", filter=mine, default=0),
            paid=ExactSum("lines__amount", filter=mine & Q(lines__status="paid"), default=0),
            returned=ExactSum("lines__amount", filter=mine & Q(lines__status="returned"), default=0),
        )
        .order_by("-period__starts_on", "-sequence")
    )


def batch_for(*, user, batch_id, action: Action = Action.VIEW) -> DisbursementBatch:
    return get_scoped_object_or_404(
        DisbursementBatch.objects.select_related("period", "released_by"), user, action, pk=batch_id
    )


def batch_lines(*, user, batch: DisbursementBatch) -> QuerySet:
    """The batch's lines the user may see (a street its own), in instruction order."""
    return (
        scoped(BatchLine.objects.filter(batch=batch), user)
        .select_related(
            "payment__estate",
            "payment__period",
            "award__scheme",
            "award__street",
            "award__community",
            "street",
            "payee",
            "reissue_of",
        )
        .order_by("street__code", "payment__estate__name", "id")
    )


@dataclass(frozen=True)
class BatchReview:
    by_street: list[dict]  # street, lines, total, paid, returned
    by_mode: list[dict]  # mode label, lines, total
    overall: dict  # lines, total, paid, returned
    approved_in_period: Decimal  # payments of the batch's period approved in the district
    held: Decimal  # approved, not in any line, waiting for a payee record


def batch_review(*, user, batch: DisbursementBatch) -> BatchReview:
    """What a district official checks before releasing: totals by street and by
    management mode, the period's approved amount and what waits for a payee."""
    lines = scoped(BatchLine.objects.filter(batch=batch), user)
    sums = {
        "lines": Count("id"),
        "total": ExactSum("amount", default=0),
        "paid": ExactSum("amount", filter=Q(status="paid"), default=0),
        "returned": ExactSum("amount", filter=Q(status="returned"), default=0),
    }
    by_street = list(lines.values("street__name", "street__code").annotate(**sums).order_by("street__code"))
    modes = dict(ManagementMode.choices)
    by_mode = [
        {
            **row,
            "label": modes.get(row["payment__management_mode"], row["payment__management_mode"])
            if row["payment__management_mode"]
            else _("以奖代补"),
        }
        for row in lines.values("payment__management_mode")
        .annotate(lines=Count("id"), total=ExactSum("amount", default=0))
        .order_by("payment__management_mode")
    ]
    overall = lines.aggregate(**sums)
    approved = scoped(SubsidyPayment.objects.filter(period=batch.period, status="approved"), user)
    approved_in_period = approved.aggregate(total=ExactSum("amount", default=0))["total"]
    waiting = list(
        scoped(SubsidyPayment.objects.filter(street__district=batch.district_id, status="approved"), user)
        .exclude(Exists(BatchLine.objects.filter(payment=OuterRef("pk"))))
        .values_list("estate_id", "amount")
    )
    receivers = receivers_of_estates({estate for estate, _amount in waiting})
    held = sum((amount for estate, amount in waiting if receivers[estate].payee is None), Decimal("0.00"))
    return BatchReview(by_street, by_mode, overall, approved_in_period, held)


@dataclass(frozen=True)
class Reconciliation:
    rows: list[dict]  # street name, approved, released, paid, returned, unpaid (元) and counts
    total: dict
    differences: list  # the approved payments not paid, each with payout_label and why


def _payment_flags(queryset: QuerySet) -> QuerySet:
    lines = BatchLine.objects.filter(payment=OuterRef("pk"))
    return with_payout_state(
        queryset.alias(
            is_released=Exists(lines.filter(batch__status=DisbursementBatch.Status.RELEASED)),
            is_paid=Exists(lines.filter(status=BatchLine.Status.PAID)),
            is_live=Exists(lines.exclude(status=BatchLine.Status.RETURNED)),
            is_returned=Exists(lines.filter(status=BatchLine.Status.RETURNED)),
        )
    )


RECONCILIATION_SUMS = {
    "approved": Q(status="approved"),
    "released": Q(status="approved", is_released=True),
    "paid": Q(status="approved", is_paid=True),
    "returned": Q(status="approved", is_returned=True, is_live=False),
}


def reconciliation(*, user, period_id: int, street_id: int | None = None, limit: int = 500) -> Reconciliation:
    """对账 of one subsidy period, by street: what was approved, released (in a released
    batch), paid, and returned and not yet reissued; 未支付 = approved − paid. The
    differences are the approved payments not paid, each with where it stands."""
    payments = scoped(SubsidyPayment.objects.filter(period_id=period_id), user)
    if street_id:
        payments = payments.filter(street_id=street_id)
    flagged = _payment_flags(payments)
    sums = {}
    for name, condition in RECONCILIATION_SUMS.items():
        sums[name] = ExactSum("amount", filter=condition, default=0)
        sums[f"{name}_count"] = Count("id", filter=condition)
    rows = list(flagged.values("street_id", "street__name", "street__code").annotate(**sums).order_by("street__code"))
    total = flagged.aggregate(**sums)
    for row in (*rows, total):
        row["unpaid"] = row["approved"] - row["paid"]
        row["unpaid_count"] = row["approved_count"] - row["paid_count"]
    unpaid = list(
        flagged.filter(status="approved", is_paid=False)
        .select_related("estate", "street")
        .order_by("street__code", "estate__name", "tranche", "id")[:limit]
    )
    receivers = receivers_of_estates({p.estate_id for p in unpaid if p.payout_line is None})
    for payment in unpaid:
        payment.payout_text = payout_label(payment)
        receiver = receivers.get(payment.estate_id)
        payment.why = receiver.reason if payment.payout_line is None and receiver is not None else ""
    return Reconciliation(rows, total, unpaid)


def subsidies_by_year(*, user, estate) -> list[dict]:
    """One estate's subsidies by year (of their period): approved, released, paid and
    returned-awaiting-reissue, exact in 元, as the reconciliation defines them."""
    payments = scoped(SubsidyPayment.objects.filter(estate=estate), user)
    sums = {name: ExactSum("amount", filter=condition, default=0) for name, condition in RECONCILIATION_SUMS.items()}
    return list(
        _payment_flags(payments).values("period__starts_on__year").annotate(**sums).order_by("-period__starts_on__year")
    )
