"""Forms of the complaints app: the public form and the staff action forms."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from communities.models import Estate, StreetOffice
from complaints.models import STAFF_CHANNELS, Category, Escalation, MediationType
from core.validators import normalize_mobile, validate_mobile


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
    return Estate.objects.select_related("community__street__district").only(
        "name", "community__street__district__code"
    )


class PlaceMixin:
    """Estate by name (a datalist helps the resident pick it), or a typed address
    with its street when the estate is not in the list."""

    def clean_reporter_phone(self):
        value = normalize_mobile(self.cleaned_data["reporter_phone"])
        validate_mobile(value)
        return value

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
    description = forms.CharField(label=_("问题描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    photos = PhotosField(label=_("照片（最多3张，JPG/PNG/WebP）"), required=False)
    reporter_name = forms.CharField(label=_("姓名"), max_length=30)
    reporter_phone = forms.CharField(label=_("手机号码"), max_length=20)
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
        from communities.selectors import streets_for

        self.fields["category"].queryset = _categories()
        self.fields["street"].queryset = streets_for(user=user)
        self.fields["estate_name"].widget.attrs.update({"list": "estate-options", "autocomplete": "off"})


class TrackForm(forms.Form):
    number = forms.CharField(label=_("工单号"), max_length=20)
    phone = forms.CharField(label=_("手机号码"), max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].widget.attrs.update(
            {"class": "form-control form-control-lg", "placeholder": "TS-20261123-000123"}
        )
        self.fields["phone"].widget.attrs.update({"class": "form-control form-control-lg", "inputmode": "tel"})


class RatingForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"),
        coerce=int,
        choices=[
            (5, _("5 非常满意")),
            (4, _("4 满意")),
            (3, _("3 基本满意")),
            (2, _("2 不满意")),
            (1, _("1 非常不满意")),
        ],
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
    level = forms.ChoiceField(label=_("升级到"), choices=[(e.value, e.label) for e in Escalation if e.value])
    note = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class MediateForm(forms.Form):
    mediation_type = forms.ChoiceField(label=_("调解类型"), choices=MediationType.choices)
    note = forms.CharField(label=_("说明"), required=False)


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("延长工作日"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class ReturnVisitForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("回访满意度"), coerce=int, choices=[(i, str(i)) for i in range(5, 0, -1)])
    note = forms.CharField(label=_("回访记录"), max_length=500, required=False)


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("日期"))
    kind = forms.ChoiceField(label=_("类型"), choices=[("holiday", _("放假")), ("workday", _("调休上班"))])
    name = forms.CharField(label=_("名称"), max_length=30, required=False)
