"""Rectification before exit (限期整改): the list, issuing an order, the order with its
check; and a company's page with its orders and the streets' opinions on it."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.scoping import Action, can, user_scope
from core.edit_views import ScopedEditView
from core.pagination import paginate
from core.params import id_param
from propertymgmt import selectors, services
from propertymgmt.forms import OpinionForm, RectificationCheckForm, RectificationForm
from propertymgmt.models import CompanyOpinion, RectificationOrder, RectificationStatus


def _street_office(user, model) -> bool:
    """Street staff and district officials issue, check and give opinions; not communities."""
    return can(user, Action.CREATE, model) and user_scope(user).level != "community"


@login_required
@require_GET
def rectification_list(request):
    today = timezone.localdate()
    status = request.GET.get("status", "")
    if status not in RectificationStatus.values:
        status = ""
    page = paginate(request, selectors.rectifications_for(user=request.user, status=status, today=today))
    rows = [(order, RectificationStatus(order.status_on(today)).label) for order in page.object_list]
    return render(
        request,
        "propertymgmt/rectificationorder_list.html",
        {
            "page": page,
            "rows": rows,
            "statuses": RectificationStatus.choices,
            "status": status,
            "can_create": _street_office(request.user, RectificationOrder),
        },
    )


class RectificationCreate(ScopedEditView):
    """The street office issues an order (from the exit list: `?company=ID&street=ID`)."""

    form_class = RectificationForm
    template_name = "propertymgmt/rectificationorder_form.html"
    success_message = gettext_lazy("已下达限期整改通知。")

    def get_object(self):
        if not _street_office(self.request.user, RectificationOrder):
            raise PermissionDenied(_("限期整改通知由街道办事处下达。"))
        return None

    def get_form_kwargs(self):
        params = self.request.GET
        initial = {"company": id_param(params, "company"), "street": id_param(params, "street")}
        return {"user": self.request.user, "initial": initial}

    def save(self, form):
        data = form.cleaned_data
        return services.issue_rectification(
            user=self.request.user,
            company_id=data["company"].pk,
            street_id=data["street"].pk,
            problems=data["problems"],
            deadline=data["deadline"],
            checker=data["checker"],
            estate_ids=[estate.pk for estate in data["estates"]],
        )

    def get_success_url(self, order):
        return reverse("propertymgmt:rectification_detail", args=[order.pk])


rectification_create = RectificationCreate.as_view()


def _order_context(request, order) -> dict:
    today = timezone.localdate()
    return {
        "order": order,
        "status": RectificationStatus(order.status_on(today)).label,
        "estates": list(order.estates.order_by("name", "id")),
        "can_check": order.is_open and _street_office(request.user, RectificationOrder),
    }


@login_required
@require_GET
def rectification_detail(request, pk):
    order = selectors.rectification_for(user=request.user, order_id=pk)
    context = _order_context(request, order)
    context["form"] = RectificationCheckForm(initial={"checked_on": timezone.localdate()})
    return render(request, "propertymgmt/rectificationorder_detail.html", context)


class RectificationCheck(ScopedEditView):
    """The check of an order (passed or failed), on the order's page."""

    form_class = RectificationCheckForm
    template_name = "propertymgmt/rectificationorder_detail.html"
    success_message = gettext_lazy("已登记验收结果。")

    def get_object(self):
        return selectors.rectification_for(user=self.request.user, order_id=self.kwargs["pk"], action=Action.CHANGE)

    def get_form_kwargs(self):
        return {"initial": {"checked_on": timezone.localdate()}}

    def save(self, form):
        return services.check_rectification(user=self.request.user, order_id=self.object.pk, **form.cleaned_data)

    def get_success_url(self, order):
        return reverse("propertymgmt:rectification_detail", args=[order.pk])

    def get_context_data(self):
        return _order_context(self.request, self.object)


rectification_check = RectificationCheck.as_view()


def _company_context(request, company) -> dict:
    today = timezone.localdate()
    orders = [
        (order, RectificationStatus(order.status_on(today)).label)
        for order in selectors.rectifications_of(user=request.user, company=company)[:50]
    ]
    return {
        "company": company,
        "orders": orders,
        "opinions": selectors.opinions_of(user=request.user, company=company)[:100],
        "can_give_opinion": _street_office(request.user, CompanyOpinion),
    }


@login_required
@require_GET
def company_detail(request, pk):
    company = selectors.company_for(user=request.user, company_id=pk)
    context = _company_context(request, company)
    if context["can_give_opinion"]:
        context["form"] = OpinionForm(user=request.user, initial={"given_on": timezone.localdate()})
    return render(request, "propertymgmt/propertycompany_detail.html", context)


class OpinionAdd(ScopedEditView):
    """A street office's opinion on the company, for its own street (the service checks)."""

    form_class = OpinionForm
    template_name = "propertymgmt/propertycompany_detail.html"
    success_message = gettext_lazy("已登记街道意见。")

    def get_object(self):
        company = selectors.company_for(user=self.request.user, company_id=self.kwargs["pk"])
        if not _street_office(self.request.user, CompanyOpinion):
            raise PermissionDenied(_("街道意见由街道办事处登记。"))
        return company

    def get_form_kwargs(self):
        return {"user": self.request.user, "initial": {"given_on": timezone.localdate()}}

    def save(self, form):
        data = form.cleaned_data
        return services.record_opinion(
            user=self.request.user,
            company_id=self.object.pk,
            street_id=data["street"].pk,
            kind=data["kind"],
            grade=data["grade"],
            text=data["text"],
            given_on=data["given_on"],
        )

    def get_success_url(self, opinion):
        return reverse("propertymgmt:company_detail", args=[self.object.pk])

    def get_context_data(self):
        return _company_context(self.request, self.object)


company_opinion_add = OpinionAdd.as_view()
