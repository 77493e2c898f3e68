"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): civic-reporting
clients list the services, file requests and follow them.

JSON only (`.json`); errors are a list of `{"code": ..., "description": ...}`
with the same HTTP status. What other people may read of a request is what a
public tracker shows: service, status, the public reply, the estate and the
responsible street — never the resident's name, phone, words or photos.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from complaints import abuse, selectors, services
from complaints.forms import PHONE_INPUT_MAX, Open311RequestForm
from complaints.models import OPEN_STATUSES, Category, Channel, Complaint, Status

MAX_RESULTS = 1000
DEFAULT_DAYS = 90


def errors(code: int, descriptions: list[str]) -> JsonResponse:
    """GeoReport v2 errors: a list of {"code", "description"}, one per problem."""
    return JsonResponse(
        [{"code": code, "description": str(d)} for d in descriptions],
        status=code,
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )


def error(code: int, description: str) -> JsonResponse:
    return errors(code, [description])


def ok(data, status=200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{category.name}（受理{category.accept_days}个工作日，办结{category.resolve_days}个工作日）",
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "物业投诉",
    }


@require_GET
def services_list(request):
    return ok([_service(c) for c in Category.objects.filter(active=True).order_by("sort", "id")])


@require_GET
def service_definition(request, code):
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        return error(404, _("service_code（服务类别）：没有 %(code)s 这个服务类别。") % {"code": code})
    return ok({"service_code": category.code, "attributes": []})


def _iso(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _request_row(c: Complaint) -> dict:
    estate = c.estate
    if c.status == Status.REJECTED:
        notes = c.rejection_reason
    elif c.status in (Status.RESOLVED, Status.CLOSED):
        notes = c.reply
    else:
        notes = c.get_status_display()
    expected = None
    if c.resolve_due and c.is_open:
        expected = _iso(datetime.combine(c.resolve_due, time(18, 0), tzinfo=timezone.get_current_timezone()))
    return {
        "service_request_id": c.number,
        "status": "open" if c.status in OPEN_STATUSES else "closed",
        "status_notes": notes,
        "service_name": c.category.name,
        "service_code": c.category.code,
        "agency_responsible": c.street.name if c.street_id else "",
        "service_notice": "",
        "requested_datetime": _iso(c.received_at),
        "updated_datetime": _iso(c.updated_at),
        "expected_datetime": expected,
        "address": estate.name if estate else "",
        "address_id": str(estate.pk) if estate else "",
        "zipcode": "",
        "lat": float(estate.latitude) if estate and estate.latitude is not None else None,
        "long": float(estate.longitude) if estate and estate.longitude is not None else None,
        "media_url": "",
    }


def _listed():
    return Complaint.objects.select_related("category", "street", "estate").only(
        "number",
        "status",
        "rejection_reason",
        "reply",
        "category__name",
        "category__code",
        "street__name",
        "street_id",
        "received_at",
        "updated_at",
        "resolve_due",
        "estate__name",
        "estate__latitude",
        "estate__longitude",
        "estate_id",
    )


def _parse_moment(value):
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(value)
        moment = datetime.combine(day, time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_list(request):
    if request.method == "POST":
        return _create(request)
    params = request.GET
    queryset = _listed()
    ids = [i.strip().upper() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        return ok([_request_row(c) for c in queryset.filter(number__in=ids[:MAX_RESULTS])])
    try:
        start = _parse_moment(params.get("start_date"))
        end = _parse_moment(params.get("end_date"))
    except ValueError:
        return error(400, _("start_date/end_date（起止时间）：应为 W3C 日期时间，例如 2026-11-01T00:00:00+08:00。"))
    if start is None and end is None:
        start = timezone.now() - timedelta(days=DEFAULT_DAYS)
    if start is not None:
        queryset = queryset.filter(received_at__gte=start)
    if end is not None:
        queryset = queryset.filter(received_at__lte=end)
    codes = [c for c in params.get("service_code", "").split(",") if c]
    if codes:
        queryset = queryset.filter(category__code__in=codes)
    status = params.get("status", "")
    if status:
        wanted = set(status.split(","))
        if not wanted <= {"open", "closed"}:
            return error(400, _("status（状态）：应为 open 或 closed。"))
        if wanted == {"open"}:
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        elif wanted == {"closed"}:
            queryset = queryset.exclude(status__in=OPEN_STATUSES)
    return ok([_request_row(c) for c in queryset.order_by("-id")[:MAX_RESULTS]])


@require_GET
def request_detail(request, number):
    complaint = _listed().filter(number=number.upper()).first()
    if complaint is None:
        return error(404, _("service_request_id（工单号）：没有找到 %(number)s。") % {"number": number})
    return ok([_request_row(complaint)])


def _api_key_valid(given: str) -> bool:
    keys = settings.OPEN311_API_KEYS
    if not keys:
        return True
    given = given or ""
    # Compare with every key, in constant time, so timing says nothing about them.
    return any([constant_time_compare(given, key) for key in keys])


def _create(request):
    """File a request as the web form files a case: the same per-address and
    per-phone limits (complaints.abuse.Limits), the same lengths and phone rule
    (complaints.forms), then the same service."""
    data = request.POST
    if not _api_key_valid(data.get("api_key", "")):
        return error(403, _("api_key（接口密钥）：缺少或无效。"))
    limits = abuse.Limits(abuse.client_ip(request), data.get("phone", "")[:PHONE_INPUT_MAX])
    if limits.ip_over_limit:
        return error(429, _("该网络提交过于频繁，请稍后再试。"))
    form = Open311RequestForm(data, bounds=selectors.intake_bounds())
    if not form.is_valid():
        return errors(400, form.errors_for_open311())
    cleaned = form.cleaned_data
    if limits.phone_over_limit(cleaned["phone"]):
        return error(429, _("phone（手机号码）：该手机号今天提交次数已达上限，请明天再试。"))
    filing = services.Filing(
        category=cleaned["service_code"],
        description=cleaned["description"],
        reporter_name=cleaned["reporter_name"],
        reporter_phone=cleaned["phone"],
        estate=cleaned["estate"],
        address=cleaned["address"],
        channel=Channel.OPEN311,
        external_ref=cleaned["device_id"],
        # The client application collects the resident's consent before posting.
        consent=True,
    )
    try:
        complaint = services.file_complaint(filing=filing)
    except ValidationError as exc:
        fields = getattr(exc, "message_dict", {"": exc.messages})
        names = {
            "reporter_phone": "phone",
            "description": "description",
            "estate": "address_string",
            "reporter_name": "last_name",
        }
        return errors(400, [f"{names.get(k, k)}：{' '.join(v)}" for k, v in fields.items()])
    limits.record(complaint.reporter_phone)
    return ok(
        [
            {
                "service_request_id": complaint.number,
                "service_notice": f"已受理登记，请于{complaint.accept_due:%Y-%m-%d}前关注受理结果。",
                "account_id": None,
            }
        ]
    )
