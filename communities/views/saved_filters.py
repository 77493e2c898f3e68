"""The user's own saved filters (常用筛选) of the ledger list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities import services
from communities.forms import SavedFilterForm
from communities.views._common import LEDGER_LIST


@login_required
@require_POST
def saved_filter_create(request):
    form = SavedFilterForm(request.POST)
    back = reverse("communities:estate_list")
    if form.is_valid():
        query = _clean_query(form.cleaned_data["query"])
        try:
            saved = services.save_filter(
                user=request.user, list_name=LEDGER_LIST, name=form.cleaned_data["name"], query=query
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已保存常用筛选“%(name)s”。") % {"name": saved.name})
        return HttpResponseRedirect(f"{back}?{query}" if query else back)
    messages.error(request, _("请填写常用筛选的名称（最多50字）。"))
    return HttpResponseRedirect(back)


def _clean_query(query):
    """Only the filters actually chosen: no empty values, no page number."""
    params = QueryDict(query, mutable=True)
    kept = QueryDict(mutable=True)
    for key in params:
        if key in ("page", "csrfmiddlewaretoken"):
            continue
        values = [v for v in params.getlist(key) if v != ""]
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


@login_required
@require_POST
def saved_filter_delete(request, pk):
    if not services.delete_filter(user=request.user, filter_id=pk):
        raise Http404(_("没有找到该常用筛选。"))  # another user's filter is not there for you
    messages.success(request, _("已删除常用筛选。"))
    return redirect("communities:estate_list")
