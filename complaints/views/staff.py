"""Staff pages of a case: the queue, its export, the case page and its actions,
entering a case. Every read is scoped; the services decide what a step may do."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import Action, can, get_scoped_object_or_404, user_scope
from communities.selectors import all_communities, all_rights_units
from complaints import abuse, excel, selectors, services
from complaints.filtersets import QUEUES, ComplaintFilterSet
from complaints.forms import (
    EscalateForm,
    ExtensionForm,
    MediateForm,
    NoteForm,
    ResolveForm,
    ReturnVisitForm,
    StaffComplaintForm,
)
from complaints.models import Complaint, ExtensionRequest, Photo, ReplyTemplate
from complaints.views.public import _filing_from, _photo_response
from core.exports import start_export
from core.forms import add_bootstrap_classes, apply_errors
from core.pagination import PortalPaginator, page_size_from
from core.xlsx import xlsx_download
from propertymgmt.selectors import companies_for

QUEUE_CAP = 10_000


# --- staff -----------------------------------------------------------------------------------


def _queue_params(request):
    params = request.GET.copy()
    if not params.get("queue"):
        params["queue"] = "open"
    return params


def filter_cases(request, action=Action.VIEW):
    filterset = ComplaintFilterSet(
        _queue_params(request), queryset=selectors.complaints_for(user=request.user, action=action), request=request
    )
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    return filterset, queryset.order_by("-id")


class CappedPaginator(PortalPaginator):
    """Counts up to QUEUE_CAP (a bounded count is cheap at any scale) and reads
    pages forward, ids first: a queue deeper than that is narrowed by filters."""

    def _fetch(self, bottom, top):
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.rows(self.object_list.model.objects.filter(pk__in=ids))}
        return [rows[pk] for pk in ids if pk in rows]


def bounded_count(queryset, cap=QUEUE_CAP) -> int:
    return queryset.order_by().values("pk")[: cap + 1].count()


@login_required
@require_GET
def case_list(request):
    if not can(request.user, Action.VIEW, Complaint):
        raise PermissionDenied(_("您没有查看投诉工单的权限。"))
    filterset, queryset = filter_cases(request)
    count = bounded_count(queryset)
    paginator = CappedPaginator(
        queryset, page_size_from(request), count=min(count, QUEUE_CAP), rows=selectors.with_list_joins
    )
    page = paginator.get_page(request.GET.get("page"))
    form = filterset.form
    names = ["q", "status", "category", "channel", "overdue", "escalation", "received_after", "received_before"]
    # Drop-downs only where they stay short: a district's streets, a street's
    # communities (a national administrator searches and filters by the rest).
    level = user_scope(request.user).level
    if level == "district":
        names.insert(4, "street")
        if request.GET.get("street"):
            names.insert(5, "community")
    elif level == "street":
        names.insert(4, "community")
    return render(
        request,
        "complaints/complaint_list.html",
        {
            "filterset": filterset,
            "fields": [form[n] for n in names],
            "page": page,
            "count": count,
            "capped": count > QUEUE_CAP,
            "queues": QUEUES,
            "queue": _queue_params(request)["queue"],
            "today": timezone.localdate(),
            "can_create": can(request.user, Action.CREATE, Complaint),
            "can_export": can(request.user, Action.EXPORT, Complaint),
        },
    )


@login_required
@require_GET
def case_export(request):
    if not can(request.user, Action.EXPORT, Complaint):
        raise PermissionDenied(_("您没有导出投诉工单的权限。"))
    _filterset, queryset = filter_cases(request, Action.EXPORT)
    filename = f"投诉工单_{timezone.localdate():%Y%m%d}.xlsx"
    if bounded_count(queryset, settings.EXPORT_SYNC_MAX_ROWS) > settings.EXPORT_SYNC_MAX_ROWS:
        # Too large for a request: the worker writes it through the same scope and filters.
        job = start_export(
            user=request.user,
            kind="complaints",
            total_rows=queryset.count(),
            params={"query": request.GET.urlencode(), "filename": filename},
        )
        return redirect("core:export_job", pk=job.pk)
    return xlsx_download(lambda handle: excel.write_cases(queryset, handle, user=request.user), filename=filename)


def _detail_context(request, complaint, **extra):
    can_change = can(request.user, Action.CHANGE, Complaint)
    choices = services.assignable(user=request.user, complaint=complaint) if can_change else {}
    return {
        "complaint": complaint,
        "steps": complaint.steps.select_related("actor").order_by("at", "id"),
        "photos": complaint.photos.all(),
        "extensions": complaint.extensions.select_related("requested_by", "decided_by"),
        "linked": complaint.linked.only("id", "number", "status"),
        "phone_views": complaint.phone_views.select_related("user")[:10],
        "allowed": services.allowed_actions(complaint) if can_change else set(),
        "can_change": can_change,
        "can_approve": can(request.user, Action.APPROVE, Complaint),
        "templates": ReplyTemplate.objects.filter(Q(category=complaint.category) | Q(category__isnull=True)),
        "communities": choices.get("communities", all_communities().none()),
        "companies": choices.get("companies", []),
        "rights_units": choices.get("rights_units", all_rights_units().none()),
        "forms": {
            "note": NoteForm(),
            "resolve": ResolveForm(),
            "escalate": EscalateForm(),
            "mediate": MediateForm(),
            "extension": ExtensionForm(),
            "return_visit": ReturnVisitForm(),
        },
        "today": timezone.localdate(),
        **extra,
    }


@login_required
@require_GET
def case_detail(request, pk):
    complaint = selectors.complaint_detail(user=request.user, complaint_id=pk)
    return render(request, "complaints/complaint_detail.html", _detail_context(request, complaint))


@login_required
@require_POST
def reveal_phone(request, pk):
    phone = services.reveal_phone(user=request.user, complaint_id=pk, ip=abuse.client_ip(request))
    complaint = selectors.complaint_detail(user=request.user, complaint_id=pk)
    return render(request, "complaints/complaint_detail.html", _detail_context(request, complaint, full_phone=phone))


@login_required
@require_GET
def case_photo(request, pk):
    photo = get_object_or_404(Photo, pk=pk)
    get_scoped_object_or_404(Complaint.objects.all(), request.user, Action.VIEW, pk=photo.complaint_id)
    return _photo_response(photo)


def _pk_or_none(queryset, value):
    if not value:
        return None
    return queryset.filter(pk=value).first()


def _extension_days(post) -> int:
    try:
        return int(post.get("days", ""))
    except ValueError:
        raise ValidationError({"days": _("请填写延长的工作日数。")}) from None


def _visit_rating(post) -> int:
    try:
        return int(post.get("rating", ""))
    except ValueError:
        return 0


def _assign(user, pk, post):
    return services.assign(
        user=user,
        complaint_id=pk,
        community=_pk_or_none(all_communities(), post.get("community")),
        company=_pk_or_none(companies_for(user=user), post.get("company")),
        rights_unit=_pk_or_none(all_rights_units(), post.get("rights_unit")),
        note=post.get("note", ""),
    )


# What each action answers once done, so the clerk sees what happened (not just "saved").
ACTION_DONE = {
    "accept": gettext_lazy("已受理。"),
    "reject": gettext_lazy("已登记不予受理。"),
    "assign": gettext_lazy("已分派。"),
    "mediate": gettext_lazy("已开始调解。"),
    "resolve": gettext_lazy("已办结。"),
    "close": gettext_lazy("已结案。"),
    "reopen": gettext_lazy("已重新办理。"),
    "escalate": gettext_lazy("已提交联席会议。"),
    "note": gettext_lazy("已添加备注。"),
    "extend": gettext_lazy("已提交延期申请，待审批。"),
    "return_visit": gettext_lazy("已记录回访。"),
    "link": gettext_lazy("已关联工单。"),
}

# The staff actions of the case page: action -> call of the service with the POSTed fields.
CASE_ACTIONS = {
    "accept": lambda user, pk, post: services.accept(user=user, complaint_id=pk, note=post.get("note", "")),
    "reject": lambda user, pk, post: services.reject(user=user, complaint_id=pk, reason=post.get("note", "")),
    "assign": _assign,
    "mediate": lambda user, pk, post: services.start_mediation(
        user=user, complaint_id=pk, mediation_type=post.get("mediation_type", ""), note=post.get("note", "")
    ),
    "resolve": lambda user, pk, post: services.resolve(
        user=user,
        complaint_id=pk,
        outcome=post.get("outcome", ""),
        reply=post.get("reply", ""),
        upheld_against_company=post.get("upheld_against_company") in ("on", "true", "1"),
    ),
    "close": lambda user, pk, post: services.close(user=user, complaint_id=pk, note=post.get("note", "")),
    "reopen": lambda user, pk, post: services.reopen(user=user, complaint_id=pk, note=post.get("note", "")),
    "escalate": lambda user, pk, post: services.escalate(
        user=user, complaint_id=pk, level=post.get("level", ""), note=post.get("note", "")
    ),
    "note": lambda user, pk, post: services.add_note(
        user=user, complaint_id=pk, note=post.get("note", ""), public=post.get("public") == "on"
    ),
    "extend": lambda user, pk, post: services.request_extension(
        user=user, complaint_id=pk, days=_extension_days(post), reason=post.get("reason", "")
    ),
    "return_visit": lambda user, pk, post: services.record_return_visit(
        user=user, complaint_id=pk, rating=_visit_rating(post), note=post.get("note", "")
    ),
    "link": lambda user, pk, post: services.link(user=user, complaint_id=pk, other_number=post.get("number", "")),
}


@login_required
@require_POST
def case_action(request, pk, action):
    """One POST endpoint per step; the service decides whether it is allowed."""
    do = CASE_ACTIONS.get(action)
    if do is None:
        raise Http404
    try:
        do(request.user, pk, request.POST)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, ACTION_DONE[action])
    return redirect("complaints:case_detail", pk=pk)


@login_required
@require_POST
def extension_decide(request, pk):
    extension = get_object_or_404(ExtensionRequest, pk=pk)
    try:
        services.decide_extension(
            user=request.user,
            request_id=pk,
            approve=request.POST.get("approve") == "1",
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("complaints:case_detail", pk=extension.complaint_id)


@login_required
def case_create(request):
    """Staff enter cases from 12345, the mailboxes, phone calls and visits."""
    if not can(request.user, Action.CREATE, Complaint):
        raise PermissionDenied(_("您没有录入投诉的权限。"))
    form = StaffComplaintForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.file_complaint(
                filing=_filing_from(form, channel=form.cleaned_data["channel"]), user=request.user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已录入工单%(n)s。") % {"n": complaint.number})
            return redirect("complaints:case_detail", pk=complaint.pk)
    add_bootstrap_classes(form)
    return render(request, "complaints/complaint_form.html", {"form": form})
