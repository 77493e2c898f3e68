"""Forms of the dashboard pages. They parse input; the workbook module decides."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import user_scope
from communities.selectors import streets_for
from dashboard.workbook import QUARTERS, Period

YEARS_BACK = 10


class WorkbookForm(forms.Form):
    """The report workbook's period (a year, or one quarter or month of it) and
    an optional street to narrow the user's scope to: only streets inside it
    are offered or accepted."""

    year = forms.TypedChoiceField(
        label=_("年度"),
        coerce=int,
        error_messages={"required": _("请选择年度。"), "invalid_choice": _("年度无效，请从列表中选择。")},
    )
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", _("全年")), *QUARTERS.items()],
        error_messages={"invalid_choice": _("季度无效，请选择第一至第四季度。")},
    )
    month = forms.TypedChoiceField(
        label=_("月份"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", _("不限")), *((m, f"{m}月") for m in range(1, 13))],
        error_messages={"invalid_choice": _("月份无效，请选择1至12月。")},
    )
    street = forms.ModelChoiceField(
        label=_("街道"),
        queryset=None,
        required=False,
        empty_label=_("全部（本人管辖范围）"),
        error_messages={"invalid_choice": _("所选街道不在您的管辖范围内。")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, f"{y}年") for y in range(this_year, this_year - YEARS_BACK, -1)]
        self.fields["year"].initial = this_year
        if user_scope(user).level in ("district", "all"):
            self.fields["street"].queryset = streets_for(user=user).select_related("district")
        else:
            # A street or a community has nothing to narrow to.
            del self.fields["street"]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("quarter") and cleaned.get("month"):
            raise forms.ValidationError(_("季度和月份只能选择其一。"), code="quarter_and_month")
        year = cleaned.get("year")
        if year and not self.errors:
            first = self.period().first
            if first > timezone.localdate():
                raise forms.ValidationError(_("所选期间尚未开始，请选择已开始的期间。"), code="future")
        return cleaned

    def period(self) -> Period:
        data = self.cleaned_data
        return Period(year=data["year"], quarter=data.get("quarter"), month=data.get("month"))
