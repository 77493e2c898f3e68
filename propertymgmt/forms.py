"""Forms of the property pages. They parse input; services validate and write."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Action, scoped
from communities import selectors as ledger_selectors
from core.forms import add_bootstrap_classes
from propertymgmt import services
from propertymgmt.models import (
    BallotChoice,
    CommitteeKind,
    CommitteeStage,
    Contract,
    FundAccount,
    FundAccountHolder,
    FundTransactionKind,
    OpinionGrade,
    OpinionKind,
    OwnersVote,
    Payee,
    PropertyCompany,
    RectificationResult,
    VoteSubject,
)

# The holders a clerk names; 持有方待核实 comes only from the migration of old figures.
KNOWN_HOLDERS = [(value, label) for value, label in FundAccountHolder.choices if value != FundAccountHolder.UNKNOWN]


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
            "vote",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = ledger_selectors.estates_for(user=user, action=Action.CHANGE).order_by("name")
        self.fields["company"].queryset = scoped(PropertyCompany.objects, user).exclude(status="ordered_out")
        self.fields["rights_unit"].queryset = ledger_selectors.rights_units_for(user=user)
        self.fields["vote"].queryset = scoped(OwnersVote.objects, user).filter(
            status="closed", passed=True, subject=VoteSubject.HIRE_COMPANY
        )
        add_bootstrap_classes(self)


class WithdrawCompanyForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("撤出日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("撤出原因"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_bootstrap_classes(self)


class EndContractForm(forms.Form):
    ended_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("结束原因"), max_length=200)
    vote = forms.ModelChoiceField(
        queryset=OwnersVote.objects.none(),
        label=_("解聘表决"),
        required=False,
        help_text=_("业主共同决定解聘的，请选择已通过的“选聘和解聘物业服务企业”表决。"),
    )

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vote"].queryset = (
            OwnersVote.objects.filter(
                estate_id=contract.estate_id, status="closed", passed=True, subject=VoteSubject.HIRE_COMPANY
            )
            .exclude(pk=contract.vote_id or 0)
            .order_by("-closes_on", "-id")
        )


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
        self.fields["estate"].queryset = ledger_selectors.estates_for(user=user, action=Action.CHANGE).order_by("name")
        add_bootstrap_classes(self)


class CastForm(forms.Form):
    code = forms.CharField(label=_("表决码"), max_length=20)
    choice = forms.ChoiceField(label=_("意见"), choices=BallotChoice.choices, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_bootstrap_classes(self)


def _date(label):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


class FeeCollectionForm(forms.Form):
    period_start = _date(_("期间开始"))
    period_end = _date(_("期间结束"))
    billed = forms.DecimalField(label=_("应收（元）"), max_digits=14, decimal_places=2, min_value=0)
    collected = forms.DecimalField(label=_("实收（元）"), max_digits=14, decimal_places=2, min_value=0)


class AssessmentForm(forms.Form):
    month = _date(_("考核月份"))
    fee = forms.DecimalField(label=_("物业费收缴（40分）"), max_digits=5, decimal_places=2, min_value=0)
    inspection = forms.DecimalField(label=_("日常检查（40分）"), max_digits=5, decimal_places=2, min_value=0)
    safety = forms.DecimalField(label=_("安全管理（20分）"), max_digits=5, decimal_places=2, min_value=0)
    satisfaction = forms.DecimalField(
        label=_("满意度（%）"), max_digits=4, decimal_places=1, min_value=0, max_value=100
    )
    security_incidents = forms.IntegerField(label=_("治安事件（起）"), min_value=0)
    remarks = forms.CharField(label=_("备注"), required=False, max_length=500)


class CommitteeForm(forms.Form):
    """Set up an owners' body or correct its contacts. The stage is not a field: it moves
    only through CommitteeMoveForm (services.move_committee)."""

    kind = forms.ChoiceField(label=_("类型"), choices=CommitteeKind.choices)
    preparation_due_on = forms.DateField(
        label=_("筹备期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    term_starts_on = forms.DateField(
        label=_("任期开始（自管会/管委会）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    term_ends_on = forms.DateField(
        label=_("任期结束（自管会/管委会）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    chair = forms.CharField(label=_("主任/组长"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    contact_email = forms.EmailField(label=_("电子邮箱"), required=False)

    def __init__(self, *args, estate, committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        if committee is not None:  # only the contacts of an existing body are edited here
            for name in ("kind", "preparation_due_on", "term_starts_on", "term_ends_on"):
                del self.fields[name]


class ExistingCommitteeForm(forms.Form):
    """建档: a 业主委员会 elected and filed before the portal kept committees."""

    filed_on = forms.DateField(label=_("备案日期"), widget=forms.DateInput(attrs={"type": "date"}))
    term_starts_on = forms.DateField(label=_("任期开始"), widget=forms.DateInput(attrs={"type": "date"}))
    term_ends_on = forms.DateField(label=_("任期结束"), widget=forms.DateInput(attrs={"type": "date"}))
    chair = forms.CharField(label=_("主任"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    contact_email = forms.EmailField(label=_("电子邮箱"), required=False)

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)


class CommitteeMoveForm(forms.Form):
    """办理流转: one step of the lifecycle, only to the stages the current one allows."""

    to_stage = forms.ChoiceField(label=_("办理为"), choices=())
    on = forms.DateField(label=_("办理日期"), widget=forms.DateInput(attrs={"type": "date"}))
    vote = forms.ModelChoiceField(queryset=None, label=_("选举表决（选举时必选）"), required=False)
    term_starts_on = forms.DateField(
        label=_("任期开始（备案时）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    term_ends_on = forms.DateField(
        label=_("任期结束（备案时）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args, estate, committee, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(CommitteeStage.choices)
        self.fields["to_stage"].choices = [(s, labels[s]) for s in services.allowed_moves(committee)]
        self.fields["vote"].queryset = OwnersVote.objects.filter(
            estate=estate, status="closed", passed=True, subject=VoteSubject.ELECT_COMMITTEE
        )


class WithdrawalForm(forms.Form):
    vote = forms.ModelChoiceField(queryset=None, label=_("业主表决"))
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    purpose = forms.CharField(label=_("用途"), max_length=200)
    withdrawn_on = _date(_("使用日期"))
    account = forms.ModelChoiceField(
        queryset=None,
        label=_("维修资金账户"),
        required=False,
        empty_label=_("小区账户"),
        help_text=_("按楼栋建账的，选择使用哪个楼栋的账户。"),
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vote"].queryset = OwnersVote.objects.filter(estate=estate, status="closed", passed=True)
        self.fields["account"].queryset = FundAccount.objects.filter(estate=estate).select_related("building")
        self.fields["account"].label_from_instance = lambda a: a.building.number if a.building_id else _("小区账户")


class FundAccountForm(forms.Form):
    """建账: the account of the estate or of one of its buildings, and who holds it."""

    building = forms.ModelChoiceField(
        queryset=None,
        label=_("楼栋"),
        required=False,
        empty_label=_("（小区级账户）"),
        help_text=_("按楼栋归集的选择楼栋。"),
    )
    holder = forms.ChoiceField(label=_("资金持有方"), choices=[])
    holder_unit = forms.ModelChoiceField(
        queryset=None, label=_("售房单位"), required=False, help_text=_("持有方为售房单位时必选。")
    )
    bank = forms.CharField(label=_("开户银行"), max_length=100, required=False)
    opened_on = _date(_("建账日期"))
    remarks = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, estate, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = estate.buildings.all()
        self.fields["holder"].choices = KNOWN_HOLDERS
        self.fields["holder_unit"].queryset = ledger_selectors.rights_units_for(user=user).order_by("name")
        add_bootstrap_classes(self)


class FundTransactionForm(forms.Form):
    """首期交存, 续筹, 利息 or 期初结转 into an account."""

    kind = forms.ChoiceField(label=_("类型"), choices=[])
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    booked_on = _date(_("记账日期"))
    note = forms.CharField(label=_("摘要"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, FundTransactionKind(k).label) for k in services.RECORDED_KINDS]
        add_bootstrap_classes(self)


class FundTransferForm(forms.Form):
    """资金转移: the whole balance leaves its holder for another, the holder changes."""

    to_holder = forms.ChoiceField(label=_("转入方"), choices=[])
    holder_unit = forms.ModelChoiceField(
        queryset=None, label=_("售房单位"), required=False, help_text=_("转入方为售房单位时必选。")
    )
    bank = forms.CharField(label=_("开户银行"), max_length=100, required=False)
    on = _date(_("转移日期"))
    note = forms.CharField(label=_("摘要"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_holder"].choices = KNOWN_HOLDERS
        self.fields["holder_unit"].queryset = ledger_selectors.rights_units_for(user=user).order_by("name")
        add_bootstrap_classes(self)


class BuildingHeadForm(forms.Form):
    building = forms.ModelChoiceField(queryset=None, label=_("楼栋"))
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = estate.buildings.all()


class PayeeForm(forms.ModelForm):
    """收款信息: the account a body's money goes to (the service checks and keeps the digits)."""

    account_number = forms.CharField(label=_("账号"), max_length=64, help_text=_("8至32位数字，可带空格。"), strip=True)

    class Meta:
        model = Payee
        fields = ["account_name", "bank", "branch", "account_number"]
        widgets = {"account_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The stored number is never sent back to the browser: a blank field keeps it.
            self.initial["account_number"] = ""
            self.fields["account_number"].required = False
            self.fields["account_number"].help_text = _("现账号 %(masked)s；不修改请留空。") % {
                "masked": self.instance.masked_account
            }
        add_bootstrap_classes(self)

    def clean_account_number(self):
        value = self.cleaned_data.get("account_number", "")
        if not value and self.instance.pk:
            return self.instance.account_number
        return value

    def _post_clean(self):
        # The model is validated by the service (save_payee), with its normalisation.
        pass


SHANGHAI_ITEMS = "fee 物业费收缴 40\ninspection 日常检查 40\nsafety 安全管理 20"
SHANGHAI_TIERS = "80 1\n70 0.8"


class RewardSchemeForm(forms.Form):
    """以奖代补考核办法: items and tiers typed one per line (the service checks them)."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("名称"), max_length=100)
    items = forms.CharField(
        label=_("考核项目"),
        widget=forms.Textarea(attrs={"rows": 4}),
        initial=SHANGHAI_ITEMS,
        help_text=_("每行一项：代码 名称 分值，以空格分隔，分值合计100。"),
    )
    tiers = forms.CharField(
        label=_("奖励档次"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=SHANGHAI_TIERS,
        help_text=_("每行一档：最低分 奖励比例，例如“80 1”表示80分及以上全额，“70 0.8”表示70分及以上80%。"),
    )
    street_reward = forms.DecimalField(label=_("街道全额奖励（元）"), max_digits=12, decimal_places=2, min_value=0.01)
    community_reward = forms.DecimalField(
        label=_("社区全额奖励（元）"),
        max_digits=12,
        decimal_places=2,
        min_value=0.01,
        required=False,
        help_text=_("不考核社区的留空。"),
    )

    district = forms.ModelChoiceField(label=_("区"), queryset=None, required=False)

    def __init__(self, *args, scheme=None, districts=None, **kwargs):
        if scheme is not None:
            kwargs.setdefault(
                "initial",
                {
                    "year": scheme.year,
                    "name": scheme.name,
                    "items": "\n".join(f"{i['code']} {i['name']} {i['points']}" for i in scheme.items),
                    "tiers": "\n".join(f"{t['min_score']} {t['share']}" for t in scheme.tiers),
                    "street_reward": scheme.street_reward,
                    "community_reward": scheme.community_reward,
                },
            )
        super().__init__(*args, **kwargs)
        if scheme is not None or districts is None or districts.count() <= 1:
            # The district is the scheme's, or the official's own: nothing to choose.
            del self.fields["district"]
        else:
            self.fields["district"].queryset = districts
            self.fields["district"].required = True
            self.order_fields(["district"])
        add_bootstrap_classes(self)

    @staticmethod
    def _lines(text: str, width: int, message) -> list[list[str]]:
        rows = []
        for number, line in enumerate((text or "").splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != width:
                raise forms.ValidationError(message % {"n": number})
            rows.append(parts)
        return rows

    def clean_items(self):
        rows = self._lines(self.cleaned_data["items"], 3, _("第%(n)s行应为“代码 名称 分值”三项。"))
        return [{"code": code, "name": name, "points": points} for code, name, points in rows]

    def clean_tiers(self):
        rows = self._lines(self.cleaned_data["tiers"], 2, _("第%(n)s行应为“最低分 奖励比例”两项。"))
        return [{"min_score": low, "share": share} for low, share in rows]


def _date_input():
    return forms.DateInput(attrs={"type": "date"})


class RectificationForm(forms.Form):
    """限期整改通知: the company and street, what to fix, by when, who checks."""

    company = forms.ModelChoiceField(queryset=PropertyCompany.objects.none(), label=_("物业服务企业"))
    street = forms.ModelChoiceField(queryset=None, label=_("街道"))
    estates = forms.ModelMultipleChoiceField(
        queryset=None, label=_("涉及小区"), required=False, help_text=_("可不选；选择时须是该企业在本街道服务的小区。")
    )
    problems = forms.CharField(label=_("整改事项"), widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateField(label=_("整改期限"), widget=_date_input())
    checker = forms.CharField(
        label=_("验收人（部门或职务）"), max_length=100, help_text=_("例如：街道城管科、社区物业管理委员会。")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The companies and estates the user's street(s) have under an active contract.
        active = scoped(Contract.objects, user).filter(ended_on__isnull=True, company__isnull=False)
        self.fields["company"].queryset = scoped(PropertyCompany.objects, user).filter(
            pk__in=active.values("company_id")
        )
        self.fields["street"].queryset = ledger_selectors.streets_for(user=user)
        self.fields["estates"].queryset = (
            ledger_selectors.estates_for(user=user).filter(pk__in=active.values("estate_id")).order_by("name", "id")
        )
        add_bootstrap_classes(self)


class RectificationCheckForm(forms.Form):
    result = forms.ChoiceField(label=_("验收结果"), choices=RectificationResult.choices, widget=forms.RadioSelect)
    checked_on = forms.DateField(label=_("验收日期"), widget=_date_input())
    remarks = forms.CharField(
        label=_("验收意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("未通过的须写明未整改到位的问题。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_bootstrap_classes(self)


class OpinionForm(forms.Form):
    """街道意见 on a company: entry, exit or a rating with its grade."""

    street = forms.ModelChoiceField(queryset=None, label=_("街道"))
    kind = forms.ChoiceField(label=_("意见类型"), choices=OpinionKind.choices)
    grade = forms.ChoiceField(
        label=_("评价等次"), choices=[("", "—"), *OpinionGrade.choices], required=False, help_text=_("仅评价时选择。")
    )
    text = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}))
    given_on = forms.DateField(label=_("日期"), widget=_date_input())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = ledger_selectors.streets_for(user=user)
        add_bootstrap_classes(self)
