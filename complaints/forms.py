"""Forms of the complaints app: the public intake (web form and Open311 share
their fields and checks), tracking, and the staff action forms."""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from communities.selectors import estate_places, streets_for
from complaints.models import STAFF_CHANNELS, Category, Complaint, Escalation, MediationType
from core.validators import normalize_mobile, validate_mobile
from org.models import StreetOffice

# Lengths of the intake fields: the model's, so every channel stops at the same place.
DESCRIPTION_MAX = Complaint._meta.get_field("description").max_length
NAME_MAX = Complaint._meta.get_field("reporter_name").max_length
ADDRESS_MAX = Complaint._meta.get_field("address").max_length
EXTERNAL_REF_MAX = Complaint._meta.get_field("external_ref").max_length
PHONE_INPUT_MAX = 20
ASCII_ID_RE = re.compile(r"^[0-9]{1,18}$")
ASCII_NUMBER_RE = re.compile(r"^[+-]?[0-9]{1,3}(\.[0-9]{1,12})?$")


def description_field(**kwargs):
    return forms.CharField(label=_("问题描述"), max_length=DESCRIPTION_MAX, **kwargs)


def clean_mobile(value: str) -> str:
    """A mainland mobile number in ASCII digits: full-width digits typed on a
    phone are folded (NFKC); other scripts' digits are refused."""
    value = normalize_mobile(unicodedata.normalize("NFKC", value or ""))
    if not value.isascii():
        raise forms.ValidationError(_("请输入11位中国大陆手机号码。"), code="invalid_mobile")
    validate_mobile(value)
    return value


def parse_ascii_id(value: str) -> int | None:
    """An id typed by a client: ASCII digits only (int() would also take "١٢",
    and "²".isdigit() is True)."""
    value = (value or "").strip()
    return int(value) if ASCII_ID_RE.match(value) else None


def parse_coordinate(value: str, *, low: int, high: int, name: str) -> Decimal:
    """A latitude or longitude in plain ASCII decimal notation within [low, high]."""
    value = (value or "").strip()
    try:
        number = Decimal(value) if ASCII_NUMBER_RE.match(value) else None
    except InvalidOperation:
        number = None
    if number is None:
        raise forms.ValidationError(_("%(name)s应为数字，例如 39.95。") % {"name": name}, code="invalid")
    if not low <= number <= high:
        raise forms.ValidationError(
            _("%(name)s应在 %(low)s 到 %(high)s 之间。") % {"name": name, "low": low, "high": high}, code="range"
        )
    return number


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        files = [f for f in files if f]
        if len(files) > settings.COMPLAINT_MAX_PHOTOS:
            raise forms.ValidationError(_("最多上传3张照片。"))
        return [super(PhotosField, self).clean(f, initial) for f in files]


def _categories():
    return Category.objects.filter(active=True).order_by("sort", "id")


def _places():
    """Estates with what a filing needs of them (name, community, street,
    district): four ids and a name, not the ledger's ~60 columns."""
    return estate_places()


class PlaceMixin:
    """Estate by name (a datalist helps the resident pick it), or a typed address
    with its street when the estate is not in the list."""

    def clean_reporter_phone(self):
        return clean_mobile(self.cleaned_data["reporter_phone"])

    def clean(self):
        cleaned = super().clean()
        estate = None
        estate_id = cleaned.get("estate_id")
        name = (cleaned.get("estate_name") or "").strip()
        if estate_id:
            estate = _places().filter(pk=estate_id).first()
            if estate is not None and name and estate.name != name:
                estate = None  # the resident changed the text after picking
        if estate is None and name:
            matches = list(_places().filter(name=name)[:2])
            if len(matches) == 1:
                estate = matches[0]
        cleaned["estate"] = estate
        if estate is None:
            if not (cleaned.get("address") or "").strip():
                self.add_error("address", _("没有找到该小区：请从列表中选择小区，或填写详细地址。"))
            if not cleaned.get("street"):
                self.add_error("street", _("填写地址时，请选择所在街道。"))
        return cleaned


