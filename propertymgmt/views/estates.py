"""One estate's property management on one page: fees, assessments, the owners'
committee and its steps, fund withdrawals and building heads, each with its form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action, can
from communities.selectors import estate_for
from core.forms import add_bootstrap_classes, apply_errors
from core.params import id_param
from propertymgmt import selectors, services
from propertymgmt.forms import (
    AssessmentForm,
    BuildingHeadForm,
    CommitteeForm,
    CommitteeMoveForm,
    ExistingCommitteeForm,
    FeeCollectionForm,
    WithdrawalForm,
)
from propertymgmt.models import BREAK_EVEN_RATE, FundAccount

ESTATE_FORMS = {
    "fee": FeeCollectionForm,
    "assessment": AssessmentForm,
    "committee": CommitteeForm,
    "committee_move": CommitteeMoveForm,
    "committee_existing": ExistingCommitteeForm,
    "withdraw": WithdrawalForm,
    "head": BuildingHeadForm,
}


def _estate_forms(estate, data=None, which=None, *, user):
    committee = selectors.live_committee(estate)
    forms_ = {}
    for key, form_class in ESTATE_FORMS.items():
        if key == "withdraw" and not can(user, Action.CHANGE, FundAccount):
            continue  # the fund ledger is kept by district officials and street staff
        bound = data if key == which else None
        kwargs = (
            {"estate": estate}
            if key in ("withdraw", "head", "committee", "committee_move", "committee_existing")
            else {}
        )
        if key == "committee_existing" and committee is not None:
            continue
        if key == "committee":
            kwargs["committee"] = committee
        if key == "committee_move":
            if committee is None or not services.allowed_moves(committee):
                continue
            kwargs["committee"] = committee
            kwargs["initial"] = {"on": timezone.localdate()}
        form = form_class(bound, prefix=key, **kwargs)
        add_bootstrap_classes(form, small=True)
        forms_[key] = form
    return forms_


def _save_estate_form(request, estate, key, form):
    user, data = request.user, form.cleaned_data
    if key == "fee":
        services.record_fee_collection(user=user, estate_id=estate.pk, **data)
    elif key == "assessment":
        contract = selectors.active_contract(estate)
        if contract is None:
            raise ValidationError(_("该小区没有执行中的合同，无法考核。"))
        services.record_assessment(
            user=user,
            contract_id=contract.pk,
            month=data["month"],
            item_scores={k: data[k] for k in ("fee", "inspection", "safety")},
            satisfaction=data["satisfaction"],
            security_incidents=data["security_incidents"],
            remarks=data["remarks"],
        )
    elif key == "committee":
        current = selectors.live_committee(estate)
        services.save_committee(user=user, estate_id=estate.pk, data=data, committee_id=current.pk if current else None)
    elif key == "committee_existing":
        services.record_existing_committee(
            user=user,
            estate_id=estate.pk,
            filed_on=data["filed_on"],
            term_starts_on=data["term_starts_on"],
            term_ends_on=data["term_ends_on"],
            data=data,
        )
    elif key == "committee_move":
        services.move_committee(
            user=user,
            committee_id=selectors.live_committee(estate).pk,
            to_stage=data["to_stage"],
            on=data["on"],
            vote_id=data["vote"].pk if data["vote"] else None,
            term_starts_on=data["term_starts_on"],
            term_ends_on=data["term_ends_on"],
            note=data["note"],
        )
    elif key == "withdraw":
        services.withdraw_fund(
            user=user,
            estate_id=estate.pk,
            vote_id=data["vote"].pk,
            amount=data["amount"],
            purpose=data["purpose"],
            withdrawn_on=data["withdrawn_on"],
            account_id=data["account"].pk if data.get("account") else None,
        )
    elif key == "head":
        services.appoint_building_head(
            user=user, estate_id=estate.pk, building_id=data["building"].pk, name=data["name"], phone=data["phone"]
        )


@login_required
def estate_property(request, estate_pk):
    """Everything property-related about one estate, with the forms to record it."""
    estate = estate_for(user=request.user, estate_id=estate_pk)
    which = request.POST.get("form") if request.method == "POST" else None
    if which is not None and which not in ESTATE_FORMS:
        raise Http404
    if request.method == "POST" and not selectors.may_change_estate(user=request.user, estate=estate):
        raise PermissionDenied(_("您没有权限执行此操作。"))
    if which == "withdraw" and not can(request.user, Action.CHANGE, FundAccount):
        raise PermissionDenied(_("您没有登记维修资金的权限。"))
    forms_ = _estate_forms(estate, request.POST if which else None, which, user=request.user)
    if which is not None:
        if which not in forms_:
            raise Http404
        form = forms_[which]
        if form.is_valid():
            try:
                _save_estate_form(request, estate, which, form)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("propertymgmt:estate_property", estate_pk=estate.pk)
    if request.method == "POST" and which is None and request.POST.get("step"):
        try:
            step_id = id_param(request.POST, "step") or 0  # junk is "not found" (404)
            services.complete_step(user=request.user, step_id=step_id, done_on=timezone.localdate())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("propertymgmt:estate_property", estate_pk=estate.pk)
    return render(
        request,
        "propertymgmt/estate_property.html",
        {
            "estate": estate,
            "forms": forms_,
            "open_form": which,
            **selectors.estate_records(user=request.user, estate=estate),
            "break_even": BREAK_EVEN_RATE,
            "committee": selectors.live_committee(estate),
            "subsidy_years": selectors.subsidies_by_year(user=request.user, estate=estate),
            "fund_accounts": selectors.fund_accounts_for(user=request.user, estate_id=estate.pk),
            "can_change_fund": can(request.user, Action.CHANGE, FundAccount),
            "can_change": selectors.may_change_estate(user=request.user, estate=estate),
            "today": timezone.localdate(),
        },
    )
