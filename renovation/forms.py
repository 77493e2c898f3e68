"""Forms of the renovation pages. They parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Action, scoped
from communities import selectors as ledger_selectors
from renovation.models import (
    AnnualPlan,
    Approval,
    CatalogueItem,
    ConsultationMeeting,
    FiveYearPlan,
    FundingLine,
    Project,
    Stage,
    TenderAward,
    WorkItem,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectCreateForm(forms.Form):
    MAX_ESTATE_OPTIONS = 2000

    annual_plan = forms.ModelChoiceField(queryset=AnnualPlan.objects.none(), label=_("年度计划"))
    estate = forms.ModelChoiceField(queryset=ledger_selectors.all_estates().none(), label=_("小区"))
    name = forms.CharField(
        label=_("项目名称"), max_length=120, required=False, help_text=_("留空则按“小区＋年度＋综合整治”命名。")
    )
    summary = forms.CharField(label=_("改造方案概要"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    planned_start = forms.DateField(label=_("计划开工"), required=False, widget=DATE)
    planned_end = forms.DateField(label=_("计划完工"), required=False, widget=DATE)
    cutoff_override_reason = forms.CharField(
        label=_("年代例外理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("仅当小区晚于老旧小区年代界限、由区级管理人员批准纳入时填写。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annual_plan"].queryset = scoped(AnnualPlan.objects.select_related("plan"), user).order_by("-year")
        estates = ledger_selectors.estates_for(user=user, action=Action.CREATE).order_by("community__name", "name")
        self.fields["estate"].queryset = estates
        if estates[: self.MAX_ESTATE_OPTIONS + 1].count() > self.MAX_ESTATE_OPTIONS:
            # A province or the country holds too many estates for a drop-down:
            # the clerk gives the estate's number from the ledger instead.
            self.fields["estate"].widget = forms.NumberInput()
            self.fields["estate"].help_text = _("填写小区编号（小区台账详情页网址中的数字）。")


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "summary", "planned_start", "planned_end", "consent_share", "notice_from", "notice_to"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "planned_start": DATE,
            "planned_end": DATE,
            "notice_from": DATE,
            "notice_to": DATE,
        }


class MoveForm(forms.Form):
    to_stage = forms.ChoiceField(choices=Stage.choices, label=_("转入阶段"))
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("批准例外的理由"), widget=forms.Textarea(attrs={"rows": 3}), min_length=5, max_length=2000
    )


class StreetConsentForm(forms.Form):
    consented_by = forms.CharField(label=_("同意人（街道）"), max_length=50)
    consented_on = forms.DateField(label=_("同意日期"), widget=DATE)
    document = forms.CharField(label=_("文号或说明"), max_length=100, required=False)


class FundArrangementForm(forms.Form):
    description = forms.CharField(label=_("筹集方案"), widget=forms.Textarea(attrs={"rows": 3}))
    arranged_on = forms.DateField(label=_("确定日期"), widget=DATE)


class ApprovalForm(forms.ModelForm):
    """One approval of the project. Which fields a kind needs is the service's rule;
    the help texts say it, the service's errors land on the fields."""

    class Meta:
        model = Approval
        fields = ["kind", "number", "decided_on", "investment", "opinions", "result", "reason"]
        widgets = {
            "decided_on": DATE,
            "opinions": forms.Textarea(attrs={"rows": 3}),
            "reason": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "number": _("立项、可研批复填批复文号；施工许可填施工许可证编号。"),
            "investment": _("立项、可研批复必填。"),
            "opinions": _("联合审查填写。"),
            "result": _("联合审查必填。"),
            "reason": _("免于办理施工许可时必填，写明依据。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A record keeps its kind; a wrong kind is a new record.
            self.fields["kind"].disabled = True

    def _post_clean(self):
        """Leave the model checks to the service, which names the field."""


class TenderAwardForm(forms.ModelForm):
    class Meta:
        model = TenderAward
        fields = ["company_name", "credit_code", "price", "contract_date"]
        widgets = {"contract_date": DATE}
        help_texts = {"credit_code": _("18位，含校验位（GB 32100-2015）。")}

    def _post_clean(self):
        """Leave the model checks to the service, which names the field."""


class WorkItemForm(forms.ModelForm):
    class Meta:
        model = WorkItem
        fields = ["item", "quantity", "budget", "actual_cost", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = CatalogueItem.objects.filter(active=True)
        self.fields["item"].label_from_instance = lambda i: f"{i.get_category_display()} · {i.name}（{i.unit}）"

    def validate_unique(self):
        """The service reports duplicates with the project's context."""


class FundingLineForm(forms.ModelForm):
    class Meta:
        model = FundingLine
        fields = ["source", "work_item", "planned", "received", "note"]

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_item"].queryset = WorkItem.objects.filter(project=project).select_related("item")

    def _post_clean(self):
        """Leave the model checks to the service, which names the field."""


class ConsultationForm(forms.ModelForm):
    class Meta:
        model = ConsultationMeeting
        fields = ["kind", "held_on", "attendees", "opinions", "summary", "response"]
        widgets = {
            "held_on": DATE,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "response": forms.Textarea(attrs={"rows": 3}),
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ProgressForm(forms.Form):
    reported_on = forms.DateField(label=_("报告日期"), widget=DATE)
    percent = forms.IntegerField(label=_("形象进度（%）"), min_value=0, max_value=100)
    note = forms.CharField(label=_("进展说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    photos = MultipleFileField(
        label=_("现场照片"), required=False, help_text=_("可选多张（JPG、PNG、WebP），最多9张。")
    )


class CatalogueItemForm(forms.ModelForm):
    class Meta:
        model = CatalogueItem
        fields = ["category", "name", "unit", "output"]


class FiveYearPlanForm(forms.ModelForm):
    class Meta:
        model = FiveYearPlan
        fields = ["name", "start_year", "end_year", "target_estates"]


class AnnualPlanForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=FiveYearPlan.objects.none(), label=_("五年规划"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    target_estates = forms.IntegerField(label=_("计划改造小区数"), min_value=0, initial=0)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = scoped(FiveYearPlan.objects.all(), user)
