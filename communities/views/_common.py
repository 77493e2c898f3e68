"""What the ledger's pages share: the way back, query strings, and the conflict page."""

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from communities.forms import merge_after_conflict

LEDGER_LIST = "ledger"


def query_without(request, *names):
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def safe_back(request, default_name="communities:estate_list"):
    back = request.POST.get("next") or request.GET.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return reverse(default_name)


def estate_section(estate_id, section):
    """The estate's page at one of its sections (#buildings, #holdings, …)."""
    return reverse("communities:estate_detail", args=[estate_id]) + f"#{section}"


class MergeOnConflict:
    """For ScopedEditView pages whose service saves with optimistic locking
    (`expected_version`): after a refused save the form comes back with the
    other clerk's changes shown (the conflict's rows) and merged in."""

    def conflict_form(self, form, conflict):
        # Saving again is a decision made after seeing the other change;
        # untouched fields take the other clerk's values (merge_after_conflict).
        data, conflict.rows = merge_after_conflict(form, conflict)
        form = self.get_form(data)
        form.is_valid()
        return form