class PublicComplaintForm(PlaceMixin, forms.Form):
    category = forms.ModelChoiceField(queryset=_categories(), label=_("问题类别"), empty_label=_("请选择"))
    estate_name = forms.CharField(label=_("小区名称"), max_length=100, required=False)
    estate_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    street = forms.ModelChoiceField(
        queryset=StreetOffice.objects.order_by("code"), label=_("所在街道"), required=False, empty_label=_("请选择")
    )
    address = forms.CharField(label=_("详细地址（找不到小区时填写）"), max_length=200, required=False)
    building_unit = forms.CharField(label=_("楼栋/单元/门牌"), max_length=50, required=False)
    description = description_field(widget=forms.Textarea(attrs={"rows": 5}))
    photos = PhotosField(label=_("照片（最多3张，JPG/PNG/WebP）"), required=False)
    # Photos kept on the server across the duplicate offer (complaints.services.held_photos).
    held_photos = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    reporter_name = forms.CharField(label=_("姓名"), max_length=NAME_MAX)
    reporter_phone = forms.CharField(label=_("手机号码"), max_length=PHONE_INPUT_MAX)
    consent = forms.BooleanField(
        label=_("我同意街道办事处为办理本投诉使用我的姓名和手机号码，不向无关人员公开。"),
        error_messages={"required": _("请阅读并同意个人信息的使用说明。")},
    )
    # A field people never see; bots fill every field.
    website = forms.CharField(required=False, label=_("请勿填写此项"))
    challenge_token = forms.CharField(required=False, widget=forms.HiddenInput)
    challenge_answer = forms.CharField(required=False, max_length=4, label=_("验证问题"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()
        self.fields["reporter_phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["reporter_name"].widget.attrs["autocomplete"] = "name"
        self.fields["estate_name"].widget.attrs.update({"list": "estate-options", "autocomplete": "off"})
        self.fields["photos"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
        self.fields["challenge_answer"].widget.attrs["inputmode"] = "numeric"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-lg")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control form-control-lg")


class StaffComplaintForm(PlaceMixin, forms.Form):
    """Cases that come in by 12345, the mailboxes, phone or walk-in."""

    channel = forms.ChoiceField(choices=[(c.value, c.label) for c in STAFF_CHANNELS], label=_("来源渠道"))
    external_ref = forms.CharField(label=_("来源单号"), max_length=40, required=False)
    category = forms.ModelChoiceField(queryset=_categories(), label=_("问题类别"))
    estate_name = forms.CharField(label=_("小区名称"), max_length=100, required=False)
    estate_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    street = forms.ModelChoiceField(queryset=StreetOffice.objects.none(), label=_("所在街道"), required=False)
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    building_unit = forms.CharField(label=_("楼栋/单元/门牌"), max_length=50, required=False)
    description = forms.CharField(label=_("问题描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    reporter_name = forms.CharField(label=_("投诉人"), max_length=30)
    reporter_phone = forms.CharField(label=_("手机号码"), max_length=20)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()
        self.fields["street"].queryset = streets_for(user=user)
        self.fields["estate_name"].widget.attrs.update({"list": "estate-options", "autocomplete": "off"})


class TrackForm(forms.Form):
    number = forms.CharField(label=_("工单号"), max_length=20)
    phone = forms.CharField(label=_("手机号码"), max_length=PHONE_INPUT_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].widget.attrs.update(
            {"class": "form-control form-control-lg", "placeholder": "TS-20261123-000123"}
        )
        self.fields["phone"].widget.attrs.update({"class": "form-control form-control-lg", "inputmode": "tel"})

    def clean_number(self):
        return unicodedata.normalize("NFKC", self.cleaned_data["number"]).strip().upper()

    def clean_phone(self):
        # Not validated: a malformed phone is a pair that does not match, and says no more.
        return normalize_mobile(unicodedata.normalize("NFKC", self.cleaned_data["phone"]))


class TrackCodeForm(forms.Form):
    code = forms.CharField(label=_("短信验证码"), max_length=6, min_length=6)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"class": "form-control form-control-lg", "inputmode": "numeric", "autocomplete": "one-time-code"}
        )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not (code.isascii() and code.isdigit()):
            raise forms.ValidationError(_("验证码是6位数字。"), code="invalid")
        return code


class Open311RequestForm(forms.Form):
    """POST /open311/v2/requests.json: the GeoReport v2 fields, checked as the web
    form checks its own (the same lengths, the same phone rule), plus the
    coordinates: ASCII decimals, latitude −90…90, longitude −180…180, and
    inside the area the portal knows (`bounds`: lat_min, lat_max, lon_min,
    lon_max, from the estates' coordinates)."""

    LABELS = {
        "service_code": _("服务类别"),
        "lat": _("纬度"),
        "long": _("经度"),
        "address_string": _("地址"),
        "address_id": _("地址编号"),
        "description": _("问题描述"),
        "first_name": _("名"),
        "last_name": _("姓"),
        "phone": _("手机号码"),
        "email": _("电子邮箱"),
        "device_id": _("设备编号"),
        "account_id": _("账户编号"),
        "media_url": _("图片地址"),
        "jurisdiction_id": _("辖区编号"),
        "location": _("位置"),
    }

    service_code = forms.CharField(max_length=50)
    lat = forms.CharField(max_length=32, required=False)
    long = forms.CharField(max_length=32, required=False)
    address_string = forms.CharField(max_length=ADDRESS_MAX, required=False)
    address_id = forms.CharField(max_length=18, required=False)
    description = description_field()
    first_name = forms.CharField(max_length=NAME_MAX, required=False)
    last_name = forms.CharField(max_length=NAME_MAX, required=False)
    phone = forms.CharField(max_length=PHONE_INPUT_MAX)
    email = forms.CharField(max_length=254, required=False)
    device_id = forms.CharField(max_length=EXTERNAL_REF_MAX, required=False)
    account_id = forms.CharField(max_length=50, required=False)
    media_url = forms.CharField(max_length=500, required=False)
    jurisdiction_id = forms.CharField(max_length=50, required=False)

    def __init__(self, *args, bounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.bounds = bounds

    def clean_service_code(self):
        category = _categories().filter(code=self.cleaned_data["service_code"]).first()
        if category is None:
            raise forms.ValidationError(_("没有这个服务类别（见 services.json）。"), code="unknown")
        return category

    def clean_phone(self):
        return clean_mobile(self.cleaned_data["phone"])

    def clean_address_id(self):
        raw = self.cleaned_data["address_id"]
        if not raw:
            return None
        pk = parse_ascii_id(raw)
        estate = _places().filter(pk=pk).first() if pk is not None else None
        if estate is None:
            raise forms.ValidationError(_("地址编号应为已登记小区的编号（阿拉伯数字）。"), code="unknown")
        return estate

    def clean_lat(self):
        raw = self.cleaned_data["lat"]
        return parse_coordinate(raw, low=-90, high=90, name=_("纬度")) if raw else None

    def clean_long(self):
        raw = self.cleaned_data["long"]
        return parse_coordinate(raw, low=-180, high=180, name=_("经度")) if raw else None

    def clean(self):
        cleaned = super().clean()
        name = f"{cleaned.get('last_name', '')}{cleaned.get('first_name', '')}".strip()
        if len(name) > NAME_MAX:
            self.add_error("last_name", _("姓名不能超过%(n)s个字。") % {"n": NAME_MAX})
        cleaned["reporter_name"] = name or "Open311"
        lat, lon = cleaned.get("lat"), cleaned.get("long")
        if "lat" in cleaned and "long" in cleaned and (lat is None) != (lon is None):
            self.add_error("lat" if lat is None else "long", _("纬度和经度须同时提供。"))
        elif lat is not None and lon is not None and self.bounds is not None:
            lat_min, lat_max, lon_min, lon_max = self.bounds
            if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
                self.add_error("lat", _("该位置不在本区范围内。"))
        estate = cleaned.get("address_id")
        address = (cleaned.get("address_string") or "").strip()
        if estate is None and address and not self.data.get("address_id"):
            matches = list(_places().filter(name=address)[:2])
            estate = matches[0] if len(matches) == 1 else None
        located = estate is not None or address or self.data.get("address_id") or self.data.get("lat")
        if not located:
            self.add_error(
                None, _("请提供位置：lat 和 long（纬度和经度）、address_string（地址）或 address_id（地址编号）。")
            )
        elif estate is None and not address and lat is not None:
            address = _("经纬度 %(lat)s, %(long)s") % {"lat": lat, "long": lon}
        cleaned["estate"] = estate
        cleaned["address"] = address if estate is None else ""
        return cleaned

    def errors_for_open311(self) -> list[str]:
        """One description per refused field, naming it as the client sent it
        and in Chinese: "lat（纬度）：纬度应在 -90 到 90 之间。"."""
        out = []
        for field, messages in self.errors.items():
            name = "location" if field == "__all__" else field
            out.append(f"{name}（{self.LABELS.get(name, name)}）：{' '.join(messages)}")
        return out


# The 1–5 scale with its meaning, best first (the resident's rating and the return visit).
RATING_CHOICES = [
    (5, _("5 非常满意")),
    (4, _("4 满意")),
    (3, _("3 基本满意")),
    (2, _("2 不满意")),
    (1, _("1 非常不满意")),
]
# The case page's small selects, styled as the page's other selects.
SMALL_SELECT = {"class": "form-select form-select-sm"}


class RatingForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"),
        coerce=int,
        choices=RATING_CHOICES,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("评价意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reopen = forms.BooleanField(label=_("不满意，要求重新办理"), required=False)


class SupplementForm(forms.Form):
    text = forms.CharField(label=_("补充说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    public = forms.BooleanField(label=_("居民可见"), required=False)


class ResolveForm(forms.Form):
    outcome = forms.CharField(label=_("办理结果（内部）"), widget=forms.Textarea(attrs={"rows": 3}))
    reply = forms.CharField(label=_("答复居民"), widget=forms.Textarea(attrs={"rows": 3}))
    upheld_against_company = forms.BooleanField(label=_("投诉属实、责任在物业企业"), required=False)


class EscalateForm(forms.Form):
    level = forms.ChoiceField(
        label=_("升级到"),
        choices=[(e.value, e.label) for e in Escalation if e.value],
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    note = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class MediateForm(forms.Form):
    mediation_type = forms.ChoiceField(
        label=_("调解类型"), choices=MediationType.choices, widget=forms.Select(attrs=SMALL_SELECT)
    )
    note = forms.CharField(label=_("说明"), required=False)


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("延长工作日"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class ReturnVisitForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("回访满意度"), coerce=int, choices=RATING_CHOICES, widget=forms.Select(attrs=SMALL_SELECT)
    )
    note = forms.CharField(label=_("回访记录"), max_length=500, required=False)


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("日期"))
    kind = forms.ChoiceField(label=_("类型"), choices=[("holiday", _("放假")), ("workday", _("调休上班"))])
    name = forms.CharField(label=_("名称"), max_length=30, required=False)
