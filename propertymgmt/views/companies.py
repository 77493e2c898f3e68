"""Property pages of companies and their contracts, and the street's order to leave."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import Action, can
from core.edit_views import ScopedEditView
from core.pagination import paginate
from core.params import id_param
from propertymgmt import selectors, services
from propertymgmt.filtersets import ContractFilterSet
from propertymgmt.forms import CompanyForm, ContractForm, EndContractForm, WithdrawCompanyForm
from propertymgmt.models import Contract, PropertyCompany


@login_required
@require_GET
def company_list(request):
    page = paginate(request, selectors.companies_with_contract_counts(user=request.user))
    return render(
        request,
        "propertymgmt/propertycompany_list.html",
        {"page": page, "can_create": can(request.user, Action.CREATE, PropertyCompany)},
    )


class CompanyEdit(ScopedEditView):
    """The district registers a company (no pk) or corrects one."""

    form_class = CompanyForm
    template_name = "propertymgmt/propertycompany_form.html"
    success_message = gettext_lazy("已登记物业服务企业。")

    def get_object(self):
        if "pk" in self.kwargs:
            return selectors.company_for(user=self.request.user, company_id=self.kwargs["pk"], action=Action.CHANGE)
        if not can(self.request.user, Action.CREATE, PropertyCompany):
            raise PermissionDenied(_("物业服务企业由区级管理人员登记。"))
        return None

    def get_form_kwargs(self):
        return {"instance": self.object}

    def save(self, form):
        return services.save_company(
            user=self.request.user, data=form.cleaned_data, company_id=self.object.pk if self.object else None
        )

    def get_success_url(self, company):
        return reverse("propertymgmt:company_list")


company_create = CompanyEdit.as_view()


class CompanyWithdraw(ScopedEditView):
    """The district records that a company has left (撤出); its contracts end."""

    form_class = WithdrawCompanyForm
    template_name = "propertymgmt/propertycompany_withdraw.html"

    def get_object(self):
        return selectors.company_for(user=self.request.user, company_id=self.kwargs["pk"], action=Action.CHANGE)

    def get_form_kwargs(self):
        return {"initial": {"withdrawn_on": timezone.localdate()}}

    def save(self, form):
        return services.withdraw_company(user=self.request.user, company_id=self.object.pk, **form.cleaned_data)

    def get_success_message(self, saved):
        return _("已登记%(name)s撤出，其在管合同已终止。") % {"name": self.object.name}

    def get_success_url(self, saved):
        return reverse("propertymgmt:company_list")

    def get_context_data(self):
        return {"company": self.object}


company_withdraw = CompanyWithdraw.as_view()


@login_required
@require_GET
def contract_list(request):
    filterset = ContractFilterSet(request.GET, queryset=selectors.contracts_for(user=request.user), request=request)
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = paginate(request, queryset.order_by("estate__name", "-starts_on", "-id"))
    return render(
        request,
        "propertymgmt/contract_list.html",
        {"page": page, "filterset": filterset, "can_create": can(request.user, Action.CREATE, Contract)},
    )


class ContractCreate(ScopedEditView):
    form_class = ContractForm
    template_name = "propertymgmt/contract_form.html"
    success_message = gettext_lazy("已登记合同，小区管理模式已随之更新。")

    def get_object(self):
        if not can(self.request.user, Action.CREATE, Contract):
            raise PermissionDenied(_("您没有权限执行此操作。"))
        return None

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def save(self, form):
        data = dict(form.cleaned_data)
        estate = data.pop("estate")
        return services.start_contract(user=self.request.user, estate_id=estate.pk, data=data)

    def get_success_url(self, contract):
        return reverse("propertymgmt:contract_list")


contract_create = ContractCreate.as_view()


class ContractEnd(ScopedEditView):
    form_class = EndContractForm
    template_name = "propertymgmt/contract_end.html"
    success_message = gettext_lazy("合同已结束。")

    def get_object(self):
        return selectors.contract_for(user=self.request.user, contract_id=self.kwargs["pk"], action=Action.CHANGE)

    def get_form_kwargs(self):
        return {"initial": {"ended_on": timezone.localdate()}, "contract": self.object}

    def save(self, form):
        vote = form.cleaned_data["vote"]
        return services.end_contract(
            user=self.request.user,
            contract_id=self.object.pk,
            ended_on=form.cleaned_data["ended_on"],
            reason=form.cleaned_data["reason"],
            vote_id=vote.pk if vote else None,
        )

    def get_success_url(self, saved):
        return reverse("propertymgmt:contract_list")

    def get_context_data(self):
        return {"contract": self.object}


contract_end = ContractEnd.as_view()


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
