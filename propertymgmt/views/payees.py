"""Payee pages (收款信息): the list (masked), one record with its history and the logged
full number for district officials, the edit form, and 待补充收款信息."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import Action, can
from core.edit_views import ScopedEditView
from core.http import client_ip
from core.pagination import paginate
from core.params import id_param
from propertymgmt import selectors, services
from propertymgmt.forms import PayeeForm
from propertymgmt.models import Payee, PayeeBody


@login_required
@require_GET
def payee_list(request):
    queryset = selectors.payees_for(user=request.user)
    body = request.GET.get("body", "")
    if body in PayeeBody.values:
        queryset = queryset.filter(body=body)
    page = paginate(request, queryset)
    rows = [(payee, selectors.body_name(payee)) for payee in page.object_list]
    return render(
        request,
        "propertymgmt/payee_list.html",
        {"page": page, "rows": rows, "bodies": PayeeBody.choices, "body": body},
    )


def _detail(request, payee, *, full_number=""):
    district = services.may_see_full_account(request.user)
    return render(
        request,
        "propertymgmt/payee_detail.html",
        {
            "payee": payee,
            "body_name": selectors.body_name(payee),
            "history": selectors.payee_history(payee),
            "views": selectors.account_views(payee) if district else [],
            "may_reveal": district,
            "can_change": can(request.user, Action.CHANGE, Payee),
            "full_number": full_number,
        },
    )


@login_required
@require_GET
def payee_detail(request, pk):
    return _detail(request, selectors.payee_for(user=request.user, payee_id=pk))


@login_required
@require_POST
def payee_reveal(request, pk):
    number = services.reveal_account_number(user=request.user, payee_id=pk, ip=client_ip(request))
    return _detail(request, selectors.payee_for(user=request.user, payee_id=pk), full_number=number)


class PayeeEdit(ScopedEditView):
    """A body's payee record: new (`?body=company&target=ID`) or corrected (pk)."""

    form_class = PayeeForm
    template_name = "propertymgmt/payee_form.html"
    success_message = gettext_lazy("已保存收款信息。")

    def get_object(self):
        if "pk" in self.kwargs:
            return selectors.payee_for(user=self.request.user, payee_id=self.kwargs["pk"], action=Action.CHANGE)
        if not can(self.request.user, Action.CREATE, Payee):
            raise PermissionDenied(_("您没有权限登记收款信息。"))
        # The body comes in the URL (the form posts back to it).
        params = self.request.GET
        self.body = params.get("body", "")
        self.target = id_param(params, "target")
        if self.body not in PayeeBody.values or self.target is None:
            raise Http404(_("请从待补充收款信息或收款主体的页面进入。"))
        return None

    def get_form_kwargs(self):
        return {"instance": self.object}

    def save(self, form):
        if self.object is not None:
            return services.save_payee(user=self.request.user, data=form.cleaned_data, payee_id=self.object.pk)
        return services.save_payee(
            user=self.request.user, data=form.cleaned_data, body=self.body, target_id=self.target
        )

    def get_success_url(self, payee):
        return reverse("propertymgmt:payee_detail", args=[payee.pk])

    def get_context_data(self):
        if self.object is not None:
            return {"payee": self.object, "body_name": selectors.body_name(self.object)}
        return {"body": self.body, "target": self.target, "body_label": PayeeBody(self.body).label}


payee_edit = PayeeEdit.as_view()


@login_required
@require_GET
def payees_missing(request):
    if not can(request.user, Action.VIEW, Payee):
        raise PermissionDenied
    missing = selectors.payments_missing_payee(user=request.user)
    page = paginate(request, missing, count=len(missing))
    return render(
        request,
        "propertymgmt/payee_missing.html",
        {
            "page": page,
            "awards": selectors.awards_missing_payee(user=request.user),
            "can_create": can(request.user, Action.CREATE, Payee),
            "district": services.may_see_full_account(request.user),
        },
    )
