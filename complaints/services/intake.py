"""Filing: a new case from any channel, the duplicate a resident may add to
instead, and the resident's supplement to an open case."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.selectors import estates_for, streets_for
from complaints.models import OPEN_STATUSES, Category, Channel, Complaint, Notification, Photo, Status
from complaints.photos import clean_photo
from complaints.services.delivery import _notify
from complaints.services.numbering import _local_date, next_number
from complaints.services.stats import _bump
from complaints.services.transitions import RESIDENT, _step
from complaints.workdays import calendar_around
from core.validators import MOBILE_RE, normalize_mobile
from org.models import District, StreetOffice

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


@dataclass
class Filing:
    category: Category
    description: str
    reporter_name: str
    reporter_phone: str
    estate: object | None = None  # communities.Estate
    street: StreetOffice | None = None
    address: str = ""
    building_unit: str = ""
    channel: str = Channel.WEB
    external_ref: str = ""
    consent: bool = False


def find_duplicate(*, phone: str, category: Category, estate, address: str = "") -> Complaint | None:
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


def _open311_district():
    """GeoReport names no street: a request by a point or an address that matches
    no registered estate goes to the portal's district (the first, where a portal
    serves several: still to be decided by the point, see issue 15)."""
    return District.objects.order_by("id").first()


def _check_filing(filing: Filing, *, phone: str, photos) -> None:
    """Every missing or malformed field of the filing at once, as the form shows them."""
    errors = {}
    if not MOBILE_RE.match(phone):
        errors["reporter_phone"] = _("请输入11位中国大陆手机号码。")
    if not (filing.reporter_name or "").strip():
        errors["reporter_name"] = _("请填写姓名。")
    if not (filing.description or "").strip():
        errors["description"] = _("请描述遇到的问题。")
    if filing.estate is None and not (filing.address or "").strip():
        errors["estate"] = _("请选择小区，或填写详细地址。")
    elif filing.estate is None and filing.street is None and filing.channel != Channel.OPEN311:
        # A typed address is filed under the street the resident chose (and so
        # its district): without one the case would belong to no office.
        errors["street"] = _("填写地址时，请选择所在街道。")
    if filing.channel in (Channel.WEB, Channel.OPEN311) and not filing.consent:
        errors["consent"] = _("请阅读并同意个人信息的使用说明。")
    if len(photos) > settings.COMPLAINT_MAX_PHOTOS:
        errors["photos"] = _("最多上传%(n)s张照片。") % {"n": settings.COMPLAINT_MAX_PHOTOS}
    if errors:
        raise ValidationError(errors)


def _cleaned_photos(photos) -> list:
    """Each upload checked and re-encoded (complaints.photos), or the first refusal under `photos`."""
    cleaned = []
    for upload in photos:
        try:
            cleaned.append(clean_photo(upload))
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from exc
    return cleaned


def _check_staff_scope(user, *, estate, street: StreetOffice | None) -> None:
    """Staff file cases inside their own scope only."""
    if estate is not None and not estates_for(user=user).filter(pk=estate.pk).exists():
        raise ValidationError({"estate": _("该小区不在您的管辖范围内。")})
    if estate is None and street is not None and not streets_for(user=user).filter(pk=street.pk).exists():
        raise ValidationError({"street": _("该街道不在您的管辖范围内。")})


def _save_photos(complaint: Complaint, cleaned: list) -> None:
    for content, width, height in cleaned:
        photo = Photo(complaint=complaint, width=width, height=height, size=content.size)
        photo.file.save(f"{complaint.number}.jpg", content, save=False)
        photo.save()


def file_complaint(*, filing: Filing, photos=(), user=None) -> Complaint:
    """Record a new case from any channel, with up to three photos."""
    phone = normalize_mobile(filing.reporter_phone)
    _check_filing(filing, phone=phone, photos=photos)
    cleaned = _cleaned_photos(photos)
    estate = filing.estate
    street = estate.community.street if estate else filing.street
    district = street.district if street else _open311_district()
    if user is not None:
        _check_staff_scope(user, estate=estate, street=street)
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
        _save_photos(complaint, cleaned)
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
    cleaned = _cleaned_photos(photos)
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.photos.count() + len(cleaned) > settings.COMPLAINT_MAX_PHOTOS:
            raise ValidationError({"photos": _("每个工单最多%(n)s张照片。") % {"n": settings.COMPLAINT_MAX_PHOTOS}})
        _save_photos(locked, cleaned)
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
