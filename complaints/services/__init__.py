"""Writes of the complaint mediation app: filing, the state machine, deadlines,
notifications and the monthly measures.

Every staff action checks the user's scope, locks the case row, refuses a step
the case's state does not allow (with a message saying why), records a Step
and keeps the monthly measures, all in one transaction.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from accounts.scoping import Action, can, get_scoped_object_or_404, scoped
from communities.models import Community, Estate, PropertyRightsUnit, StreetOffice
from complaints.models import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    WORKING_STATUSES,
    CalendarDay,
    Category,
    Channel,
    Complaint,
    Escalation,
    ExtensionRequest,
    MonthlyStat,
    Notification,
    PhoneView,
    Photo,
    Status,
    Step,
    TrackingCode,
)
from complaints.photos import clean_photo
from complaints.workdays import calendar_around
from core import sms
from core.cache import CACHE_ERRORS
from core.cache_backends import guarded, redis_down
from core.ratelimit import redis_client
from core.validators import MOBILE_RE, normalize_mobile

logger = logging.getLogger(__name__)

RESIDENT = "居民"
FOREIGN_KEYS = [
    "category",
    "district",
    "street",
    "community",
    "estate",
    "created_by",
    "handler",
    "assigned_community",
    "company",
    "rights_unit",
]
SYSTEM = "系统"
TRACKING_CODES_PER_HOUR = 5


# --- numbers -------------------------------------------------------------------


def next_number(day: date) -> str:
    """TS-YYYYMMDD-NNNNNN from the day's counter row, raised in one upsert
    statement: the row stays locked until the filing commits, so concurrent
    submissions queue for a moment and never share or skip a number
    (PostgreSQL and SQLite both run INSERT … ON CONFLICT … RETURNING)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO complaints_dailycounter (day, last) VALUES (%s, 1)"
            " ON CONFLICT (day) DO UPDATE SET last = complaints_dailycounter.last + 1 RETURNING last",
            [day],
        )
        last = cursor.fetchone()[0]
    return f"TS-{day:%Y%m%d}-{last:06d}"


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


# --- measures --------------------------------------------------------------------


MEASURE_COLUMNS = (
    "received",
    "accepted",
    "resolved",
    "resolved_on_time",
    "replied",
    "rated",
    "satisfaction_sum",
    "satisfied",
)


def _bump(complaint: Complaint, **deltas) -> None:
    """Add `deltas` to the case's month / street / category row of the measures
    and to the district's total row (street_key = DISTRICT_TOTAL), in one upsert
    statement (safe under concurrency)."""
    unknown = set(deltas) - set(MEASURE_COLUMNS)
    if unknown:
        raise ValueError(unknown)
    month = _local_date(complaint.received_at).replace(day=1)
    columns = list(deltas)
    values = [deltas[c] for c in columns]
    zeros = [c for c in MEASURE_COLUMNS if c not in deltas]
    updates = ", ".join(f"{c} = complaints_monthlystat.{c} + excluded.{c}" for c in columns)
    row = f"(%s, %s, %s, %s, %s{', %s' * len(columns)}{', 0' * len(zeros)})"
    key = [month, complaint.district_id]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO complaints_monthlystat (month, district_id, street_id, street_key, category_id,"
            f" {', '.join(columns)}{''.join(', ' + z for z in zeros)})"
            f" VALUES {row}, {row}"
            f" ON CONFLICT (month, district_id, street_key, category_id) DO UPDATE SET {updates}",
            [
                *key,
                complaint.street_id,
                complaint.street_id or 0,
                complaint.category_id,
                *values,
                *key,
                None,
                MonthlyStat.DISTRICT_TOTAL,
                complaint.category_id,
                *values,
            ],
        )


def _on_time(complaint: Complaint) -> bool:
    return bool(
        complaint.resolve_due and complaint.resolved_at and _local_date(complaint.resolved_at) <= complaint.resolve_due
    )


