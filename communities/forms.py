from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities import selectors
from communities.fields import (
    BUILDING_EDITABLE_FIELDS,
    BULK_EDITABLE_FIELDS,
    ESTATE_EDITABLE_FIELDS,
    RIGHTS_UNIT_EDITABLE_FIELDS,
)
from communities.history import display_value
from communities.models import (
    Building,
    Estate,
    IllegalStructure,
    ManagementMode,
    OwnersBody,
    PropertyRightsUnit,
    RightsHolding,
    RightsUnitStatus,
)
from core.widgets import FastSelect

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionedForm(forms.ModelForm):
    """A form that carries the version the clerk opened, for conflict detection."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version


class EstateForm(VersionedForm):
    mode_since = forms.DateField(
        label=_("管理模式变更日期"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("仅在管理模式改变时使用，默认为今天。"),
    )

    class Meta:
        model = Estate
        fields = ESTATE_EDITABLE_FIELDS
        widgets = {"remarks": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = selectors.communities_for(user=user)
        self.fields["community"].label_from_instance = lambda c: f"{c.street.name} / {c.name}"
        if not self.instance.pk:
            self.fields.pop("version")

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        data = super().clean()
        if (data.get("longitude") is None) != (data.get("latitude") is None):
            self.add_error("latitude", _("经度和纬度须同时填写。"))
        since = data.get("mode_since")
        if since and since > timezone.localdate():
            self.add_error("mode_since", _("变更日期不能晚于今天。"))
        return data

    def model_data(self):
        return {name: self.cleaned_data[name] for name in ESTATE_EDITABLE_FIELDS if name in self.cleaned_data}


class BuildingForm(VersionedForm):
    class Meta:
        model = Building
        fields = BUILDING_EDITABLE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields.pop("version")

    def model_data(self):
        return {name: self.cleaned_data[name] for name in BUILDING_EDITABLE_FIELDS}


class RightsUnitForm(VersionedForm):
    class Meta:
        model = PropertyRightsUnit
        fields = RIGHTS_UNIT_EDITABLE_FIELDS
        widgets = {"status_changed_on": DATE_WIDGET, "remarks": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = selectors.rights_units_for(user=user).exclude(pk=self.instance.pk)
        if not self.instance.pk:
            self.fields.pop("version")

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status and status != RightsUnitStatus.ACTIVE and not data.get("status_changed_on"):
            self.add_error("status_changed_on", _("分立、合并或解散的单位须填写状态变更日期。"))
        if status == RightsUnitStatus.ACTIVE and data.get("successor"):
            self.add_error("successor", _("存续单位不应有承继单位。"))
        return data

    def model_data(self):
        return {name: self.cleaned_data[name] for name in RIGHTS_UNIT_EDITABLE_FIELDS}


class HoldingForm(forms.ModelForm):
    class Meta:
        model = RightsHolding
        fields = ["building", "rights_unit", "rights_form", "portion", "households", "remarks"]

    def __init__(self, *args, estate, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = estate.buildings.order_by("number")
        # Any unit registered in the estate's district may hold part of it: the
        # clerk links the estate to a unit, which then becomes visible to them.
        self.fields["rights_unit"].queryset = PropertyRightsUnit.objects.filter(
            district_id=estate.community.street.district_id
        ).order_by("name")


class IllegalStructureForm(forms.ModelForm):
    class Meta:
        model = IllegalStructure
        fields = ["description", "area", "status", "identified_on", "demolished_on"]
        widgets = {"identified_on": DATE_WIDGET, "demolished_on": DATE_WIDGET}

    def clean(self):
        data = super().clean()
        if data.get("status") == IllegalStructure.Status.DEMOLISHED and not data.get("demolished_on"):
            self.add_error("demolished_on", _("已拆除的须填写拆除日期。"))
        if data.get("status") == IllegalStructure.Status.PENDING and data.get("demolished_on"):
            self.add_error("demolished_on", _("待拆除的不填拆除日期。"))
        return data


class NoteForm(forms.Form):
    text = forms.CharField(label=_("工作记录"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("文件"))
    description = forms.CharField(label=_("说明"), max_length=200, required=False)


class BulkEditForm(forms.Form):
    """Set the same value on many estates at once; blank fields stay as they are."""

    estates = forms.CharField(widget=forms.HiddenInput)
    management_mode = forms.ChoiceField(
        label=_("管理模式"),
        choices=[("", _("（不修改）"))] + ManagementMode.choices,
        required=False,
        widget=FastSelect(attrs={"class": "form-select"}),
    )
    mode_since = forms.DateField(
        label=_("管理模式变更日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    owners_body = forms.ChoiceField(
        label=_("业主组织"),
        choices=[("", _("（不修改）"))] + OwnersBody.choices,
        required=False,
        widget=FastSelect(attrs={"class": "form-select"}),
    )
    enclosure = forms.ChoiceField(
        label=_("开放形式"),
        choices=[("", _("（不修改）"))] + Estate._meta.get_field("enclosure").choices,
        required=False,
        widget=FastSelect(attrs={"class": "form-select"}),
    )
    fund_status = forms.ChoiceField(
        label=_("维修资金归集"),
        choices=[("", _("（不修改）"))] + Estate._meta.get_field("fund_status").choices,
        required=False,
        widget=FastSelect(attrs={"class": "form-select"}),
    )

    def clean_estates(self):
        raw = self.cleaned_data["estates"]
        try:
            ids = sorted({int(x) for x in raw.split(",") if x.strip()})
        except ValueError as exc:
            raise ValidationError(_("所选小区的编号有误。")) from exc
        if not ids:
            raise ValidationError(_("请先勾选要修改的小区。"))
        if len(ids) > 1000:
            raise ValidationError(_("一次最多修改1000个小区。"))
        return ids

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in BULK_EDITABLE_FIELDS):
            raise ValidationError(_("请至少选择一项要修改的内容。"))
        return data

    def changes(self):
        return {name: self.cleaned_data[name] for name in BULK_EDITABLE_FIELDS if self.cleaned_data.get(name)}


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=50)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("台账文件（.xlsx）"))

    def clean_file(self):
        from django.conf import settings

        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("请上传 .xlsx 格式的文件（可先下载导入模板）。"))
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(_("文件超过 %(mb)s MB 的上限。") % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)})
        return upload


def merge_after_conflict(form, conflict):
    """The clerk's form after a refused save, ready to be saved again on purpose.

    A field the clerk left as it was when they opened the form takes the value
    the other clerk saved (re-saving must not undo their change); a field the
    clerk changed keeps the clerk's value. Returns the new form data and one row
    per field the other clerk changed: what the clerk saw, what is saved now,
    what the clerk typed, and whether both changed it differently (a clash).
    """
    data = form.data.copy()
    current, seen = conflict.current, conflict.seen
    rows = []
    for name in conflict.fields:
        if name not in form.fields or name not in form.cleaned_data:
            continue
        model_field = current._meta.get_field(name)
        submitted = form.cleaned_data[name]
        submitted = getattr(submitted, "pk", submitted)
        saved = getattr(current, model_field.attname)
        opened = getattr(seen, model_field.attname) if seen is not None else saved
        clerk_changed = submitted != opened
        if not clerk_changed:
            _put(data, name, saved, form.fields[name])
        if saved != opened:
            rows.append(
                {
                    "label": str(model_field.verbose_name),
                    "opened": display_value(opened, model_field),
                    "saved": display_value(saved, model_field),
                    "yours": display_value(submitted, model_field) if clerk_changed else "",
                    "clash": clerk_changed and submitted != saved,
                }
            )
    data["version"] = str(current.version)
    return data, rows


def _put(data, name, value, form_field):
    """Write a model value into form data the way a browser would send it."""
    if isinstance(form_field, forms.BooleanField):
        if value:
            data[name] = "on"
        else:
            data.pop(name, None)
    elif value is None:
        data[name] = ""
    else:
        data[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
