"""Maintenance-fund pages (维修资金台账): the accounts in the user's scope, one account
with its transactions and running balance and the forms to post to it, opening an
account for an estate, and the per-street report (page and .xlsx)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.scoping import Action, can
from communities.selectors import estate_for, streets_for
from core.forms import apply_errors
from core.pagination import paginate
from core.params import MAX_ID, int_param, year_param
from core.xlsx import xlsx_download
from propertymgmt import selectors, services
from propertymgmt.exports import write_fund_report
from propertymgmt.forms import FundAccountForm, FundTransactionForm, FundTransferForm
from propertymgmt.models import FundAccount, FundAccountHolder


def _holder_choices():
    """The list's holder filter: the holders, and the selling units that no longer exist."""
    gone = dict(selectors.HOLDER_GROUPS)[selectors.SELLING_UNIT_GONE]
    return [*FundAccountHolder.choices, (selectors.SELLING_UNIT_GONE, gone)]


@login_required
@require_GET
def fund_account_list(request):
    street_id = int_param(request, "street", default=None, min=1, max=MAX_ID)
    holder = request.GET.get("holder", "")
    holders = dict(_holder_choices())
    if holder not in holders:
        holder = ""
    below = request.GET.get("below") == "1"
    queryset = selectors.fund_accounts_for(user=request.user, street_id=street_id, holder=holder, below=below)
    page = paginate(request, queryset)
    rows = [
        (
            account,
            selectors.is_below(account.balance, account.initial),
            selectors.top_up_needed(account.balance, account.initial),
        )
        for account in page.object_list
    ]
    return render(
        request,
        "propertymgmt/fundaccount_list.html",
        {
            "page": page,
            "rows": rows,
            "streets": streets_for(user=request.user),
            "street_id": street_id,
            "holders": list(holders.items()),
            "holder": holder,
            "below": below,
        },
    )


FUND_FORMS = {"record": FundTransactionForm, "transfer": FundTransferForm}


def _account_forms(request, which=None):
    today = timezone.localdate()
    forms_ = {}
    for key, form_class in FUND_FORMS.items():
        data = request.POST if key == which else None
        kwargs = {"user": request.user} if key == "transfer" else {}
        initial = {"booked_on": today} if key == "record" else {"on": today}
        forms_[key] = form_class(data, prefix=key, initial=initial, **kwargs)
    return forms_


def _save_account_form(request, account, which, data):
    if which == "record":
        services.record_fund_transaction(
            user=request.user,
            account_id=account.pk,
            kind=data["kind"],
            amount=data["amount"],
            booked_on=data["booked_on"],
            note=data["note"],
        )
    else:
        services.transfer_fund_account(
            user=request.user,
            account_id=account.pk,
            to_holder=data["to_holder"],
            holder_unit_id=data["holder_unit"].pk if data["holder_unit"] else None,
            bank=data["bank"],
            on=data["on"],
            note=data["note"],
        )


@login_required
def fund_account_detail(request, pk):
    account = selectors.fund_account_for(user=request.user, account_id=pk)
    can_change = can(request.user, Action.CHANGE, FundAccount)
    which = request.POST.get("form") if request.method == "POST" else None
    if request.method == "POST":
        if which not in FUND_FORMS:
            raise Http404
        if not can_change:
            raise PermissionDenied(_("您没有登记维修资金的权限。"))
    forms_ = _account_forms(request, which)
    if which is not None:
        form = forms_[which]
        if form.is_valid():
            try:
                _save_account_form(request, account, which, form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已记账。"))
                return redirect("propertymgmt:fund_account_detail", pk=account.pk)
    return render(
        request,
        "propertymgmt/fundaccount_detail.html",
        {
            "account": account,
            "statement": selectors.account_statement(account),
            "below": selectors.is_below(account.balance, account.initial),
            "needed": selectors.top_up_needed(account.balance, account.initial),
            "threshold": account.initial * selectors.TOP_UP_SHARE,
            "forms": forms_ if can_change else {},
            "open_form": which,
        },
    )


@login_required
def fund_account_create(request, estate_pk):
    estate = estate_for(user=request.user, estate_id=estate_pk)  # 404 outside the user's scope
    if not can(request.user, Action.CHANGE, FundAccount):
        raise PermissionDenied(_("您没有登记维修资金的权限。"))
    estate = estate_for(user=request.user, estate_id=estate_pk, action=Action.CHANGE)
    data = request.POST if request.method == "POST" else None
    form = FundAccountForm(data, estate=estate, user=request.user, initial={"opened_on": timezone.localdate()})
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        try:
            account = services.open_fund_account(
                user=request.user,
                estate_id=estate.pk,
                building_id=cleaned["building"].pk if cleaned["building"] else None,
                holder=cleaned["holder"],
                holder_unit_id=cleaned["holder_unit"].pk if cleaned["holder_unit"] else None,
                bank=cleaned["bank"],
                opened_on=cleaned["opened_on"],
                remarks=cleaned["remarks"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已建立维修资金账户，请登记首期交存或期初结转。"))
            return redirect("propertymgmt:fund_account_detail", pk=account.pk)
    return render(request, "propertymgmt/fundaccount_form.html", {"estate": estate, "form": form})


def _report_params(request):
    street_id = int_param(request, "street", default=None, min=1, max=MAX_ID)
    year = year_param(request, default=timezone.localdate().year)
    return street_id, year


@login_required
@require_GET
def fund_report(request):
    street_id, year = _report_params(request)
    report = selectors.fund_report(user=request.user, year=year, street_id=street_id)
    groups = [key for key, _label in selectors.HOLDER_GROUPS]
    rows = [(row, [(row[f"{k}_count"], row[f"{k}_balance"]) for k in groups]) for row in report.rows]
    total = [(report.total[f"{k}_count"], report.total[f"{k}_balance"]) for k in groups]
    return render(
        request,
        "propertymgmt/fund_report.html",
        {
            "report": report,
            "rows": rows,
            "total_cells": total,
            "groups": selectors.HOLDER_GROUPS,
            "streets": streets_for(user=request.user),
            "street_id": street_id,
            "year": year,
        },
    )


@login_required
@require_GET
def fund_report_export(request):
    if not can(request.user, Action.EXPORT, FundAccount):
        raise PermissionDenied(_("您没有导出的权限。"))
    street_id, year = _report_params(request)
    report = selectors.fund_report(user=request.user, year=year, street_id=street_id, action=Action.EXPORT)
    return xlsx_download(
        lambda handle: write_fund_report(report, handle, user=request.user),
        filename=f"维修资金情况表-{year}-{date.today():%Y%m%d}.xlsx",
    )