def rebuild_monthly_stats() -> int:
    """Recompute the measures from the cases (after a bulk load, or to check
    the running totals). PostgreSQL and SQLite both run this SQL."""
    local = (
        "(c.received_at AT TIME ZONE 'Asia/Shanghai')"
        if connection.vendor == "postgresql"
        else "datetime(c.received_at, '+8 hours')"
    )
    month = (
        f"date_trunc('month', {local})::date"
        if connection.vendor == "postgresql"
        else f"date({local}, 'start of month')"
    )
    resolved_day = (
        "(c.resolved_at AT TIME ZONE 'Asia/Shanghai')::date"
        if connection.vendor == "postgresql"
        else "date(c.resolved_at, '+8 hours')"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM complaints_monthlystat")
        cursor.execute(
            f"""
            INSERT INTO complaints_monthlystat (month, district_id, street_id, street_key, category_id, received,
                accepted, resolved, resolved_on_time, replied, rated, satisfaction_sum, satisfied)
            SELECT {month}, c.district_id, c.street_id, COALESCE(c.street_id, 0), c.category_id, count(*),
                sum(CASE WHEN c.accepted_at IS NOT NULL THEN 1 ELSE 0 END),
                sum(CASE WHEN c.status IN ('resolved', 'closed') THEN 1 ELSE 0 END),
                sum(CASE WHEN c.status IN ('resolved', 'closed') AND {resolved_day} <= c.resolve_due
                    THEN 1 ELSE 0 END),
                sum(CASE WHEN c.status IN ('resolved', 'closed') AND c.reply <> '' THEN 1 ELSE 0 END),
                sum(CASE WHEN c.satisfaction IS NOT NULL THEN 1 ELSE 0 END),
                COALESCE(sum(c.satisfaction), 0),
                sum(CASE WHEN c.satisfaction >= 4 THEN 1 ELSE 0 END)
            FROM complaints_complaint c
            GROUP BY 1, c.district_id, c.street_id, c.category_id
            """
        )
        rows = cursor.rowcount
        sums = ", ".join(f"sum({c})" for c in MEASURE_COLUMNS)
        cursor.execute(
            f"""
            INSERT INTO complaints_monthlystat (month, district_id, street_id, street_key, category_id,
                {", ".join(MEASURE_COLUMNS)})
            SELECT month, district_id, NULL, {MonthlyStat.DISTRICT_TOTAL}, category_id, {sums}
            FROM complaints_monthlystat GROUP BY month, district_id, category_id
            """
        )
        return rows + cursor.rowcount


# --- notifications (the outbox) -------------------------------------------------


def _notify(complaint: Complaint, *, kind: str, key: str, recipient: str, text: str, new: bool = False) -> None:
    """Queue a message in the outbox (once per key) and ask the worker to send it
    after the transaction commits. If the broker is down the message waits
    in the outbox; the beat task sends it when the broker is back. `new`: the
    key cannot exist yet (a case just filed), so insert without looking."""
    fields = {"complaint": complaint, "kind": kind, "recipient": recipient, "text": text}
    if new:
        Notification.objects.create(key=key[:80], **fields)
        _created = True
    else:
        _created = Notification.objects.get_or_create(key=key[:80], defaults=fields)[1]
    if _created:
        transaction.on_commit(kick_delivery)


KICK_KEY = "complaints:delivery-kicked"
KICK_TTL = 60  # a lost kick delays messages at most this long (and beat drains every minute anyway)


def kick_delivery() -> None:
    """Ask the worker to drain the outbox, unless a request it has not started
    on is already queued: the worker clears the flag before it reads the
    outbox, so a row committed before the flag was seen is always picked up.
    One SET NX instead of a Celery publish on almost every filing; if Redis
    cannot answer, publish anyway (the row is in the outbox whatever happens),
    unless the broker is that very Redis, found down a moment ago: then the
    row waits for the beat's drain instead of the request for a time-out."""
    from complaints.tasks import deliver_notifications

    if redis_down() and settings.CACHES["default"].get("LOCATION") == settings.CELERY_BROKER_URL:
        return
    client = redis_client()
    if client is not None:
        try:
            if not guarded(lambda: client.set(cache.make_and_validate_key(KICK_KEY), 1, nx=True, ex=KICK_TTL)):
                return
        except CACHE_ERRORS:
            pass
    try:
        deliver_notifications.apply_async(retry=False)
    except (OperationalError, OSError) as exc:
        logger.warning("broker unavailable, notifications stay in the outbox: %s", exc)
        kicked()  # nothing is queued: let the next filing try again


def kicked() -> None:
    """The worker starts a drain: the next filing may ask for another (the
    cache degrades to a no-op when Redis is down)."""
    cache.delete(KICK_KEY)


def deliver_pending(limit: int = 500) -> int:
    """Send what waits in the outbox. Rows are locked (skip locked) so two
    workers never send the same message."""
    sent = 0
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(state=Notification.State.PENDING)
            .order_by("id")[:limit]
        )
        for row in rows:
            row.attempts += 1
            try:
                sms.send(row.recipient, row.text)
            except sms.SmsError as exc:
                logger.warning("notification %s not sent: %s", row.pk, exc)
                row.save(update_fields=["attempts"])
                continue
            row.state = Notification.State.SENT
            row.sent_at = timezone.now()
            row.save(update_fields=["attempts", "state", "sent_at"])
            sent += 1
    return sent


# --- filing ------------------------------------------------------------------------


@dataclass
class Filing:
    category: Category
    description: str
    reporter_name: str
    reporter_phone: str
    estate: Estate | None = None
    street: StreetOffice | None = None
    address: str = ""
    building_unit: str = ""
    channel: str = Channel.WEB
    external_ref: str = ""
    consent: bool = False


