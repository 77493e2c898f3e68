"""Forms of the property pages. They parse input; services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Action, scoped
from core.forms import add_bootstrap_classes
from propertymgmt.models import BallotChoice, Contract, PropertyCompany, VoteSubject


class ContractForm(forms.ModelForm):
    estate = forms.ModelChoiceField(queryset=None, label=_("小区"))

    class Meta:
        model = Contract
        fields = [
            "estate",
            "body",
            "company",
            "rights_unit",
            "starts_on",
            "ends_on",
            "service_level",
            "fee_standard",
            "full_service",
            "cleaning",
            "security",
            "greening",
            "repairs",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from communities.models import Estate, PropertyRightsUnit

        self.fields["estate"].queryset = scoped(Estate.objects, user, Action.CHANGE).order_by("name")
        self.fields["company"].queryset = scoped(PropertyCompany.objects, user).exclude(status="ordered_out")
        self.fields["rights_unit"].queryset = scoped(PropertyRightsUnit.objects, user)
        add_bootstrap_classes(self)


class EndContractForm(forms.Form):
    ended_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("结束原因"), max_length=200)


class CompanyForm(forms.ModelForm):
    class Meta:
        model = PropertyCompany
        fields = ["name", "credit_code", "contact_person", "contact_phone", "address"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_bootstrap_classes(self)


class BallotForm(forms.Form):
    household = forms.IntegerField(label=_("户"), widget=forms.Select)
    choice = forms.ChoiceField(label=_("意见"), choices=BallotChoice.choices)

    def __init__(self, *args, vote, **kwargs):
        super().__init__(*args, **kwargs)
        electors = vote.electors.filter(ballot__isnull=True).select_related("household__building")
        self.fields["household"].widget.choices = [
            (e.household_id, f"{e.household.building.number}{e.household.unit}{e.household.room} {e.owner_name}")
            for e in electors
        ]
        add_bootstrap_classes(self, small=True)


class VoteForm(forms.Form):
    estate = forms.ModelChoiceField(queryset=None, label=_("小区"))
    subject = forms.ChoiceField(label=_("表决事项类型"), choices=VoteSubject.choices)
    title = forms.CharField(label=_("表决事项"), max_length=200)
    opens_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from communities.models import Estate

        self.fields["estate"].queryset = scoped(Estate.objects, user, Action.CHANGE).order_by("name")
        add_bootstrap_classes(self)


class CastForm(forms.Form):
    code = forms.CharField(label=_("表决码"), max_length=20)
    choice = forms.ChoiceField(label=_("意见"), choices=BallotChoice.choices, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_bootstrap_classes(self)
