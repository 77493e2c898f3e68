"""Residents' pages: the public form, tracking a case, the secret link.
None needs an account; what each shows of a case is said in its docstring."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from communities.selectors import estates_named
from complaints import abuse, selectors, services
from complaints.forms import PHONE_INPUT_MAX, PublicComplaintForm, RatingForm, SupplementForm, TrackCodeForm, TrackForm
from complaints.models import Complaint, Photo, Status
from core.forms import apply_errors
from core.validators import mask_mobile

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
    held = 0
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
                duplicate, response, held = _file_or_supplement(request, form, limits)
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
        {"form": form, "question": question, "duplicate_offer": duplicate is not None, "held_photos": held},
        status=status,
    )


def _file_or_supplement(request, form, limits):
    """A valid public filing: a new case, or the words added to the open case
    it duplicates when the resident chose so. Returns the duplicate (if any)
    and the redirect once something was saved (None while the form must be
    shown again: a duplicate to offer, or the service's refusal), and how
    many photos are held for the next answer (services.held_photos: a file
    input cannot be refilled, so the resident need not choose them again)."""
    data = form.cleaned_data
    token = data.get("held_photos", "")
    photos = data["photos"] or services.held_photos(token)
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
                photos=photos,
                link_url=_follow_url(request, duplicate),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            limits.record(data["reporter_phone"])
            services.release_photos(token)
            return duplicate, redirect("complaints:supplemented"), 0
    elif duplicate is None or choice == "new":
        try:
            complaint = services.file_complaint(filing=_filing_from(form), photos=photos)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            limits.record(data["reporter_phone"])
            services.release_photos(token)
            return duplicate, redirect(f"{reverse('complaints:follow', args=[complaint.access_token])}?new=1"), 0
    elif data["photos"]:
        # The offer is shown: keep the photos just chosen for the resident's answer.
        try:
            token = services.hold_photos(data["photos"])
        except ValidationError as exc:
            apply_errors(form, exc)
            token = ""
        form.data = form.data.copy()
        form.data["held_photos"] = token
        photos = services.held_photos(token)
    return duplicate, None, len(photos)


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
    rows = estates_named(term, limit=15)
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
