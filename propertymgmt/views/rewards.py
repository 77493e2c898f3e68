"""以奖代补 pages: the schemes, one scheme with its streets' scores and awards (scored
and approved by district officials, seen by streets and communities for their own),
and the scheme form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.scoping import Action, can, scoped
from core.pagination import paginate
from core.params import id_param
from org.models import District
from propertymgmt import selectors, services
from propertymgmt.forms import RewardSchemeForm
from propertymgmt.models import RewardScheme


def _errors(error: ValidationError) -> str:
    return "；".join(error.messages)


@login_required
@require_GET
def reward_list(request):
    page = paginate(request, selectors.reward_schemes_for(user=request.user))
    return render(
        request,
        "propertymgmt/reward_list.html",
        {"page": page, "can_decide": can(request.user, Action.APPROVE, RewardScheme)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def reward_detail(request, pk):
    scheme = selectors.reward_scheme_for(user=request.user, scheme_id=pk)
    can_decide = can(request.user, Action.APPROVE, RewardScheme)
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied(_("以奖代补由区级管理人员考核和审批。"))
        try:
            if "approve" in request.POST:
                count = services.approve_awards(
                    user=request.user, scheme_id=scheme.pk, award_ids=request.POST.getlist("award")
                )
                messages.success(request, _("已审批%(n)s项奖励，将在下一拨付批次中拨付。") % {"n": count})
            else:
                award = services.score_award(
                    user=request.user,
                    scheme_id=scheme.pk,
                    street_id=id_param(request.POST, "street"),
                    community_id=id_param(request.POST, "community"),
                    item_scores={item["code"]: request.POST.get(f"score_{item['code']}", "") for item in scheme.items},
                )
                messages.success(
                    request,
                    _("已评分：%(name)s %(score)s分，奖励%(amount)s元（待审批）。")
                    % {"name": award.community or award.street, "score": award.score, "amount": award.amount},
                )
        except ValidationError as error:
            messages.error(request, _errors(error))
        return redirect("propertymgmt:reward_detail", pk=scheme.pk)
    return render(
        request,
        "propertymgmt/reward_detail.html",
        {
            "scheme": scheme,
            "rows": selectors.award_rows(user=request.user, scheme=scheme),
            "totals": selectors.award_totals(user=request.user, scheme=scheme),
            "communities": selectors.scoreable_communities(user=request.user, scheme=scheme) if can_decide else [],
            "can_decide": can_decide,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reward_edit(request, pk=None):
    scheme = selectors.reward_scheme_for(user=request.user, scheme_id=pk, action=Action.CHANGE) if pk else None
    if not can(request.user, Action.APPROVE, RewardScheme):
        raise PermissionDenied(_("以奖代补由区级管理人员考核和审批。"))
    districts = scoped(District.objects.order_by("code"), request.user)
    form = RewardSchemeForm(request.POST or None, scheme=scheme, districts=districts)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if scheme is not None:
            data["district"] = scheme.district_id
        elif data.get("district") is not None:
            data["district"] = data["district"].pk
        else:
            data["district"] = districts.values_list("pk", flat=True).first()
        try:
            saved = services.save_scheme(user=request.user, data=data, scheme_id=scheme.pk if scheme else None)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("以奖代补考核办法已保存。"))
            return redirect("propertymgmt:reward_detail", pk=saved.pk)
    return render(request, "propertymgmt/reward_form.html", {"form": form, "scheme": scheme})