def find_duplicate(*, phone: str, category: Category, estate: Estate | None, address: str = "") -> Complaint | None:
    """An open case of the same phone, place and category filed within 24 hours:
    one look-up of the id on the (reporter_phone, received_at) index, written
    as plain SQL because it runs on every public filing (the ORM spends longer
    building it than PostgreSQL answering it); the case itself is loaded only
    when there is one."""
    since = timezone.now() - timedelta(hours=24)
    place, value = ("estate_id", estate.pk) if estate is not None else ("address", address)
    statuses = list(OPEN_STATUSES)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM complaints_complaint WHERE reporter_phone = %s AND received_at >= %s"
            f" AND category_id = %s AND {place} = %s AND status IN ({', '.join(['%s'] * len(statuses))})"
            " ORDER BY id DESC LIMIT 1",
            [normalize_mobile(phone), connection.ops.adapt_datetimefield_value(since), category.pk, value, *statuses],
        )
        row = cursor.fetchone()
    return None if row is None else Complaint.objects.get(pk=row[0])


def _default_district():
    from communities.models import District

    return District.objects.order_by("id").first()


def file_complaint(*, filing: Filing, photos=(), user=None) -> Complaint:
    """Record a new case from any channel, with up to three photos."""
    phone = normalize_mobile(filing.reporter_phone)
    errors = {}
    if not MOBILE_RE.match(phone):
        errors["reporter_phone"] = _("请输入11位中国大陆手机号码。")
    if not (filing.reporter_name or "").strip():
        errors["reporter_name"] = _("请填写姓名。")
    if not (filing.description or "").strip():
        errors["description"] = _("请描述遇到的问题。")
    if filing.estate is None and not (filing.address or "").strip():
        errors["estate"] = _("请选择小区，或填写详细地址。")
    if filing.channel in (Channel.WEB, Channel.OPEN311) and not filing.consent:
        errors["consent"] = _("请阅读并同意个人信息的使用说明。")
    if len(photos) > settings.COMPLAINT_MAX_PHOTOS:
        errors["photos"] = _("最多上传%(n)s张照片。") % {"n": settings.COMPLAINT_MAX_PHOTOS}
    if errors:
        raise ValidationError(errors)
    cleaned = []
    for upload in photos:
        try:
            cleaned.append(clean_photo(upload))
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from exc
    estate = filing.estate
    street = estate.community.street if estate else filing.street
    district = street.district if street else _default_district()
    if user is not None:
        # Staff file cases inside their own scope only.
        if estate is not None and not scoped(Estate.objects.filter(pk=estate.pk), user).exists():
            raise ValidationError({"estate": _("该小区不在您的管辖范围内。")})
        if (
            estate is None
            and street is not None
            and not scoped(StreetOffice.objects.filter(pk=street.pk), user).exists()
        ):
            raise ValidationError({"street": _("该街道不在您的管辖范围内。")})
    now = timezone.now()
    today = _local_date(now)
    with transaction.atomic():
        complaint = Complaint(
            number=next_number(today),
            access_token=secrets.token_urlsafe(24)[:32],
            channel=filing.channel,
            external_ref=filing.external_ref,
            category=filing.category,
            district=district,
            street=street,
            community=estate.community if estate else None,
            estate=estate,
            address=(filing.address or "").strip(),
            building_unit=(filing.building_unit or "").strip(),
            description=filing.description.strip(),
            reporter_name=filing.reporter_name.strip(),
            reporter_phone=phone,
            consent_at=now if filing.consent else None,
            created_by=user,
            received_at=now,
            accept_due=calendar_around(today).add(today, filing.category.accept_days),
        )
        # Field checks in Python (lengths, the mobile format); the foreign keys
        # come from objects already loaded, and the table's CHECK and UNIQUE
        # constraints back the rest. A full_clean here costs a dozen queries.
        complaint.clean_fields(exclude=FOREIGN_KEYS)
        complaint.save(force_insert=True)
        for content, width, height in cleaned:
            photo = Photo(complaint=complaint, width=width, height=height, size=content.size)
            photo.file.save(f"{complaint.number}.jpg", content, save=False)
            photo.save()
        label = _("工作人员录入（%(channel)s）") % {"channel": complaint.get_channel_display()} if user else RESIDENT
        _step(complaint, user=user, label=label, action="submit", to_status=Status.SUBMITTED, note="", public=True)
        _bump(complaint, received=1)
        _notify(
            complaint,
            kind=Notification.Kind.RECEIVED,
            key=f"received:{complaint.pk}",
            recipient=phone,
            text=_("您的投诉已收到，工单号%(number)s，可凭工单号和手机号查询办理进度。") % {"number": complaint.number},
            new=True,
        )
    return complaint


