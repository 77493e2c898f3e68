"""Pages of the complaints app. Views parse the request, call a selector or a
service, and render; residents' pages need no account, staff pages are scoped."""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import Action, can, get_scoped_object_or_404, user_scope
from communities.models import Community, Estate, PropertyRightsUnit
from complaints import abuse, excel, selectors, services
from complaints.filtersets import QUEUES, ComplaintFilterSet
from complaints.forms import (
    PHONE_INPUT_MAX,
    CalendarDayForm,
    EscalateForm,
    ExtensionForm,
    MediateForm,
    NoteForm,
    PublicComplaintForm,
    RatingForm,
    ResolveForm,
    ReturnVisitForm,
    StaffComplaintForm,
    SupplementForm,
    TrackCodeForm,
    TrackForm,
)
from complaints.models import CalendarDay, Category, Complaint, ExtensionRequest, Photo, ReplyTemplate, Status
from core.exports import start_export
from core.forms import add_bootstrap_classes, apply_errors
from core.pagination import PAGE_SIZES, PortalPaginator, page_size_from
from core.params import MAX_ID, id_param, int_param, year_param
from core.validators import mask_mobile
from core.xlsx import xlsx_download
from propertymgmt.selectors import companies_for

QUEUE_CAP = 10_000


# --- residents ------------------------------------------------------------------------


def _too_many(request, reason):
    return render(request, "complaints/rate_limited.html", {"reason": reason}, status=429)


def _filing_from(form, *, channel="web"):
    data = form.cleaned_data
    return services.Filing(
        category=data["category"],
        description=data["description"],
        reporter_name=data["reporter_name"],
        reporter_phone=data["reporter_phone"],
        estate=data.get("estate"),
        street=data.get("street") if data.get("estate") is None else None,
        address=data.get("address", ""),
        building_unit=data.get("building_unit", ""),
        channel=channel,
        external_ref=data.get("external_ref", ""),
        consent=bool(data.get("consent", channel != "web")),
    )


def _follow_url(request, complaint) -> str:
    """The case's secret link, absolute, for an SMS. PORTAL_BASE_URL (when set)
    rather than the request's Host header, which the sender chooses (Django
    checks it against ALLOWED_HOSTS)."""
    path = reverse("complaints:follow", args=[complaint.access_token])
    base = settings.PORTAL_BASE_URL
    return f"{base.rstrip('/')}{path}" if base else request.build_absolute_uri(path)


def public_form(request):
    """The resident's form: one column, large targets, works on a 360-px phone.

    A second filing of the same phone, place and category within a day is
    offered to go into the open case. Whoever fills in the form may not be the
    person who filed that case (a phone number is no secret), so the offer
    names nothing of it, and adding to it shows nothing either: the case's link
    goes by SMS to the phone on the case."""
    phone = request.POST.get("reporter_phone", "") if request.method == "POST" else ""
    limits = abuse.Limits(abuse.client_ip(request), phone[:PHONE_INPUT_MAX])
    challenge = limits.needs_challenge
    duplicate = None
    status = 200
    if request.method == "POST":
        if limits.ip_over_limit:
            return _too_many(request, _("该网络提交过于频繁"))
        form = PublicComplaintForm(request.POST, request.FILES)
        if request.POST.get("website"):
            # A bot filled the hidden field: say nothing useful, save nothing.
            form.add_error(None, _("提交未成功，请稍后再试。"))
            status = 400
        elif form.is_valid():
            data = form.cleaned_data
            if challenge and not abuse.challenge_passed(data.get("challenge_token"), data.get("challenge_answer")):
                form.add_error("challenge_answer", _("计算结果不正确，请重新回答。"))
            elif limits.phone_over_limit(data["reporter_phone"]):
                return _too_many(request, _("该手机号今天提交次数已达上限"))
            else:
                duplicate, response = _file_or_supplement(request, form, limits)
                if response is not None:
                    return response
        if form.errors:
            status = status if status != 200 else 400
    else:
        form = PublicComplaintForm()
    question = _new_challenge(form) if challenge else None
    return render(
        request,
        "complaints/public_form.html",
        # Only whether there is an earlier case: never the case itself.
        {"form": form, "question": question, "duplicate_offer": duplicate is not None},
        status=status,
    )


