"""Property pages. Views parse the request, call a selector or service, render."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import Action, can, get_scoped_object_or_404
from communities.choices import ManagementMode
from communities.selectors import estate_for, streets_for
from core.exports import start_export
from core.forms import add_bootstrap_classes, apply_errors
from core.pagination import paginate
from core.params import MAX_ID, id_param, int_param
from core.xlsx import xlsx_download
from propertymgmt import selectors, services, throttle
from propertymgmt.exports import EXPORT_KIND, write_payments
from propertymgmt.forms import (
    AssessmentForm,
    BallotForm,
    BuildingHeadForm,
    CastForm,
    CommitteeForm,
    CommitteeMoveForm,
    CompanyForm,
    ContractForm,
    EndContractForm,
    ExistingCommitteeForm,
    FeeCollectionForm,
    VoteForm,
    WithdrawalForm,
    WithdrawCompanyForm,
)
from propertymgmt.models import (
    BREAK_EVEN_RATE,
    Committee,
    Contract,
    OwnersVote,
    PropertyCompany,
    SubsidyPayment,
    SubsidyPeriod,
    SubsidyRate,
    Tranche,
    VoteStatus,
)


@login_required
@require_GET
def home(request):
    today = timezone.localdate()
    return render(
        request,
        "propertymgmt/home.html",
        {
            "overdue": selectors.overdue_steps(user=request.user, today=today)[:50],
            "exit_list": selectors.exit_list(user=request.user, today=today),
            "notices": selectors.notices_for(user=request.user),
            "can_order_out": can(request.user, Action.CHANGE, Contract),
            "expired_terms": selectors.expired_terms(user=request.user, today=today).count(),
        },
    )


@login_required
@require_GET
def overdue_committees(request):
    """Owners' bodies with a late step not done: the list behind the dashboard's figure."""
    queryset = selectors.overdue_committees(user=request.user, today=timezone.localdate())
    return render(request, "propertymgmt/committee_overdue_list.html", {"page": paginate(request, queryset)})


@login_required
@require_POST
def committee_expire(request):
    """The street office registers the committees whose term has run out (任期届满)."""
    if not can(request.user, Action.CHANGE, Committee):
        raise PermissionDenied(_("您没有修改业主委员会的权限。"))
    try:
        count = services.expire_terms(user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已登记%(n)s个业主委员会任期届满，转入换届。") % {"n": count})
    return redirect("propertymgmt:home")


@login_required
@require_GET
def company_list(request):
    page = paginate(request, selectors.companies_with_contract_counts(user=request.user))
    return render(
        request,
        "propertymgmt/propertycompany_list.html",
        {"page": page, "can_create": can(request.user, Action.CREATE, PropertyCompany)},
    )


@login_required
def company_create(request, pk=None):
    company = None
    if pk is not None:
        company = get_scoped_object_or_404(PropertyCompany.objects, request.user, Action.CHANGE, pk=pk)
    elif not can(request.user, Action.CREATE, PropertyCompany):
        raise PermissionDenied(_("物业服务企业由区级管理人员登记。"))
    form = CompanyForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_company(user=request.user, data=form.cleaned_data, company_id=company.pk if company else None)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记物业服务企业。"))
            return redirect("propertymgmt:company_list")
    return render(request, "propertymgmt/propertycompany_form.html", {"form": form})


@login_required
def company_withdraw(request, pk):
    """The district records that a company has left (撤出); its contracts end."""
    company = get_scoped_object_or_404(PropertyCompany.objects, request.user, Action.CHANGE, pk=pk)
    form = WithdrawCompanyForm(request.POST or None, initial={"withdrawn_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_company(user=request.user, company_id=company.pk, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记%(name)s撤出，其在管合同已终止。") % {"name": company.name})
            return redirect("propertymgmt:company_list")
    return render(request, "propertymgmt/propertycompany_withdraw.html", {"form": form, "company": company})


@login_required
@require_GET
def contract_list(request):
    queryset = selectors.contracts_for(user=request.user)
    if request.GET.get("active") == "1":
        queryset = queryset.filter(ended_on__isnull=True)
    page = paginate(request, queryset.order_by("estate__name", "-starts_on", "-id"))
    return render(
        request,
        "propertymgmt/contract_list.html",
        {"page": page, "can_create": can(request.user, Action.CREATE, Contract)},
    )


@login_required
def contract_create(request):
    if not can(request.user, Action.CREATE, Contract):
        raise PermissionDenied(_("您没有权限执行此操作。"))
    form = ContractForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        estate = data.pop("estate")
        try:
            services.start_contract(user=request.user, estate_id=estate.pk, data=data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记合同，小区管理模式已随之更新。"))
            return redirect("propertymgmt:contract_list")
    return render(request, "propertymgmt/contract_form.html", {"form": form})


@login_required
def contract_end(request, pk):
    contract = get_scoped_object_or_404(selectors.contracts_for(user=request.user), request.user, Action.CHANGE, pk=pk)
    form = EndContractForm(request.POST or None, initial={"ended_on": timezone.localdate()}, contract=contract)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_contract(
                user=request.user,
                contract_id=contract.pk,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
                vote_id=form.cleaned_data["vote"].pk if form.cleaned_data["vote"] else None,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("合同已结束。"))
            return redirect("propertymgmt:contract_list")
    return render(request, "propertymgmt/contract_end.html", {"form": form, "contract": contract})


@login_required
@require_POST
def order_out(request):
    if not can(request.user, Action.CHANGE, Contract):
        raise PermissionDenied(_("责令退出由街道办事处决定。"))
    try:
        services.order_out(
            user=request.user,
            # Junk ids name nothing: 0 is "not found" to the service.
            company_id=id_param(request.POST, "company") or 0,
            street_id=id_param(request.POST, "street") or 0,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已责令退出，该企业在本街道的合同已结束。"))
    return redirect("propertymgmt:home")


# --- Votes --------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def vote_list(request):
    page = paginate(request, selectors.votes_for(user=request.user).order_by("-opens_on", "-id"))
    return render(
        request,
        "propertymgmt/ownersvote_list.html",
        {"page": page, "can_create": can(request.user, Action.CREATE, OwnersVote)},
    )


@login_required
def vote_create(request):
    if not can(request.user, Action.CREATE, OwnersVote):
        raise PermissionDenied(_("您没有权限执行此操作。"))
    form = VoteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        estate = data.pop("estate")
        try:
            vote = services.open_vote(user=request.user, estate_id=estate.pk, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("propertymgmt:vote_detail", pk=vote.pk)
    return render(request, "propertymgmt/ownersvote_form.html", {"form": form})


@login_required
def vote_detail(request, pk):
    vote = get_scoped_object_or_404(OwnersVote.objects.select_related("estate"), request.user, pk=pk)
    can_change = selectors.may_change_vote(user=request.user, vote_id=vote.pk)
    form = BallotForm(request.POST or None, vote=vote)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied(_("您没有权限执行此操作。"))
        try:
            if request.POST.get("close"):
                services.close_vote(user=request.user, vote_id=vote.pk)
                messages.success(request, _("表决已结束，结果已固定。"))
            elif form.is_valid():
                services.record_paper_ballot(
                    user=request.user,
                    vote_id=vote.pk,
                    household_id=form.cleaned_data["household"],
                    choice=form.cleaned_data["choice"],
                )
                messages.success(request, _("已录入纸质表决票。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("propertymgmt:vote_detail", pk=vote.pk)
    result = services.tally(vote)
    return render(
        request,
        "propertymgmt/ownersvote_detail.html",
        {"vote": vote, "result": result, "form": form, "can_change": can_change and vote.status == VoteStatus.OPEN},
    )


@login_required
@require_POST
def vote_codes(request, pk):
    """One-time codes to hand to owners (printed once; only hashes are kept)."""
    vote = get_scoped_object_or_404(OwnersVote.objects, request.user, Action.CHANGE, pk=pk)
    try:
        codes = services.issue_codes(user=request.user, vote_id=vote.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("propertymgmt:vote_detail", pk=vote.pk)
    electors = selectors.electors_by_household(vote)
    rows = [(electors[h], code) for h, code in codes.items()]
    return render(request, "propertymgmt/ownersvote_codes.html", {"vote": vote, "rows": rows})


def vote_cast(request, pk):
    """Public: an owner casts the home's vote with the one-time code. Wrong codes are
    rate-limited per address and per vote (429 with a page saying so, never an error)."""
    vote = selectors.vote_for_casting(vote_id=pk)
    if vote is None:
        raise Http404(_("没有找到该表决。"))
    form = CastForm(request.POST or None)
    done = False
    if request.method == "POST":
        ip = throttle.client_ip(request)
        limit = throttle.blocked(ip, vote.pk)
        if limit is not None:
            return render(
                request,
                "propertymgmt/ownersvote_cast_limited.html",
                {"vote": vote, "per_vote": limit == "vote"},
                status=429,
            )
        if form.is_valid():
            try:
                services.cast_online(
                    vote_id=vote.pk, code=form.cleaned_data["code"], choice=form.cleaned_data["choice"]
                )
            except ValidationError as exc:
                if "code" in getattr(exc, "error_dict", {}):
                    throttle.wrong_code(ip, vote.pk)
                apply_errors(form, exc)
            else:
                done = True
    return render(request, "propertymgmt/ownersvote_cast.html", {"vote": vote, "form": form, "done": done})


# --- Subsidies ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def subsidy_periods(request):
    periods = list(selectors.periods_for(user=request.user)[:40])
    rates = []
    if request.user.district_id:
        labels = dict(ManagementMode.choices)
        rates = [
            (labels.get(r.management_mode, r.management_mode), r.rate, r.district_id is not None)
            for r in selectors.subsidy_rates(district_id=request.user.district_id)
        ]
    return render(
        request,
        "propertymgmt/subsidyperiod_list.html",
        {
            "periods": periods,
            "rates": rates,
            "can_approve": can(request.user, Action.APPROVE, SubsidyPayment),
            "modes": [m for m in ManagementMode.choices if m[0] != ManagementMode.NONE],
        },
    )


@login_required
@require_POST
def subsidy_rate_set(request):
    if not can(request.user, Action.CHANGE, SubsidyRate):
        raise PermissionDenied(_("补贴标准由区级管理人员设置。"))
    try:
        rate = Decimal(request.POST.get("rate", ""))
        services.set_subsidy_rate(user=request.user, management_mode=request.POST.get("mode", ""), rate=rate)
    except InvalidOperation:
        messages.error(request, _("补贴标准应为数字（元/㎡·年）。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("补贴标准已更新，下一次生成的补贴按新标准计算。"))
    return redirect("propertymgmt:subsidy_periods")


@login_required
@require_POST
def subsidy_run(request):
    """Run now what the daily task runs, for the official's district: the result is a
    list of proposed payments to preview before approving."""
    if not can(request.user, Action.APPROVE, SubsidyPayment) or not request.user.district_id:
        raise PermissionDenied(_("只有区级管理人员可以生成补贴。"))
    period = services.ensure_period(district_id=request.user.district_id, day=timezone.localdate())
    added = services.run_advance(period_id=period.pk)
    messages.success(request, _("已生成%(n)s笔预拨款，请预览后审批。") % {"n": added})
    return redirect("propertymgmt:subsidy_payments", period_pk=period.pk)


def _street_param(request):
    """The street to narrow the payments to; junk is a 400 naming `street`."""
    return int_param(request, "street", default=None, min=1, max=MAX_ID)


@login_required
def subsidy_payments(request, period_pk):
    period = get_scoped_object_or_404(SubsidyPeriod.objects, request.user, pk=period_pk)
    street_id = _street_param(request)
    if request.method == "POST":
        tranche = request.POST.get("tranche")
        if tranche not in Tranche.values:
            raise Http404
        try:
            count = services.approve_payments(
                user=request.user, period_id=period.pk, tranche=tranche, street_id=street_id
            )
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        messages.success(request, _("已审批%(n)s笔补贴。") % {"n": count})
        return redirect(request.get_full_path())
    queryset = selectors.payments_for(user=request.user, period_id=period.pk, street_id=street_id)
    return render(
        request,
        "propertymgmt/subsidypayment_list.html",
        {
            "period": period,
            "page": paginate(request, queryset),
            "totals": selectors.payment_totals(queryset),
            "streets": streets_for(user=request.user),
            "street_id": street_id,
            "can_approve": can(request.user, Action.APPROVE, SubsidyPayment),
            "query": f"street={street_id}" if street_id else "",
        },
    )


@login_required
@require_GET
def subsidy_export(request, period_pk):
    period = get_scoped_object_or_404(SubsidyPeriod.objects, request.user, pk=period_pk)
    if not can(request.user, Action.EXPORT, SubsidyPayment):
        raise PermissionDenied(_("您没有导出的权限。"))
    street_id = _street_param(request)
    queryset = selectors.payments_for(user=request.user, period_id=period.pk, street_id=street_id, action=Action.EXPORT)
    filename = f"物业补贴发放表-{period.label}-{date.today():%Y%m%d}.xlsx"
    total = queryset.count()
    if total > settings.EXPORT_SYNC_MAX_ROWS:
        job = start_export(
            user=request.user,
            kind=EXPORT_KIND,
            total_rows=total,
            params={"period": period.pk, "street": street_id, "filename": filename},
        )
        return redirect("core:export_job", pk=job.pk)
    return xlsx_download(
        lambda handle: write_payments(queryset, handle, period=period, user=request.user), filename=filename
    )


# --- One estate's property management --------------------------------------------------------------------------


ESTATE_FORMS = {
    "fee": FeeCollectionForm,
    "assessment": AssessmentForm,
    "committee": CommitteeForm,
    "committee_move": CommitteeMoveForm,
    "committee_existing": ExistingCommitteeForm,
    "withdraw": WithdrawalForm,
    "head": BuildingHeadForm,
}


def _estate_forms(estate, data=None, which=None):
    committee = selectors.live_committee(estate)
    forms_ = {}
    for key, form_class in ESTATE_FORMS.items():
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
    forms_ = _estate_forms(estate, request.POST if which else None, which)
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
            "can_change": selectors.may_change_estate(user=request.user, estate=estate),
            "today": timezone.localdate(),
        },
    )