def add_supplement(*, complaint: Complaint, text: str, photos=(), link_url: str = "") -> Complaint:
    """The resident adds to their open case instead of filing a duplicate.

    `link_url` (the case's secret link) is given when the words come from the
    public form's duplicate offer: whoever typed them may not be the person who
    filed the case, so nothing of the case is shown to them; the link goes by
    SMS to the phone on the case, once per supplement (the outbox key)."""
    if not complaint.is_open:
        raise ValidationError(_("该工单已办结，不能再补充；如有新问题请重新提交。"))
    if not (text or "").strip():
        raise ValidationError({"description": _("请填写补充内容。")})
    cleaned = []
    for upload in photos:
        try:
            cleaned.append(clean_photo(upload))
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from exc
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.photos.count() + len(cleaned) > settings.COMPLAINT_MAX_PHOTOS:
            raise ValidationError({"photos": _("每个工单最多%(n)s张照片。") % {"n": settings.COMPLAINT_MAX_PHOTOS}})
        for content, width, height in cleaned:
            photo = Photo(complaint=locked, width=width, height=height, size=content.size)
            photo.file.save(f"{locked.number}.jpg", content, save=False)
            photo.save()
        step = _step(locked, user=None, label=RESIDENT, action="supplement", note=text.strip(), public=True)
        if link_url:
            _notify(
                locked,
                kind=Notification.Kind.LINK,
                key=f"link:{step.pk}",
                recipient=locked.reporter_phone,
                text=_("您的工单%(number)s收到一条补充内容。查看办理进度：%(url)s（此链接仅限本人使用，请勿转发）")
                % {"number": locked.number, "url": link_url},
                new=True,
            )
    return locked


# --- tracking codes ------------------------------------------------------------


def _code_hash(complaint: Complaint, code: str) -> str:
    return salted_hmac("complaints.tracking-code", f"{complaint.pk}:{code}", algorithm="sha256").hexdigest()


def send_tracking_code(*, complaint: Complaint) -> None:
    """Send a new one-time code by SMS to the phone on the case (replacing any
    code still live). At most one a minute and TRACKING_CODES_PER_HOUR an hour
    per case, counted from the codes table itself under the case's row lock, so
    the limit holds with or without Redis. The code is sent at once (not through
    the outbox: only its hash is stored anywhere)."""
    now = timezone.now()
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().only("id", "number", "reporter_phone").get(pk=complaint.pk)
        sent = list(
            TrackingCode.objects.filter(complaint=locked, created_at__gt=now - timedelta(hours=1)).values_list(
                "created_at", flat=True
            )
        )
        if any(moment > now - timedelta(minutes=1) for moment in sent):
            raise ValidationError(_("验证码刚刚已发送，请1分钟后再获取。"), code="too_soon")
        if len(sent) >= TRACKING_CODES_PER_HOUR:
            raise ValidationError(_("获取验证码次数过多，请1小时后再试。"), code="too_many")
        code = f"{secrets.randbelow(10**6):06d}"
        TrackingCode.objects.filter(complaint=locked, spent_at__isnull=True).update(spent_at=now)
        TrackingCode.objects.create(
            complaint=locked,
            code_hash=_code_hash(locked, code),
            created_at=now,
            expires_at=now + timedelta(minutes=TrackingCode.CODE_MINUTES),
        )
        text = _("验证码%(code)s，用于查看工单%(number)s，%(minutes)s分钟内有效。如非本人操作请忽略。") % {
            "code": code,
            "number": locked.number,
            "minutes": TrackingCode.CODE_MINUTES,
        }
        try:
            sms.send(locked.reporter_phone, text)
        except sms.SmsError as exc:
            logger.warning("tracking code for case %s not sent: %s", locked.pk, exc)
            raise ValidationError(_("短信发送失败，请稍后再试。"), code="sms_failed") from exc


