"""The maintenance-fund ledger (维修资金台账): accounts, their transactions, the
vote-gated withdrawals, holder transfers and the 30% top-up reminders.

Every posting locks all of the estate's accounts (in id order, so two postings never
deadlock), checks the balance it is about to lower, writes the transaction and refreshes
the estate's copy of the fund facts (communities.services.cache_fund_facts) in the same
transaction: the balance is the sum of the transactions and never goes below zero."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.scoping import Action, can, get_scoped_object_or_404
from communities import selectors as ledger_selectors
from communities import services as ledger
from propertymgmt.models import (
    FUND_OUTFLOWS,
    FundAccount,
    FundAccountHolder,
    FundTransaction,
    FundTransactionKind,
    FundWithdrawal,
    Notice,
    OwnersVote,
    VoteStatus,
    VoteSubject,
)
from propertymgmt.selectors.fund import accounts_due_for_top_up, balance_of, episode_starts, top_up_needed
from propertymgmt.services.common import _estate

# The kinds a clerk records on the account page; withdrawals and transfers have their own services.
RECORDED_KINDS = (
    FundTransactionKind.INITIAL,
    FundTransactionKind.TOP_UP,
    FundTransactionKind.INTEREST,
    FundTransactionKind.OPENING,
)
# The estate's copy of the holder (communities.FundHolder) for each account holder.
ESTATE_HOLDER = {
    FundAccountHolder.CENTRE: "centre",
    FundAccountHolder.BANK: "bank",
    FundAccountHolder.SELLING_UNIT: "selling_unit",
    FundAccountHolder.UNKNOWN: "other",
}


def _check_writer(user) -> None:
    if not can(user, Action.CHANGE, FundAccount):
        raise PermissionDenied(_("您没有登记维修资金的权限。"))


def _lock_estate_accounts(estate_id: int) -> dict[int, FundAccount]:
    """Lock every account of the estate, in id order: postings to one estate run one at a time."""
    accounts = FundAccount.objects.filter(estate_id=estate_id).select_for_update(of=("self",)).order_by("pk")
    return {account.pk: account for account in accounts}


def _locked_account(user, account_id: int) -> FundAccount:
    """The account the user may change, with its estate's accounts locked."""
    account = get_scoped_object_or_404(FundAccount.objects, user, Action.CHANGE, pk=account_id)
    return _lock_estate_accounts(account.estate_id)[account.pk]


def _refresh_estate(user, estate_id: int, reason: str) -> None:
    """The estate's copy of its fund facts: the sum of all its accounts, and the holder of
    its estate-level account (or of its first building account)."""
    accounts = list(FundAccount.objects.filter(estate_id=estate_id).order_by("building_id", "pk"))
    if not accounts:
        return
    main = next((a for a in accounts if a.building_id is None), accounts[0])
    ledger.cache_fund_facts(
        user=user,
        estate_id=estate_id,
        balance=balance_of(a.pk for a in accounts),
        holder=ESTATE_HOLDER[main.holder],
        holder_unit_id=main.holder_unit_id,
        reason=reason,
    )


def _check_amount(amount) -> Decimal:
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("金额须大于0。")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("金额最多保留两位小数（分）。")})
    return amount


def _post(
    account: FundAccount, *, user, kind: str, amount: Decimal, booked_on: date, note: str = "", withdrawal=None
) -> FundTransaction:
    """One posting to a locked account; an outflow beyond the balance is refused."""
    amount = _check_amount(amount)
    if kind in FUND_OUTFLOWS:
        balance = balance_of([account.pk])
        if amount > balance:
            raise ValidationError(
                {"amount": _("金额超过维修资金账户余额（%(b)s元），账户余额不能为负。") % {"b": f"{balance:,.2f}"}}
            )
    posting = FundTransaction(
        account=account,
        kind=kind,
        amount=amount,
        booked_on=booked_on,
        note=(note or "").strip(),
        withdrawal=withdrawal,
        recorded_by=user,
    )
    posting._history_user = user
    posting.full_clean()
    posting.save()
    return posting