def _file_or_supplement(request, form, limits):
    """A valid public filing: a new case, or the words added to the open case
    it duplicates when the resident chose so. Returns the duplicate (if any)
    and the redirect once something was saved (None while the form must be
    shown again: a duplicate to offer, or the service's refusal)."""
    data = form.cleaned_data
    duplicate = services.find_duplicate(
        phone=data["reporter_phone"],
        category=data["category"],
        estate=data.get("estate"),
        address=(data.get("address") or "").strip(),
    )
    choice = request.POST.get("on_duplicate")
    if duplicate is not None and choice == "add":
        try:
            services.add_supplement(
                complaint=duplicate,
                text=data["description"],
                photos=data["photos"],
                link_url=_follow_url(request, duplicate),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            limits.record(data["reporter_phone"])
            return duplicate, redirect("complaints:supplemented")
    elif duplicate is None or choice == "new":
        try:
            complaint = services.file_complaint(filing=_filing_from(form), photos=data["photos"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            limits.record(data["reporter_phone"])
            return duplicate, redirect(f"{reverse('complaints:follow', args=[complaint.access_token])}?new=1")
    return duplicate, None


def _new_challenge(form) -> str:
    """A fresh sum to solve: its token goes into the form (the answer typed
    before, if any, is cleared); returns the question to show."""
    question, token = abuse.new_challenge()
    data = form.data.copy() if form.is_bound else None
    if data is not None:
        data["challenge_token"] = token
        data["challenge_answer"] = ""
        form.data = data
    else:
        form.initial["challenge_token"] = token
    return question


@require_GET
def supplemented(request):
    """After adding to an earlier case: says only where its link went."""
    return render(request, "complaints/public_supplemented.html")


@require_GET
def estate_search(request):
    """Estates by name for the public form's suggestions (public facts only)."""
    term = (request.GET.get("q") or "").strip()[:30]
    if not term:
        return JsonResponse({"results": []})
    rows = Estate.objects.filter(name__contains=term).select_related("community__street").order_by("name", "id")[:15]
    return JsonResponse(
        {
            "results": [
                {"id": e.pk, "name": e.name, "street": e.community.street.name, "community": e.community.name}
                for e in rows
            ]
        },
        json_dumps_params={"ensure_ascii": False},
    )


def track(request):
    """Number + phone show the case's status and dates only: a phone number is
    no secret and numbers run in sequence. Its words, replies and photos need
    the secret link, or a one-time code sent by SMS to the phone on the case.

    Every step re-posts the number and phone (hidden fields), and every step
    checks the pair again, so nothing is kept between requests: 1) the pair →
    the limited view; 2) "send code" → services.send_tracking_code; 3) the code
    → services.verify_tracking_code, then a redirect to the secret link, which
    shows everything (so this browser holds the link from then on, as the
    resident who filed the case does). A pair that does not match counts a miss
    per address, per number and per phone (complaints.abuse, held in the
    database while Redis is down); too many misses answer 429 before looking."""
    form = TrackForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        ip = abuse.client_ip(request)
        number, phone = form.cleaned_data["number"], form.cleaned_data["phone"]
        if abuse.track_refused(ip=ip, number=number, phone=phone):
            return _too_many(request, _("查询过于频繁"))
        case = selectors.tracked_case(number=number, phone=phone)
        if case is None:
            abuse.track_missed(ip=ip, number=number, phone=phone)
            form.add_error(None, _("工单号与手机号码不匹配，请核对后重试。"))
        else:
            context.update(_code_step(request, case))
            if context.get("verified"):
                return redirect("complaints:follow", token=selectors.access_token_of(case_id=case.pk))
            context["case"] = case
            context["masked_phone"] = mask_mobile(phone)
    status = 400 if form.errors or context.get("code_errors") else 200
    response = render(request, "complaints/public_track.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _code_step(request, case) -> dict:
    step = request.POST.get("step")
    if step == "send_code":
        try:
            services.send_tracking_code(complaint=case)
        except ValidationError as exc:
            return {"code_form": TrackCodeForm(), "code_errors": exc.messages}
        return {"code_form": TrackCodeForm(), "code_sent": True}
    if step == "verify":
        code_form = TrackCodeForm(request.POST)
        if not code_form.is_valid():
            return {"code_form": code_form, "code_errors": code_form.errors.get("code", [])}
        try:
            services.verify_tracking_code(complaint=case, code=code_form.cleaned_data["code"])
        except ValidationError as exc:
            return {"code_form": TrackCodeForm(), "code_errors": exc.messages}
        return {"verified": True}
    return {}


def _by_token(token) -> Complaint:
    complaint = (
        Complaint.objects.select_related("category", "street", "estate").filter(access_token=token).first()
        if token
        else None
    )
    if complaint is None:
        raise Http404(_("没有找到该工单。"))
    return complaint


def follow(request, token):
    """What the resident sees: status, the public steps, the reply, the rating."""
    complaint = _by_token(token)
    rating_form = RatingForm(request.POST or None) if complaint.status == Status.RESOLVED else None
    supplement_form = SupplementForm() if complaint.is_open else None
    if request.method == "POST":
        if request.POST.get("form") == "supplement" and complaint.is_open:
            supplement_form = SupplementForm(request.POST)
            if supplement_form.is_valid():
                try:
                    services.add_supplement(complaint=complaint, text=supplement_form.cleaned_data["text"])
                except ValidationError as exc:
                    apply_errors(supplement_form, exc)
                else:
                    messages.success(request, _("补充内容已提交。"))
                    return redirect("complaints:follow", token=token)
        elif rating_form is not None and rating_form.is_valid():
            try:
                services.rate(
                    complaint=complaint,
                    satisfaction=rating_form.cleaned_data["satisfaction"],
                    comment=rating_form.cleaned_data["comment"],
                    reopen_requested=rating_form.cleaned_data["reopen"],
                )
            except ValidationError as exc:
                apply_errors(rating_form, exc)
            else:
                messages.success(request, _("感谢您的评价。"))
                return redirect("complaints:follow", token=token)
    context = {
        "complaint": complaint,
        "steps": complaint.steps.filter(public=True).order_by("at", "id"),
        "photos": complaint.photos.all(),
        "rating_form": rating_form,
        "supplement_form": supplement_form,
        "is_new": request.GET.get("new") == "1",
        "follow_url": request.build_absolute_uri(reverse("complaints:follow", args=[token])),
    }
    response = render(request, "complaints/public_follow.html", context)
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never leak it
    response["Cache-Control"] = "private, no-store"
    return response


def _photo_response(photo):
    return FileResponse(photo.file.open("rb"), content_type="image/jpeg")


@require_GET
def follow_photo(request, token, pk):
    complaint = _by_token(token)
    return _photo_response(get_object_or_404(Photo, pk=pk, complaint=complaint))


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
            "page_sizes": PAGE_SIZES,
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
        "communities": choices.get("communities", Community.objects.none()),
        "companies": choices.get("companies", []),
        "rights_units": choices.get("rights_units", PropertyRightsUnit.objects.none()),
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
        community=_pk_or_none(Community.objects.all(), post.get("community")),
        company=_pk_or_none(companies_for(user=user), post.get("company")),
        rights_unit=_pk_or_none(PropertyRightsUnit.objects.all(), post.get("rights_unit")),
        note=post.get("note", ""),
    )


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
        messages.success(request, _("已保存。"))
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


# --- measures ----------------------------------------------------------------------------------

GROUPINGS = [("street", "按街道"), ("district", "按区"), ("category", "按类别"), ("month", "按月份")]


def _measure_params(request):
    """The period and filters of the measures page and its .xlsx; junk is a 400 naming the parameter."""
    year = year_param(request, default=timezone.localdate().year)
    month = int_param(request, "month", default=None, min=1, max=12)
    category_id = int_param(request, "category", default=None, min=1, max=MAX_ID)
    by = request.GET.get("by") if request.GET.get("by") in dict(GROUPINGS) else "street"
    return year, month, category_id, by


@login_required
@require_GET
def measures(request):
    if not can(request.user, Action.VIEW, Complaint):
        raise PermissionDenied(_("您没有查看办理情况的权限。"))
    year, month, category_id, by = _measure_params(request)
    result = selectors.measures(user=request.user, year=year, month=month, category_id=category_id, by=by)
    return render(
        request,
        "complaints/measures.html",
        {
            "result": result,
            "year": year,
            "month": month,
            "category_id": category_id,
            "by": by,
            "groupings": GROUPINGS,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "months": range(1, 13),
            "categories": Category.objects.order_by("sort"),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def measures_export(request):
    if not can(request.user, Action.EXPORT, Complaint):
        raise PermissionDenied(_("您没有导出的权限。"))
    year, month, category_id, by = _measure_params(request)
    result = selectors.measures(user=request.user, year=year, month=month, category_id=category_id, by=by)
    period = f"{year}年{month}月" if month else f"{year}年"
    title = _("%(p)s物业投诉办理情况统计表") % {"p": period}
    return xlsx_download(
        lambda handle: excel.write_measures(result, handle, user=request.user, title=title),
        filename=f"投诉办理情况_{period}.xlsx",
    )


# --- the calendar ------------------------------------------------------------------------------------


@login_required
def calendar(request):
    year = year_param(request, default=timezone.localdate().year)
    can_edit = can(request.user, Action.CHANGE, CalendarDay)
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只有区级管理人员可以维护节假日与调休。"))
        if request.POST.get("delete"):
            day_id = id_param(request.POST, "delete")
            if day_id is None:
                raise Http404(_("没有找到该日期。"))
            services.delete_calendar_day(user=request.user, day_id=day_id)
            return redirect(f"{reverse('complaints:calendar')}?year={year}")
        if form.is_valid():
            try:
                data = form.cleaned_data
                row = services.save_calendar_day(
                    user=request.user, day=data["date"], kind=data["kind"], name=data["name"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存 %(d)s。") % {"d": row})
                return redirect(f"{reverse('complaints:calendar')}?year={row.date.year}")
    add_bootstrap_classes(form, small=True)
    return render(
        request,
        "complaints/calendar.html",
        {
            "days": CalendarDay.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)),
            "year": year,
            "form": form,
            "can_edit": can_edit,
        },
    )
