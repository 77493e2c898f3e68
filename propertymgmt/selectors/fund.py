"""Reads of the maintenance-fund ledger: accounts with their balance (the sum of their
transactions), an account's statement with the running balance, the accounts due for
a top-up (art. 17: below 30% of the initial deposit) and the per-street report."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.db.models import Case, DecimalField, F, Q, QuerySet, When
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Action, get_scoped_object_or_404, scoped
from communities.choices import RightsUnitStatus
from core.db import ExactSum
from propertymgmt.models import (
    FUND_OUTFLOWS,
    FundAccount,
    FundAccountHolder,
    FundTransaction,
    FundTransactionKind,
    FundWithdrawal,
)

# 住宅专项维修资金管理办法 art. 17: below 30% of the initial deposit, the owners top it up.
TOP_UP_SHARE = Decimal("0.30")
FEN = Decimal("0.01")
# The report's holder groups: the three holders, the selling unit split by whether it still exists.
SELLING_UNIT_GONE = "selling_unit_gone"
HOLDER_GROUPS = (
    (FundAccountHolder.CENTRE, FundAccountHolder.CENTRE.label),
    (FundAccountHolder.BANK, FundAccountHolder.BANK.label),
    (FundAccountHolder.SELLING_UNIT, FundAccountHolder.SELLING_UNIT.label),
    (SELLING_UNIT_GONE, _("售房单位已不存在")),
    (FundAccountHolder.UNKNOWN, FundAccountHolder.UNKNOWN.label),
)


def signed_amount(prefix: str = ""):
    """A transaction's amount with the sign its kind gives, as an SQL expression."""
    return Case(
        When(**{f"{prefix}kind__in": FUND_OUTFLOWS}, then=-F(f"{prefix}amount")),
        default=F(f"{prefix}amount"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def balance_of(account_ids) -> Decimal:
    """The balance of the accounts together: the sum of their transactions."""
    return FundTransaction.objects.filter(account_id__in=list(account_ids)).aggregate(
        b=ExactSum(signed_amount(), default=0)
    )["b"]


def with_figures(queryset: QuerySet) -> QuerySet:
    """Each account with `balance` and `initial` (Σ 首期交存), summed by the database."""
    return queryset.annotate(
        balance=ExactSum(signed_amount("transactions__"), default=0),
        initial=ExactSum("transactions__amount", filter=Q(transactions__kind=FundTransactionKind.INITIAL), default=0),
    )


def below_threshold_q() -> Q:
    """Below 30% of the initial deposit; an account with no initial deposit is not subject."""
    return Q(initial__gt=0, balance__lt=F("initial") * TOP_UP_SHARE)


def is_below(balance: Decimal, initial: Decimal) -> bool:
    return initial > 0 and balance < initial * TOP_UP_SHARE


def top_up_needed(balance: Decimal, initial: Decimal) -> Decimal:
    """What brings the account back to 30% of its initial deposit, to the fen (rounded up)."""
    if not is_below(balance, initial):
        return Decimal("0.00")
    return (initial * TOP_UP_SHARE - balance).quantize(FEN, rounding=ROUND_CEILING)


def fund_accounts_for(
    *,
    user,
    action: Action = Action.VIEW,
    street_id: int | None = None,
    holder: str = "",
    below: bool = False,
    estate_id: int | None = None,
) -> QuerySet:
    """The accounts in the user's scope with their balance and initial deposit. `holder`
    is a FundAccountHolder value or "selling_unit_gone"."""
    queryset = scoped(FundAccount.objects.all(), user, action)
    if street_id is not None:
        queryset = queryset.filter(estate__community__street_id=street_id)
    if estate_id is not None:
        queryset = queryset.filter(estate_id=estate_id)
    if holder == SELLING_UNIT_GONE:
        queryset = (
            queryset.filter(holder=FundAccountHolder.SELLING_UNIT)
            .exclude(holder_unit__status=RightsUnitStatus.ACTIVE)
            .filter(holder_unit__isnull=False)
        )
    elif holder == FundAccountHolder.SELLING_UNIT:
        queryset = queryset.filter(holder=holder).filter(
            Q(holder_unit__isnull=True) | Q(holder_unit__status=RightsUnitStatus.ACTIVE)
        )
    elif holder in FundAccountHolder.values:
        queryset = queryset.filter(holder=holder)
    queryset = with_figures(queryset)
    if below:
        queryset = queryset.filter(below_threshold_q())
    return queryset.select_related("estate__community__street", "building", "holder_unit").order_by(
        "estate__community__street__name", "estate__name", "building_id", "id"
    )


def fund_account_for(*, user, account_id, action: Action = Action.VIEW) -> FundAccount:
    return get_scoped_object_or_404(
        with_figures(FundAccount.objects.select_related("estate__community__street", "building", "holder_unit")),
        user,
        action,
        pk=account_id,
    )


@dataclass(frozen=True)
class StatementLine:
    transaction: FundTransaction
    signed: Decimal
    running: Decimal


def account_statement(account: FundAccount) -> list[StatementLine]:
    """The account's transactions in date order with the balance after each."""
    running = Decimal("0.00")
    lines = []
    for posting in account.transactions.select_related("recorded_by", "withdrawal__vote").order_by("booked_on", "id"):
        running += posting.signed_amount
        lines.append(StatementLine(posting, posting.signed_amount, running))
    return lines


def accounts_due_for_top_up(*, user=None) -> QuerySet:
    """The accounts below 30% of their initial deposit (in the user's scope when given)."""
    queryset = FundAccount.objects.all() if user is None else scoped(FundAccount.objects.all(), user)
    return (
        with_figures(queryset)
        .filter(below_threshold_q())
        .select_related("estate__community__street", "building")
        .order_by("pk")
    )


def episode_starts(account_ids) -> dict[int, int]:
    """For each account now below 30%, the transaction that took it below (the start of
    the current episode): the last posting after which it went from ≥ 30% to below."""
    starts, state = {}, {}
    postings = (
        FundTransaction.objects.filter(account_id__in=list(account_ids))
        .order_by("account_id", "booked_on", "id")
        .values_list("account_id", "id", "kind", "amount")
    )
    for account_id, posting_id, kind, amount in postings.iterator(chunk_size=5000):
        balance, initial, below = state.get(account_id, (Decimal(0), Decimal(0), False))
        balance += -amount if kind in FUND_OUTFLOWS else amount
        if kind == FundTransactionKind.INITIAL:
            initial += amount
        now_below = is_below(balance, initial)
        if now_below and not below:
            starts[account_id] = posting_id
        state[account_id] = (balance, initial, now_below)
    return {account_id: start for account_id, start in starts.items() if state[account_id][2]}


def holder_group(account) -> str:
    if account.holder == FundAccountHolder.SELLING_UNIT and account.holder_unit_gone:
        return SELLING_UNIT_GONE
    return account.holder


@dataclass
class FundReport:
    """维修资金情况表: per street, accounts and balances by holder group, the accounts due
    for a top-up with what brings them to 30%, and the year's withdrawals by purpose."""

    year: int
    rows: list = field(default_factory=list)
    total: dict = field(default_factory=dict)
    withdrawals: list = field(default_factory=list)  # (street, purpose, count, amount)
    withdrawals_total: dict = field(default_factory=dict)


def _empty_row(name: str) -> dict:
    row = {"street": name, "count": 0, "balance": Decimal("0.00"), "due": 0, "needed": Decimal("0.00")}
    for key, _label in HOLDER_GROUPS:
        row[f"{key}_count"] = 0
        row[f"{key}_balance"] = Decimal("0.00")
    return row


def fund_report(*, user, year: int, street_id: int | None = None, action: Action = Action.VIEW) -> FundReport:
    """The report, in two queries: the accounts with their figures, the year's withdrawals."""
    report = FundReport(year=year)
    rows: dict[int, dict] = {}
    total = _empty_row(str(_("合计")))
    for account in fund_accounts_for(user=user, street_id=street_id, action=action).iterator(chunk_size=2000):
        street = account.estate.community.street
        row = rows.setdefault(street.pk, _empty_row(street.name))
        group = holder_group(account)
        needed = top_up_needed(account.balance, account.initial)
        for target in (row, total):
            target["count"] += 1
            target["balance"] += account.balance
            target[f"{group}_count"] += 1
            target[f"{group}_balance"] += account.balance
            if needed:
                target["due"] += 1
                target["needed"] += needed
    report.rows = sorted(rows.values(), key=lambda r: r["street"])
    report.total = total
    withdrawals = scoped(FundWithdrawal.objects.filter(withdrawn_on__year=year), user, action)
    if street_id is not None:
        withdrawals = withdrawals.filter(estate__community__street_id=street_id)
    by_purpose = defaultdict(lambda: [0, Decimal("0.00")])
    for street_name, purpose, amount in withdrawals.values_list("estate__community__street__name", "purpose", "amount"):
        entry = by_purpose[(street_name, purpose)]
        entry[0] += 1
        entry[1] += amount
    report.withdrawals = [(s, p, n, a) for (s, p), (n, a) in sorted(by_purpose.items())]
    report.withdrawals_total = {
        "count": sum(n for _s, _p, n, _a in report.withdrawals),
        "amount": sum((a for _s, _p, _n, a in report.withdrawals), Decimal("0.00")),
    }
    return report