def _check_holder(user, *, estate, holder: str, holder_unit_id: int | None):
    """The holder is a known one; a selling unit is a rights unit the user's district registered."""
    if holder not in FundAccountHolder.values or holder == FundAccountHolder.UNKNOWN:
        raise ValidationError({"holder": _("请选择资金持有方。")})
    if holder != FundAccountHolder.SELLING_UNIT:
        if holder_unit_id:
            raise ValidationError({"holder_unit": _("只有持有方为售房单位时才填写售房单位。")})
        return None
    if not holder_unit_id:
        raise ValidationError({"holder_unit": _("持有方为售房单位时须选择售房单位。")})
    unit = ledger_selectors.rights_units_for(user=user).filter(pk=holder_unit_id).first()
    if unit is None or unit.district_id != estate.community.street.district_id:
        raise ValidationError({"holder_unit": _("售房单位须是本区登记的产权单位。")})
    return unit


@transaction.atomic
def open_fund_account(
    *,
    user,
    estate_id: int,
    holder: str,
    opened_on: date,
    building_id: int | None = None,
    holder_unit_id: int | None = None,
    bank: str = "",
    remarks: str = "",
) -> FundAccount:
    """建账: an account for the estate (at most one) or for one of its buildings (one each)."""
    _check_writer(user)
    estate = _estate(user, estate_id)
    if building_id is not None and not estate.buildings.filter(pk=building_id).exists():
        raise ValidationError({"building": _("请选择本小区的楼栋。")})
    unit = _check_holder(user, estate=estate, holder=holder, holder_unit_id=holder_unit_id)
    _lock_estate_accounts(estate.pk)
    account = FundAccount(
        estate=estate,
        building_id=building_id,
        holder=holder,
        holder_unit=unit,
        bank=(bank or "").strip(),
        opened_on=opened_on,
        remarks=(remarks or "").strip(),
        created_by=user,
    )
    account._history_user = user
    account.full_clean()
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:  # opened at the same moment by someone else
        raise ValidationError(_("该小区或楼栋刚刚已建账，请刷新后查看。")) from exc
    _refresh_estate(user, estate.pk, _("维修资金建账"))
    return account


@transaction.atomic
def record_fund_transaction(
    *, user, account_id: int, kind: str, amount: Decimal, booked_on: date, note: str = ""
) -> FundTransaction:
    """首期交存, 续筹, 利息 or 期初结转 into an account."""
    _check_writer(user)
    if kind not in RECORDED_KINDS:
        raise ValidationError({"kind": _("使用须经业主表决登记，转出转入须通过资金转移办理。")})
    account = _locked_account(user, account_id)
    posting = _post(account, user=user, kind=kind, amount=amount, booked_on=booked_on, note=note)
    _refresh_estate(user, account.estate_id, _("维修资金%(k)s") % {"k": posting.get_kind_display()})
    return posting


@transaction.atomic
def transfer_fund_account(
    *,
    user,
    account_id: int,
    to_holder: str,
    on: date,
    holder_unit_id: int | None = None,
    bank: str = "",
    note: str = "",
) -> FundAccount:
    """资金转移: the account's money leaves its holder (a selling unit, typically) for
    another (the special account, the fund centre). Posts 转出 and 转入 of the whole
    balance and changes the holder, all or nothing."""
    _check_writer(user)
    account = _locked_account(user, account_id)
    estate = account.estate
    unit = _check_holder(user, estate=estate, holder=to_holder, holder_unit_id=holder_unit_id)
    if account.holder == to_holder and account.holder_unit_id == (unit.pk if unit else None):
        raise ValidationError({"to_holder": _("转入方与现持有方相同。")})
    before = account.holder_unit.name if account.holder_unit_id else account.get_holder_display()
    balance = balance_of([account.pk])
    account.holder, account.holder_unit = to_holder, unit
    if bank:
        account.bank = bank.strip()
    after = unit.name if unit else account.get_holder_display()
    if balance > 0:
        extra = f" {note.strip()}" if note and note.strip() else ""
        _post(
            account,
            user=user,
            kind=FundTransactionKind.TRANSFER_OUT,
            amount=balance,
            booked_on=on,
            note=_("自%(from)s转出") % {"from": before} + extra,
        )
        _post(
            account,
            user=user,
            kind=FundTransactionKind.TRANSFER_IN,
            amount=balance,
            booked_on=on,
            note=_("转入%(to)s") % {"to": after} + extra,
        )
    account._history_user = user
    account._change_reason = _("资金转移：%(from)s → %(to)s") % {"from": before, "to": after}
    account.full_clean()
    account.save()
    _refresh_estate(user, estate.pk, _("维修资金转移"))
    return account


