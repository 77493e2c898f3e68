"""The property office's home page: late committee steps, the exit list, notices."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import Action, can, user_scope
from core.pagination import paginate
from propertymgmt import selectors, services
from propertymgmt.models import Committee, Contract


@login_required
@require_GET
def home(request):
    today = timezone.localdate()
    return render(
        request,
        "propertymgmt/home.html",
        {
            "overdue": selectors.overdue_steps(user=request.user, today=today)[:50],
            "exit_list": selectors.exit_list_with_rectification(
                user=request.user, rows=selectors.exit_list(user=request.user, today=today), today=today
            ),
            "notices": selectors.notices_for(user=request.user),
            "can_order_out": can(request.user, Action.CHANGE, Contract)
            and user_scope(request.user).level != "community",
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