def verify_tracking_code(*, complaint: Complaint, code: str) -> None:
    """Accept the case's live code once; a wrong code counts a try, and the
    MAX_ATTEMPTS-th wrong try voids it. Raises ValidationError saying what the
    resident can do next."""
    code = (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        row = TrackingCode.objects.select_for_update().filter(complaint=complaint, spent_at__isnull=True).first()
        if row is None or row.expires_at <= now:
            error = ValidationError(_("验证码已失效，请重新获取。"), code="expired")
        elif (
            len(code) == 6
            and code.isascii()
            and code.isdigit()
            and constant_time_compare(row.code_hash, _code_hash(complaint, code))
        ):
            row.spent_at = now
            row.save(update_fields=["spent_at"])
            return
        else:
            row.attempts += 1
            left = TrackingCode.MAX_ATTEMPTS - row.attempts
            if left <= 0:
                row.spent_at = now
                error = ValidationError(_("验证码错误次数过多，已失效，请重新获取。"), code="voided")
            else:
                error = ValidationError(_("验证码不正确，还可以再试%(n)s次。") % {"n": left}, code="wrong")
            row.save(update_fields=["attempts", "spent_at"])
    raise error


# --- the state machine ----------------------------------------------------------------

# action -> (statuses it may start from, status it leads to; None keeps the status)
TRANSITIONS = {
    "accept": ((Status.SUBMITTED,), Status.ACCEPTED),
    "reject": ((Status.SUBMITTED,), Status.REJECTED),
    "assign": ((Status.ACCEPTED, Status.ASSIGNED, Status.MEDIATING), Status.ASSIGNED),
    "mediate": ((Status.ASSIGNED,), Status.MEDIATING),
    "resolve": ((Status.ASSIGNED, Status.MEDIATING), Status.RESOLVED),
    "close": ((Status.RESOLVED,), Status.CLOSED),
    "reopen": ((Status.RESOLVED, Status.CLOSED), Status.MEDIATING),
    "escalate": ((Status.ACCEPTED, Status.ASSIGNED, Status.MEDIATING), None),
    "extend": (WORKING_STATUSES, None),
    "return_visit": (FINISHED_STATUSES, None),
}

ACTION_LABELS = {
    "submit": _("提交"),
    "supplement": _("居民补充"),
    "accept": _("受理"),
    "reject": _("不予受理"),
    "assign": _("分派"),
    "mediate": _("开始调解"),
    "resolve": _("办结"),
    "close": _("结案"),
    "reopen": _("重新办理"),
    "escalate": _("升级"),
    "note": _("备注"),
    "extend_request": _("申请延期"),
    "extend_decide": _("延期审批"),
    "return_visit": _("回访"),
    "rate": _("居民评价"),
    "link": _("关联工单"),
    "due_soon": _("临期提醒"),
    "overdue": _("逾期升级"),
}


def allowed_actions(complaint: Complaint) -> set[str]:
    return {action for action, (sources, _target) in TRANSITIONS.items() if complaint.status in sources}


def _refuse(complaint: Complaint, action: str):
    raise ValidationError(
        _("工单%(number)s当前状态为“%(status)s”，不能执行“%(action)s”。")
        % {"number": complaint.number, "status": complaint.get_status_display(), "action": ACTION_LABELS[action]},
        code="illegal_transition",
    )


def _actor_label(user) -> str:
    if user is None:
        return SYSTEM
    return user.get_full_name() or user.username


def _step(complaint, *, user, action, note="", public=False, label=None, from_status="", to_status=""):
    return Step.objects.create(
        complaint=complaint,
        actor=user,
        actor_label=label or _actor_label(user),
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        public=public,
    )


def _locked(user, complaint_id: int, action: Action = Action.CHANGE) -> Complaint:
    get_scoped_object_or_404(Complaint.objects.all(), user, action, pk=complaint_id)
    return Complaint.objects.select_for_update().get(pk=complaint_id)


def _move(complaint: Complaint, *, user, action: str, note="", public=True, label=None) -> Complaint:
    sources, target = TRANSITIONS[action]
    if complaint.status not in sources:
        _refuse(complaint, action)
    before = complaint.status
    if target is not None:
        complaint.status = target
    complaint.full_clean(exclude=["linked"])
    complaint.save()
    _step(
        complaint,
        user=user,
        action=action,
        note=note,
        public=public,
        label=label,
        from_status=before,
        to_status=complaint.status if target is not None else "",
    )
    return complaint


@transaction.atomic
def accept(*, user, complaint_id: int, note: str = "") -> Complaint:
    complaint = _locked(user, complaint_id)
    if complaint.status != Status.SUBMITTED:
        _refuse(complaint, "accept")
    now = timezone.now()
    today = _local_date(now)
    complaint.accepted_at = now
    complaint.resolve_due = calendar_around(today).add(today, complaint.category.resolve_days)
    complaint.handler = complaint.handler or user
    _move(complaint, user=user, action="accept", note=note or _("已受理，将在规定时限内办理。"))
    _bump(complaint, accepted=1)
    return complaint


@transaction.atomic
def reject(*, user, complaint_id: int, reason: str) -> Complaint:
    complaint = _locked(user, complaint_id)
    if not (reason or "").strip():
        raise ValidationError({"rejection_reason": _("不予受理须填写理由。")})
    if complaint.status != Status.SUBMITTED:
        _refuse(complaint, "reject")
    complaint.rejection_reason = reason.strip()
    return _move(complaint, user=user, action="reject", note=reason.strip())


@transaction.atomic
def assign(
    *, user, complaint_id: int, community=None, company=None, rights_unit=None, handler=None, note: str = ""
) -> Complaint:
    complaint = _locked(user, complaint_id)
    if complaint.status not in TRANSITIONS["assign"][0]:
        _refuse(complaint, "assign")
    if community is None and company is None and rights_unit is None:
        raise ValidationError(_("分派须指定社区、物业企业或产权单位。"), code="no_assignee")
    if community is not None and not scoped(Community.objects.filter(pk=community.pk), user).exists():
        raise ValidationError({"assigned_community": _("该社区不在您的管辖范围内。")})
    if company is not None and company.district_id != complaint.district_id:
        raise ValidationError({"company": _("该物业企业不在本区登记。")})
    if rights_unit is not None and rights_unit.district_id != complaint.district_id:
        raise ValidationError({"rights_unit": _("该产权单位不在本区登记。")})
    complaint.assigned_community = community
    complaint.company = company
    complaint.rights_unit = rights_unit
    if handler is not None:
        complaint.handler = handler
    names = "、".join(str(x) for x in (community, company, rights_unit) if x is not None)
    return _move(complaint, user=user, action="assign", note=note or _("已分派给%(names)s。") % {"names": names})


@transaction.atomic
def start_mediation(*, user, complaint_id: int, mediation_type: str, note: str = "") -> Complaint:
    complaint = _locked(user, complaint_id)
    complaint.mediation_type = mediation_type
    return _move(complaint, user=user, action="mediate", note=note or _("已开始调解。"))


@transaction.atomic
def resolve(*, user, complaint_id: int, outcome: str, reply: str, upheld_against_company: bool = False) -> Complaint:
    complaint = _locked(user, complaint_id)
    if complaint.status not in TRANSITIONS["resolve"][0]:
        _refuse(complaint, "resolve")
    errors = {}
    if not (outcome or "").strip():
        errors["outcome"] = _("请填写办理结果。")
    if not (reply or "").strip():
        errors["reply"] = _("请填写给居民的答复。")
    if upheld_against_company and complaint.company_id is None:
        errors["upheld_against_company"] = _("认定责任在物业企业时，须先将工单分派给该企业。")
    if errors:
        raise ValidationError(errors)
    complaint.outcome = outcome.strip()
    complaint.reply = reply.strip()
    complaint.upheld_against_company = upheld_against_company
    complaint.resolved_at = timezone.now()
    complaint.due_soon = False
    _move(complaint, user=user, action="resolve", note=complaint.reply)
    _bump(complaint, resolved=1, resolved_on_time=int(_on_time(complaint)), replied=1)
    _notify(
        complaint,
        kind=Notification.Kind.RESOLVED,
        key=f"resolved:{complaint.pk}:{complaint.reopen_count}",
        recipient=complaint.reporter_phone,
        text=_("您的投诉%(number)s已办结，请查看答复并评价。") % {"number": complaint.number},
    )
    return complaint


@transaction.atomic
def close(*, user, complaint_id: int, note: str = "") -> Complaint:
    complaint = _locked(user, complaint_id)
    complaint.closed_at = timezone.now()
    return _move(complaint, user=user, action="close", note=note or _("已结案。"))


def _reopen(complaint: Complaint, *, user, note: str, label=None) -> Complaint:
    if complaint.status not in TRANSITIONS["reopen"][0]:
        _refuse(complaint, "reopen")
    _bump(
        complaint,
        resolved=-1,
        resolved_on_time=-int(_on_time(complaint)),
        replied=-int(bool(complaint.reply)),
        **(
            {
                "rated": -1,
                "satisfaction_sum": -complaint.satisfaction,
                "satisfied": -int(complaint.satisfaction >= 4),
            }
            if complaint.satisfaction
            else {}
        ),
    )
    complaint.reopen_count += 1
    complaint.resolved_at = None
    complaint.closed_at = None
    complaint.satisfaction = None
    complaint.rated_at = None
    complaint.outcome = ""
    complaint.upheld_against_company = False
    today = timezone.localdate()
    complaint.resolve_due = calendar_around(today).add(today, complaint.category.resolve_days)
    complaint.overdue = False
    return _move(complaint, user=user, action="reopen", note=note, label=label)


@transaction.atomic
def reopen(*, user, complaint_id: int, note: str) -> Complaint:
    if not (note or "").strip():
        raise ValidationError({"note": _("请说明重新办理的原因。")})
    return _reopen(_locked(user, complaint_id), user=user, note=note.strip())


@transaction.atomic
def escalate(*, user, complaint_id: int, level: str, note: str) -> Complaint:
    complaint = _locked(user, complaint_id)
    if level not in (Escalation.STREET, Escalation.DISTRICT):
        raise ValidationError({"escalation": _("请选择升级到街道或区联席会议。")})
    if not (note or "").strip():
        raise ValidationError({"note": _("请说明升级的理由。")})
    complaint.escalation = level
    return _move(
        complaint,
        user=user,
        action="escalate",
        note=_("提交%(level)s：%(note)s") % {"level": Escalation(level).label, "note": note.strip()},
        public=False,
    )


@transaction.atomic
def add_note(*, user, complaint_id: int, note: str, public: bool = False) -> Step:
    complaint = _locked(user, complaint_id)
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写内容。")})
    return _step(complaint, user=user, action="note", note=note.strip(), public=public)


@transaction.atomic
def request_extension(*, user, complaint_id: int, days: int, reason: str) -> ExtensionRequest:
    complaint = _locked(user, complaint_id)
    if complaint.status not in WORKING_STATUSES:
        _refuse(complaint, "extend")
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写延期理由。")})
    if complaint.extensions.filter(decision=ExtensionRequest.Decision.PENDING).exists():
        raise ValidationError(_("该工单已有待审批的延期申请。"))
    request = ExtensionRequest(complaint=complaint, days=days, reason=reason.strip(), requested_by=user)
    request.full_clean()
    request.save()
    _step(
        complaint,
        user=user,
        action="extend_request",
        note=_("申请延期%(days)s个工作日：%(reason)s") % {"days": days, "reason": request.reason},
    )
    return request


@transaction.atomic
def decide_extension(*, user, request_id: int, approve: bool, note: str = "") -> ExtensionRequest:
    """Only a supervisor (Action.APPROVE: district officials) decides."""
    request = ExtensionRequest.objects.select_related("complaint").get(pk=request_id)
    complaint = _locked(user, request.complaint_id, Action.APPROVE)
    request = ExtensionRequest.objects.select_for_update().get(pk=request_id)
    if request.decision != ExtensionRequest.Decision.PENDING:
        raise ValidationError(_("该延期申请已审批。"))
    request.decision = ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REFUSED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.save()
    if approve and complaint.resolve_due:
        complaint.resolve_due = calendar_around(complaint.resolve_due).add(complaint.resolve_due, request.days)
        complaint.overdue = False
        complaint.due_soon = False
        complaint.save()
    text = _("批准延期%(days)s个工作日，新办结时限%(due)s。") if approve else _("未批准延期。")
    _step(
        complaint,
        user=user,
        action="extend_decide",
        note=(text % {"days": request.days, "due": complaint.resolve_due} if approve else text)
        + (f" {note}" if note else ""),
    )
    return request


@transaction.atomic
def record_return_visit(*, user, complaint_id: int, rating: int, note: str = "") -> Complaint:
    complaint = _locked(user, complaint_id)
    if complaint.status not in FINISHED_STATUSES:
        _refuse(complaint, "return_visit")
    if rating not in range(1, 6):
        raise ValidationError({"return_visit_rating": _("回访满意度应为1至5。")})
    complaint.return_visit_at = timezone.now()
    complaint.return_visit_rating = rating
    complaint.return_visit_note = (note or "").strip()[:500]
    complaint.save()
    _step(
        complaint,
        user=user,
        action="return_visit",
        note=_("回访满意度%(r)s。%(note)s") % {"r": rating, "note": complaint.return_visit_note},
    )
    return complaint


@transaction.atomic
def link(*, user, complaint_id: int, other_number: str) -> Complaint:
    complaint = _locked(user, complaint_id)
    other = scoped(Complaint.objects.all(), user).filter(number=(other_number or "").strip().upper()).first()
    if other is None:
        raise ValidationError({"number": _("没有找到该工单，或不在您的管辖范围内。")})
    if other.pk == complaint.pk:
        raise ValidationError({"number": _("不能关联工单本身。")})
    complaint.linked.add(other)
    _step(complaint, user=user, action="link", note=other.number)
    return complaint


def reveal_phone(*, user, complaint_id: int, ip: str | None = None) -> str:
    """The full number, for staff who may work the case; every look is logged."""
    complaint = get_scoped_object_or_404(Complaint.objects.all(), user, Action.CHANGE, pk=complaint_id)
    PhoneView.objects.create(complaint=complaint, user=user, ip=ip)
    return complaint.reporter_phone


# --- the resident ------------------------------------------------------------------------


@transaction.atomic
def rate(*, complaint: Complaint, satisfaction: int, comment: str = "", reopen_requested: bool = False) -> Complaint:
    """Once resolved, the resident rates the outcome once. Dissatisfied (1–2)
    and asking for it, the case is reopened; otherwise it is closed."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status != Status.RESOLVED or complaint.satisfaction is not None:
        raise ValidationError(_("该工单目前不能评价（办结后可评价一次）。"), code="cannot_rate")
    if satisfaction not in range(1, 6):
        raise ValidationError({"satisfaction": _("请选择1至5的满意度。")})
    complaint.satisfaction = satisfaction
    complaint.rating_comment = (comment or "").strip()[:500]
    complaint.rated_at = timezone.now()
    complaint.save()
    _step(
        complaint,
        user=None,
        label=RESIDENT,
        action="rate",
        note=_("满意度%(s)s。%(c)s") % {"s": satisfaction, "c": complaint.rating_comment},
        public=True,
    )
    _bump(complaint, rated=1, satisfaction_sum=satisfaction, satisfied=int(satisfaction >= 4))
    if reopen_requested and satisfaction <= 2:
        return _reopen(complaint, user=None, label=RESIDENT, note=_("居民不满意，要求重新办理。"))
    complaint.closed_at = timezone.now()
    return _move(complaint, user=None, label=RESIDENT, action="close", note=_("居民已评价，结案。"))


# --- scheduled work ----------------------------------------------------------------------------


def check_deadlines(*, today: date | None = None) -> dict:
    """Flag cases near their deadline and escalate those past it.

    Safe to run twice or concurrently: the reminder's outbox row has a unique
    key (kind, case, deadline), and flags are set by conditional UPDATEs.
    """
    today = today or timezone.localdate()
    calendar = calendar_around(today)
    result = {"due_soon": 0, "overdue": 0}
    for category in Category.objects.all():
        horizon = calendar.add(today, category.remind_days)
        open_cases = Complaint.objects.filter(category=category, status__in=WORKING_STATUSES)
        with transaction.atomic():
            soon = list(
                open_cases.filter(due_soon=False, overdue=False, resolve_due__gte=today, resolve_due__lte=horizon)
                .select_for_update(skip_locked=True)
                .only("id", "number", "street_id", "resolve_due", "handler_id")
            )
            for complaint in soon:
                _notify(
                    complaint,
                    kind=Notification.Kind.DUE_SOON,
                    key=f"due_soon:{complaint.pk}:{complaint.resolve_due}",
                    recipient=f"street:{complaint.street_id or 0}",
                    text=_("工单%(number)s将于%(due)s到期，请抓紧办理。")
                    % {"number": complaint.number, "due": complaint.resolve_due},
                )
                _step(
                    complaint,
                    user=None,
                    action="due_soon",
                    note=_("距办结时限不足%(n)s个工作日。") % {"n": category.remind_days},
                )
            result["due_soon"] += Complaint.objects.filter(pk__in=[c.pk for c in soon]).update(due_soon=True)
            late = list(
                open_cases.filter(overdue=False, resolve_due__lt=today)
                .select_for_update(skip_locked=True)
                .only("id", "number", "street_id", "resolve_due", "escalation")
            )
            for complaint in late:
                _notify(
                    complaint,
                    kind=Notification.Kind.OVERDUE,
                    key=f"overdue:{complaint.pk}:{complaint.resolve_due}",
                    recipient=f"street:{complaint.street_id or 0}",
                    text=_("工单%(number)s已超过办结时限（%(due)s），已升级督办。")
                    % {"number": complaint.number, "due": complaint.resolve_due},
                )
                _step(complaint, user=None, action="overdue", note=_("超过办结时限，自动升级督办。"))
            ids = [c.pk for c in late]
            result["overdue"] += Complaint.objects.filter(pk__in=ids).update(overdue=True)
            Complaint.objects.filter(pk__in=ids, escalation="").update(escalation=Escalation.STREET)
    # Not even accepted in time: flagged overdue for the station (not escalated).
    with transaction.atomic():
        unaccepted = list(
            Complaint.objects.filter(status=Status.SUBMITTED, overdue=False, accept_due__lt=today)
            .select_for_update(skip_locked=True)
            .only("id", "number", "street_id", "accept_due")
        )
        for complaint in unaccepted:
            _notify(
                complaint,
                kind=Notification.Kind.OVERDUE,
                key=f"overdue_accept:{complaint.pk}:{complaint.accept_due}",
                recipient=f"street:{complaint.street_id or 0}",
                text=_("工单%(number)s超过受理时限（%(due)s）仍未受理。")
                % {"number": complaint.number, "due": complaint.accept_due},
            )
            _step(complaint, user=None, action="overdue", note=_("超过受理时限仍未受理。"))
        result["overdue"] += Complaint.objects.filter(pk__in=[c.pk for c in unaccepted]).update(overdue=True)
    return result


def close_unrated(*, today: date | None = None) -> int:
    """Resolved cases the resident did not rate within the set working days are closed."""
    today = today or timezone.localdate()
    calendar = calendar_around(today)
    # the latest resolution day that has had the full rating period
    cutoff = today
    for _i in range(settings.COMPLAINT_RATING_WORKING_DAYS):
        cutoff -= timedelta(days=1)
        while not calendar.is_working_day(cutoff):
            cutoff -= timedelta(days=1)
    closed = 0
    limit = timezone.make_aware(datetime.combine(cutoff, datetime.min.time()))
    for pk in Complaint.objects.filter(status=Status.RESOLVED, resolved_at__lt=limit).values_list("pk", flat=True)[
        :1000
    ]:
        with transaction.atomic():
            complaint = (
                Complaint.objects.select_for_update(skip_locked=True).filter(pk=pk, status=Status.RESOLVED).first()
            )
            if complaint is None:
                continue
            complaint.closed_at = timezone.now()
            _move(complaint, user=None, action="close", note=_("居民逾期未评价，自动结案。"))
            closed += 1
    return closed


# --- the calendar ------------------------------------------------------------------------------


def _check_calendar_right(user):
    if not can(user, Action.CHANGE, CalendarDay):
        raise PermissionDenied(_("只有区级管理人员可以维护节假日与调休。"))


@transaction.atomic
def save_calendar_day(*, user, day: date, kind: str, name: str = "") -> CalendarDay:
    _check_calendar_right(user)
    row = CalendarDay.objects.filter(date=day).first() or CalendarDay(date=day)
    row.kind = kind
    row.name = name
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def delete_calendar_day(*, user, day_id: int) -> None:
    _check_calendar_right(user)
    CalendarDay.objects.filter(pk=day_id).delete()


def assignable(*, user, complaint: Complaint) -> dict:
    """Choices for the assign form: communities in scope, the district's companies and units."""
    from propertymgmt.models import PropertyCompany

    return {
        "communities": scoped(Community.objects.filter(street_id=complaint.street_id), user)
        if complaint.street_id
        else scoped(Community.objects.filter(street__district_id=complaint.district_id), user),
        "companies": PropertyCompany.objects.filter(district_id=complaint.district_id),
        "rights_units": PropertyRightsUnit.objects.filter(district_id=complaint.district_id),
    }