def _withdrawal_account(estate, account_id: int | None) -> FundAccount:
    """The account a withdrawal draws on: the one named (of this estate), else the
    estate-level account, else the estate's only account."""
    accounts = _lock_estate_accounts(estate.pk)
    if account_id is not None:
        if account_id not in accounts:
            raise ValidationError({"account": _("请选择本小区的维修资金账户。")})
        return accounts[account_id]
    main = [a for a in accounts.values() if a.building_id is None]
    if main:
        return main[0]
    if len(accounts) == 1:
        return next(iter(accounts.values()))
    if not accounts:
        raise ValidationError({"account": _("该小区尚未建立维修资金账户，请先建账。")})
    raise ValidationError({"account": _("该小区按楼栋建账，请选择使用哪个账户。")})


@transaction.atomic
def withdraw_fund(
    *,
    user,
    estate_id: int,
    vote_id: int | None,
    amount: Decimal,
    purpose: str,
    withdrawn_on: date,
    account_id: int | None = None,
) -> FundWithdrawal:
    """Use the maintenance fund: only on a passed owners' vote of this estate about
    using (or raising) the fund, and never beyond the account's balance. Posts the
    使用 transaction linked to the withdrawal."""
    estate = _estate(user, estate_id)
    _check_writer(user)
    vote = OwnersVote.objects.filter(pk=vote_id, estate=estate).first() if vote_id else None
    if vote is None or vote.status != VoteStatus.CLOSED or not vote.passed or vote.subject != VoteSubject.FUND_USE:
        raise ValidationError({"vote": _("使用维修资金须经业主共同决定（已通过的“使用维修资金”表决）。")})
    _check_amount(amount)
    account = _withdrawal_account(estate, account_id)
    withdrawal = FundWithdrawal(
        estate=estate, vote=vote, amount=amount, purpose=purpose.strip(), withdrawn_on=withdrawn_on, recorded_by=user
    )
    withdrawal._history_user = user
    withdrawal.full_clean()
    withdrawal.save()
    _post(
        account,
        user=user,
        kind=FundTransactionKind.WITHDRAWAL,
        amount=amount,
        booked_on=withdrawn_on,
        note=purpose.strip()[:200],
        withdrawal=withdrawal,
    )
    _refresh_estate(user, estate.pk, _("维修资金使用：%(p)s") % {"p": purpose[:50]})
    return withdrawal


def remind_fund_top_ups() -> int:
    """Weekly: one notice to the street for each account below 30% of its initial
    deposit, once per episode. The key names the transaction that took the account
    below: a top-up back to 30% ends the episode, falling below again starts a new one
    with a new key. Returns the number of notices written."""
    accounts = list(accounts_due_for_top_up())
    starts = episode_starts(a.pk for a in accounts)
    keys = {account.pk: f"fund-topup:{account.pk}:{starts[account.pk]}" for account in accounts if account.pk in starts}
    known = set(Notice.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    notices = []
    for account in accounts:
        key = keys.get(account.pk)
        if key is None or key in known:
            continue
        text = _(
            "【维修资金续筹】%(account)s维修资金余额%(balance)s元，低于首期交存额的30%%，"
            "须续筹%(needed)s元，请督促业主续交。"
        ) % {
            "account": str(account)[:80],
            "balance": f"{account.balance:,.2f}",
            "needed": f"{top_up_needed(account.balance, account.initial):,.2f}",
        }
        notices.append(
            Notice(street_id=account.estate.community.street_id, estate_id=account.estate_id, text=text, key=key)
        )
    return len(Notice.objects.bulk_create(notices, ignore_conflicts=True))


# --- Subsidies ------------------------------------------------------------------------------------------------------
#
# A run writes payments with one INSERT … SELECT per batch of estates, keyed by
# (estate, period, tranche) with ON CONFLICT DO NOTHING: a retry, a second beat
# process or two officials pressing the button at once add nothing. Each batch is
# one transaction, so a failure half-way leaves whole payments (and the next run
# completes the rest), never a partial one. Amounts are computed by PostgreSQL's
# exact numeric arithmetic and rounded half up to the fen:
#   full    = round(area × rate × months / 12, 2)
#   advance = round(full × advance share, 2)                      (70% by default)
