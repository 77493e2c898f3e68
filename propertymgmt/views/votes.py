"""Property pages of owners' votes: opening one, paper ballots and codes, and the owner's own cast."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import Action, can
from core.edit_views import ScopedEditView
from core.forms import apply_errors
from core.pagination import paginate
from propertymgmt import selectors, services, throttle
from propertymgmt.forms import BallotForm, CastForm, VoteForm
from propertymgmt.models import OwnersVote, VoteStatus


@login_required
@require_GET
def vote_list(request):
    page = paginate(request, selectors.votes_for(user=request.user).order_by("-opens_on", "-id"))
    return render(
        request,
        "propertymgmt/ownersvote_list.html",
        {"page": page, "can_create": can(request.user, Action.CREATE, OwnersVote)},
    )


class VoteCreate(ScopedEditView):
    form_class = VoteForm
    template_name = "propertymgmt/ownersvote_form.html"
    success_message = ""  # the vote's page is the answer

    def get_object(self):
        if not can(self.request.user, Action.CREATE, OwnersVote):
            raise PermissionDenied(_("您没有权限执行此操作。"))
        return None

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def save(self, form):
        data = dict(form.cleaned_data)
        estate = data.pop("estate")
        return services.open_vote(user=self.request.user, estate_id=estate.pk, **data)

    def get_success_url(self, vote):
        return reverse("propertymgmt:vote_detail", args=[vote.pk])


vote_create = VoteCreate.as_view()


@login_required
def vote_detail(request, pk):
    vote = selectors.vote_for(user=request.user, vote_id=pk)
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
    vote = selectors.vote_for(user=request.user, vote_id=pk, action=Action.CHANGE)
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
