from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.validators import validate_contact_phone, validate_credit_code
from org.models import District


class CompanyStatus(models.TextChoices):
    ACTIVE = "active", _("在管")
    ORDERED_OUT = "ordered_out", _("已责令退出")
    WITHDRAWN = "withdrawn", _("已撤出")


class PropertyCompany(models.Model):
    """物业服务企业: a property service company registered in the district.

    Companies work across streets, so a company is registered once per district;
    what a street sees of it are its contracts, assessments and complaints there.
    """

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="property_companies", verbose_name=_("区")
    )
    name = models.CharField(_("企业名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, validators=[validate_credit_code])
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_contact_phone])
    address = models.CharField(_("地址"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=CompanyStatus.choices, default=CompanyStatus.ACTIVE)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    scope_paths = {"district": "district"}
    # Registered and edited by the district; streets and communities read them.
    scope_writers = frozenset({"district_official"})

    class Meta:
        verbose_name = _("物业服务企业")
        verbose_name_plural = _("物业服务企业")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], name="property_company_credit_code_unique"),
            models.UniqueConstraint(fields=["district", "name"], name="property_company_name_unique_in_district"),
            models.CheckConstraint(condition=~Q(credit_code=""), name="property_company_credit_code_required"),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def scope_q(cls, level, node_id):
        """Streets and communities see all of their district's companies, read-only
        (scope_writers): they pick one for a contract and look it up before hiring
        it. What they write about a company goes through their own contracts,
        assessments and exit orders, which are scoped by estate."""
        if level == "district":
            return Q(district_id=node_id)
        if level == "street":
            return Q(district__streets=node_id)
        return Q(district__streets__communities=node_id)


# --- Contracts and fee collection ------------------------------------------------------------------------------


class ManagingBody(models.TextChoices):
    COMPANY = "company", _("物业服务企业")
    STREET_CENTRE = "street_centre", _("街道物业服务中心")
    RIGHTS_UNIT = "rights_unit", _("产权单位")
    OWNERS = "owners", _("业主自治")


# What each kind of managing body makes the estate's management mode (communities.ManagementMode).
BODY_MODE = {
    ManagingBody.COMPANY: "market",
    ManagingBody.STREET_CENTRE: "street_centre",
    ManagingBody.RIGHTS_UNIT: "unit",
    ManagingBody.OWNERS: "owners",
}


class ServiceLevel(models.TextChoices):
    ONE = "1", _("一级")
    TWO = "2", _("二级")
    THREE = "3", _("三级")
    FOUR = "4", _("四级")
    FIVE = "5", _("五级")
    BASIC = "basic", _("基础服务")


ESTATE_SCOPE = {
    "district": "estate__community__street__district",
    "street": "estate__community__street",
    "community": "estate__community",
}


class Contract(models.Model):
    """物业服务合同 (or the arrangement under which the street centre, a rights unit
    or the owners themselves manage the estate). One active contract per estate."""

    estate = models.ForeignKey(
        "communities.Estate", on_delete=models.PROTECT, related_name="contracts", verbose_name=_("小区")
    )
    body = models.CharField(_("管理主体"), max_length=16, choices=ManagingBody.choices)
    company = models.ForeignKey(
        PropertyCompany,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("物业服务企业"),
    )
    rights_unit = models.ForeignKey(
        "communities.PropertyRightsUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("产权单位"),
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("约定结束日期"), null=True, blank=True)
    ended_on = models.DateField(_("实际结束日期"), null=True, blank=True, help_text=_("合同在执行中的留空。"))
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)
    service_level = models.CharField(
        _("服务等级"), max_length=8, choices=ServiceLevel.choices, default=ServiceLevel.BASIC
    )
    fee_standard = models.DecimalField(
        _("收费标准（元/月·㎡）"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    full_service = models.BooleanField(_("全包服务"), default=True)
    cleaning = models.BooleanField(_("保洁"), default=False)
    security = models.BooleanField(_("秩序维护（保安）"), default=False)
    greening = models.BooleanField(_("绿化"), default=False)
    repairs = models.BooleanField(_("维修"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    vote = models.ForeignKey(
        "OwnersVote",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("选聘表决"),
        help_text=_("业主共同决定选聘该管理人的表决（已通过）。"),
    )
    end_vote = models.ForeignKey(
        "OwnersVote",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ended_contracts",
        verbose_name=_("解聘表决"),
        help_text=_("业主共同决定解聘该管理人的表决（已通过）。"),
    )
    history = HistoricalRecords()

    scope_paths = ESTATE_SCOPE

    class Meta:
        verbose_name = _("物业服务合同")
        verbose_name_plural = _("物业服务合同")
        ordering = ["estate_id", "-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate"],
                condition=Q(ended_on__isnull=True),
                name="one_active_contract_per_estate",
                violation_error_message=_("该小区已有执行中的合同，请先结束原合同。"),
            ),
            models.CheckConstraint(
                condition=Q(body="company", company__isnull=False) | (~Q(body="company") & Q(company__isnull=True)),
                name="contract_company_iff_company_body",
                violation_error_message=_("管理主体为物业服务企业时须选择企业，其他主体不选企业。"),
            ),
            models.CheckConstraint(
                condition=Q(body="rights_unit", rights_unit__isnull=False)
                | (~Q(body="rights_unit") & Q(rights_unit__isnull=True)),
                name="contract_unit_iff_unit_body",
                violation_error_message=_("管理主体为产权单位时须选择产权单位，其他主体不选。"),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="contract_ends_after_start",
                violation_error_message=_("约定结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("starts_on")),
                name="contract_ended_after_start",
                violation_error_message=_("实际结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(full_service=True)
                | Q(cleaning=True)
                | Q(security=True)
                | Q(greening=True)
                | Q(repairs=True),
                name="contract_has_services",
                violation_error_message=_("非全包服务须至少选择一项专项服务。"),
            ),
            models.CheckConstraint(condition=Q(fee_standard__gte=0), name="contract_fee_not_negative"),
        ]
        indexes = [models.Index(fields=["company", "ended_on"], name="contract_company_idx")]

    def __str__(self):
        return f"{self.estate} {self.body_name}"

    @property
    def body_name(self) -> str:
        if self.company_id:
            return self.company.name
        if self.rights_unit_id:
            return self.rights_unit.name
        return str(self.get_body_display())

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


BREAK_EVEN_RATE = Decimal("0.85")


class FeeCollection(models.Model):
    """物业费收缴: billed and collected for one estate and one period."""

    estate = models.ForeignKey(
        "communities.Estate", on_delete=models.CASCADE, related_name="fee_collections", verbose_name=_("小区")
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="fee_collections"
    )
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    billed = models.DecimalField(_("应收（元）"), max_digits=14, decimal_places=2)
    collected = models.DecimalField(_("实收（元）"), max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    scope_paths = ESTATE_SCOPE

    class Meta:
        verbose_name = _("物业费收缴")
        verbose_name_plural = _("物业费收缴")
        ordering = ["estate_id", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "period_start"],
                name="fee_collection_unique_period",
                violation_error_message=_("该小区该期间的收缴情况已登记。"),
            ),
            models.CheckConstraint(
                condition=Q(billed__gt=0) & Q(collected__gte=0),
                name="fee_collection_amounts_valid",
                violation_error_message=_("应收须大于0，实收不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="fee_collection_period_valid",
                violation_error_message=_("期间结束不能早于期间开始。"),
            ),
        ]

    def __str__(self):
        return f"{self.estate_id} {self.period_start}"

    @property
    def rate(self) -> Decimal:
        return (self.collected / self.billed).quantize(Decimal("0.0001"))

    @property
    def breaks_even(self) -> bool:
        return self.collected >= self.billed * BREAK_EVEN_RATE


# --- Assessments ------------------------------------------------------------------------------------------------


class ScoringScheme(models.Model):
    """考核评分办法: the items and their points, kept as data (e.g. Shanghai's 以奖代补)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    items = models.JSONField(
        _("评分项目"), help_text=_('例如 [{"code": "fee", "name": "物业费收缴", "points": 40}, ...]')
    )
    complaint_deduction = models.DecimalField(
        _("每件属实投诉扣分"), max_digits=5, decimal_places=2, default=Decimal("2.00")
    )
    is_default = models.BooleanField(_("默认办法"), default=False)

    class Meta:
        verbose_name = _("考核评分办法")
        verbose_name_plural = _("考核评分办法")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_scheme")
        ]

    def __str__(self):
        return self.name

    @property
    def max_points(self) -> Decimal:
        return sum((Decimal(str(item["points"])) for item in self.items), Decimal("0"))


class Assessment(models.Model):
    """月度考核: by the supervision group (owners, community, police) of one estate's managing body."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("合同"))
    estate = models.ForeignKey(
        "communities.Estate", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("小区")
    )
    company = models.ForeignKey(
        PropertyCompany,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("物业服务企业"),
    )
    month = models.DateField(_("考核月份"), help_text=_("该月1日。"))
    scheme = models.ForeignKey(ScoringScheme, on_delete=models.PROTECT, verbose_name=_("评分办法"))
    item_scores = models.JSONField(_("分项得分"), default=dict)
    complaints_upheld = models.PositiveIntegerField(_("属实投诉（件）"), default=0)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)
    satisfaction = models.DecimalField(
        _("满意度（%）"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    security_incidents = models.PositiveIntegerField(_("治安事件（起）"), default=0)
    remarks = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    scope_paths = ESTATE_SCOPE

    class Meta:
        verbose_name = _("月度考核")
        verbose_name_plural = _("月度考核")
        ordering = ["-month", "estate_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "month"],
                name="assessment_once_a_month",
                violation_error_message=_("该合同本月已考核。"),
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__gte=0) & Q(satisfaction__lte=100), name="assessment_satisfaction_percent"
            ),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="assessment_score_range"),
        ]
        indexes = [models.Index(fields=["estate", "month"], name="assessment_estate_month_idx")]

    def __str__(self):
        return f"{self.estate_id} {self.month:%Y-%m}"


class ExitOrder(models.Model):
    """责令退出: a street office orders a company out of its estates, with the evidence."""

    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="exit_orders")
    street = models.ForeignKey("org.StreetOffice", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=300)
    evidence = models.JSONField(_("依据"), default=dict)
    ordered_on = models.DateField(_("责令日期"))
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope_paths = {"district": "street__district", "street": "street", "community": "street__communities"}

    class Meta:
        verbose_name = _("责令退出记录")
        verbose_name_plural = _("责令退出记录")
        ordering = ["-ordered_on", "-id"]

    def __str__(self):
        return f"{self.company_id} {self.ordered_on}"


# --- Owners' votes ------------------------------------------------------------------------------------------------


class VoteSubject(models.TextChoices):
    """The matters of Civil Code art. 278; the thresholds of each are in VoteThreshold."""

    RULES_OF_PROCEDURE = "rules_of_procedure", _("制定和修改业主大会议事规则")
    MANAGEMENT_RULES = "management_rules", _("制定和修改管理规约")
    ELECT_COMMITTEE = "elect_committee", _("选举业主委员会或者更换业主委员会成员")
    HIRE_COMPANY = "hire_company", _("选聘和解聘物业服务企业或者其他管理人")
    FUND_USE = "fund_use", _("使用建筑物及其附属设施的维修资金")
    FUND_RAISE = "fund_raise", _("筹集建筑物及其附属设施的维修资金")
    BUILDING_WORKS = "building_works", _("改建、重建建筑物及其附属设施")
    ELEVATOR = "elevator", _("增设电梯")
    CHANGE_OF_USE = "change_of_use", _("改变共有部分的用途或者利用共有部分从事经营活动")
    OTHER = "other", _("有关共有和共同管理权利的其他重大事项")


class VoteThreshold(models.Model):
    """表决规则: quorum and passing share for one subject, by area and by heads.

    `inclusive` says whether reaching the share exactly passes ("at least 3/4")
    or only exceeding it does ("more than half")."""

    subject = models.CharField(_("表决事项"), max_length=24, choices=VoteSubject.choices, unique=True)
    quorum_numerator = models.PositiveSmallIntegerField(_("参与比例分子"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("参与比例分母"), default=3)
    pass_numerator = models.PositiveSmallIntegerField(_("同意比例分子"))
    pass_denominator = models.PositiveSmallIntegerField(_("同意比例分母"))
    pass_inclusive = models.BooleanField(_("达到即通过"), help_text=_("“四分之三以上”为是；“过半数”为否。"))
    legal_basis = models.CharField(_("依据"), max_length=200, default="《民法典》第二百七十八条")

    class Meta:
        verbose_name = _("表决规则")
        verbose_name_plural = _("表决规则")
        ordering = ["subject"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_denominator__gt=0)
                & Q(pass_denominator__gt=0)
                & Q(quorum_numerator__lte=models.F("quorum_denominator"))
                & Q(pass_numerator__lte=models.F("pass_denominator")),
                name="vote_threshold_fractions_valid",
            )
        ]

    def __str__(self):
        return self.get_subject_display()


class VoteStatus(models.TextChoices):
    OPEN = "open", _("表决中")
    CLOSED = "closed", _("已结束")


class OwnersVote(models.Model):
    """业主共同决定: one matter put to the estate's owners."""

    estate = models.ForeignKey(
        "communities.Estate", on_delete=models.PROTECT, related_name="owners_votes", verbose_name=_("小区")
    )
    subject = models.CharField(_("表决事项类型"), max_length=24, choices=VoteSubject.choices)
    title = models.CharField(_("表决事项"), max_length=200)
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=8, choices=VoteStatus.choices, default=VoteStatus.OPEN)
    # The rule in force when the vote opened, kept with the vote.
    quorum = models.CharField(_("参与比例"), max_length=12)
    threshold = models.CharField(_("同意比例"), max_length=12)
    threshold_inclusive = models.BooleanField(_("达到即通过"))
    # Result, fixed at closing.
    eligible_area = models.DecimalField(_("专有部分总面积"), max_digits=14, decimal_places=2, default=0)
    eligible_heads = models.PositiveIntegerField(_("业主总人数"), default=0)
    participating_area = models.DecimalField(_("参与表决面积"), max_digits=14, decimal_places=2, null=True, blank=True)
    participating_heads = models.PositiveIntegerField(_("参与表决人数"), null=True, blank=True)
    agreeing_area = models.DecimalField(_("同意面积"), max_digits=14, decimal_places=2, null=True, blank=True)
    agreeing_heads = models.PositiveIntegerField(_("同意人数"), null=True, blank=True)
    quorum_met = models.BooleanField(_("达到参与比例"), null=True, blank=True)
    passed = models.BooleanField(_("通过"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope_paths = ESTATE_SCOPE

    class Meta:
        verbose_name = _("业主共同决定")
        verbose_name_plural = _("业主共同决定")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="vote_closes_after_opening",
                violation_error_message=_("截止日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(status="open", passed__isnull=True, closed_at__isnull=True)
                | Q(status="closed", passed__isnull=False, closed_at__isnull=False),
                name="vote_result_only_when_closed",
            ),
        ]
        indexes = [models.Index(fields=["estate", "status", "subject"], name="vote_estate_status_idx")]

    def __str__(self):
        return self.title


class VoteElector(models.Model):
    """One home eligible in a vote: the register as it stood when the vote opened."""

    vote = models.ForeignKey(OwnersVote, on_delete=models.CASCADE, related_name="electors")
    household = models.ForeignKey("communities.Household", on_delete=models.PROTECT, related_name="+")
    owner_key = models.CharField(max_length=140)
    owner_name = models.CharField(_("业主姓名"), max_length=100)
    area = models.DecimalField(_("专有部分面积"), max_digits=9, decimal_places=2)
    code_hash = models.CharField(max_length=64, blank=True)
    code_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("表决权人")
        verbose_name_plural = _("表决权人")
        constraints = [
            models.UniqueConstraint(fields=["vote", "household"], name="elector_once_per_vote"),
            models.UniqueConstraint(fields=["code_hash"], condition=~Q(code_hash=""), name="elector_code_unique"),
        ]

    def __str__(self):
        return self.owner_name


class BallotChoice(models.TextChoices):
    AGREE = "agree", _("同意")
    AGAINST = "against", _("反对")
    ABSTAIN = "abstain", _("弃权")


class Ballot(models.Model):
    """表决票: one home's vote, keyed in from paper or cast online with a one-time code."""

    class Channel(models.TextChoices):
        PAPER = "paper", _("纸质票录入")
        ONLINE = "online", _("网上表决")

    vote = models.ForeignKey(OwnersVote, on_delete=models.PROTECT, related_name="ballots")
    elector = models.OneToOneField(VoteElector, on_delete=models.PROTECT, related_name="ballot")
    choice = models.CharField(_("意见"), max_length=8, choices=BallotChoice.choices)
    channel = models.CharField(_("方式"), max_length=8, choices=Channel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cast_at = models.DateTimeField(_("投票时间"), default=timezone.now)

    class Meta:
        verbose_name = _("表决票")
        verbose_name_plural = _("表决票")

    def __str__(self):
        return str(self.get_choice_display())


# --- Owners' committees ---------------------------------------------------------------------------------------


class CommitteeKind(models.TextChoices):
    COMMITTEE = "committee", _("业主委员会")
    SELF_MANAGEMENT = "self_mgmt", _("自管会")
    MANAGEMENT_COMMITTEE = "mgmt_committee", _("小区管委会")


class CommitteeStage(models.TextChoices):
    PREPARATION = "preparation", _("筹备组已成立")
    ASSEMBLY = "assembly", _("业主大会已召开")
    ELECTED = "elected", _("已选举")
    FILED = "filed", _("已备案")
    IN_TERM = "in_term", _("任期中")
    RE_ELECTION = "re_election", _("换届中")
    DISSOLVED = "dissolved", _("已解散")


class Committee(models.Model):
    """业委会 (or a 自管会 / 小区管委会 standing in for one) and where it is in its lifecycle."""

    estate = models.ForeignKey(
        "communities.Estate", on_delete=models.PROTECT, related_name="committees", verbose_name=_("小区")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=CommitteeKind.choices, default=CommitteeKind.COMMITTEE)
    stage = models.CharField(_("阶段"), max_length=12, choices=CommitteeStage.choices)
    term_starts_on = models.DateField(_("任期开始"), null=True, blank=True)
    term_ends_on = models.DateField(_("任期结束"), null=True, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    chair = models.CharField(_("主任/组长"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_contact_phone])
    contact_email = models.EmailField(_("电子邮箱"), blank=True)
    members = models.TextField(_("成员"), blank=True)
    election_vote = models.ForeignKey(
        "OwnersVote",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committees",
        verbose_name=_("选举表决"),
        help_text=_("业主大会选举业主委员会的表决（已通过）。"),
    )
    history = HistoricalRecords()

    scope_paths = ESTATE_SCOPE

    class Meta:
        verbose_name = _("业主组织")
        verbose_name_plural = _("业主组织")
        ordering = ["estate_id", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate"],
                condition=~Q(stage="dissolved"),
                name="one_live_committee_per_estate",
                violation_error_message=_("该小区已有业主组织。"),
            ),
            models.CheckConstraint(
                condition=Q(term_ends_on__isnull=True)
                | Q(term_starts_on__isnull=True)
                | Q(term_ends_on__gt=models.F("term_starts_on")),
                name="committee_term_valid",
                violation_error_message=_("任期结束须晚于任期开始。"),
            ),
        ]

    def __str__(self):
        return f"{self.estate} {self.get_kind_display()}"

    @property
    def in_term(self) -> bool:
        today = timezone.localdate()
        if self.kind != CommitteeKind.COMMITTEE:
            return self.stage != CommitteeStage.DISSOLVED
        return self.stage in (CommitteeStage.FILED, CommitteeStage.IN_TERM) and (
            self.term_ends_on is None or self.term_ends_on >= today
        )


# The lifecycle (业委会): which stage may follow which. A 自管会 or 小区管委会 stands in for a
# committee on its own path: set up in term, then dissolved. Moves go through
# services.move_committee, which checks this table and logs each move.
COMMITTEE_MOVES = {
    CommitteeStage.PREPARATION: (CommitteeStage.ASSEMBLY, CommitteeStage.DISSOLVED),
    CommitteeStage.ASSEMBLY: (CommitteeStage.ELECTED, CommitteeStage.DISSOLVED),
    CommitteeStage.ELECTED: (CommitteeStage.FILED, CommitteeStage.DISSOLVED),
    CommitteeStage.FILED: (CommitteeStage.IN_TERM, CommitteeStage.RE_ELECTION, CommitteeStage.DISSOLVED),
    CommitteeStage.IN_TERM: (CommitteeStage.RE_ELECTION, CommitteeStage.DISSOLVED),
    CommitteeStage.RE_ELECTION: (CommitteeStage.ELECTED, CommitteeStage.DISSOLVED),
    CommitteeStage.DISSOLVED: (),
}
STAND_IN_MOVES = {
    CommitteeStage.IN_TERM: (CommitteeStage.DISSOLVED,),
    CommitteeStage.DISSOLVED: (),
}


class CommitteeTransition(models.Model):
    """One move of a committee through its lifecycle, with who made it and when."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField(_("原阶段"), max_length=12, choices=CommitteeStage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=12, choices=CommitteeStage.choices)
    on_date = models.DateField(_("办理日期"))
    vote = models.ForeignKey(
        "OwnersVote", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("业主表决")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
    )
    at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope_paths = {
        "district": "committee__estate__community__street__district",
        "street": "committee__estate__community__street",
        "community": "committee__estate__community",
    }

    class Meta:
        verbose_name = _("业主组织流转记录")
        verbose_name_plural = _("业主组织流转记录")
        ordering = ["committee_id", "at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_stage=models.F("to_stage")), name="committee_move_changes_stage"),
        ]

    def __str__(self):
        return f"{self.from_stage}→{self.to_stage}"


class StepKind(models.TextChoices):
    PREPARATION_DEADLINE = "preparation", _("筹备期限")
    ASSEMBLY = "assembly", _("召开业主大会")
    FILING = "filing", _("备案")
    TERM_END = "term_end", _("任期届满")
    RE_ELECTION = "re_election", _("换届选举")


class CommitteeStep(models.Model):
    """时间表: one dated step a committee is due to take. Late and not done is overdue."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="steps")
    estate = models.ForeignKey("communities.Estate", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("事项"), max_length=16, choices=StepKind.choices)
    due_on = models.DateField(_("应完成日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    scope_paths = ESTATE_SCOPE

    class Meta:
        verbose_name = _("业主组织时间表")
        verbose_name_plural = _("业主组织时间表")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "kind", "due_on"], name="committee_step_unique"),
        ]
        indexes = [
            models.Index(fields=["due_on"], condition=Q(done_on__isnull=True), name="committee_step_open_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.due_on}"

    @property
    def overdue(self) -> bool:
        return self.done_on is None and self.due_on < timezone.localdate()


class BuildingHead(models.Model):
    """楼长: where no committee can be formed yet."""

    estate = models.ForeignKey("communities.Estate", on_delete=models.CASCADE, related_name="building_heads")
    building = models.ForeignKey("communities.Building", on_delete=models.CASCADE, related_name="heads")
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_contact_phone])
    since = models.DateField(_("任职日期"), default=timezone.localdate)

    scope_paths = ESTATE_SCOPE

    class Meta:
        verbose_name = _("楼长")
        verbose_name_plural = _("楼长")
        constraints = [models.UniqueConstraint(fields=["building"], name="one_head_per_building")]

    def __str__(self):
        return self.name


class Reminder(models.Model):
    """One reminder for one step on one date. Created before it is sent, so a
    second run (or a second beat process) finds it and sends nothing."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("到期前提醒")
        DUE = "due", _("到期提醒")
        OVERDUE = "overdue", _("逾期提醒")

    step = models.ForeignKey(CommitteeStep, on_delete=models.CASCADE, related_name="reminders")
    on_date = models.DateField(_("提醒日期"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    channels = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        constraints = [models.UniqueConstraint(fields=["step", "on_date"], name="reminder_once_per_step_and_date")]

    def __str__(self):
        return f"{self.step_id} {self.on_date}"


class Notice(models.Model):
    """站内通知 to a street office's staff."""

    street = models.ForeignKey("org.StreetOffice", on_delete=models.CASCADE, related_name="+")
    estate = models.ForeignKey("communities.Estate", on_delete=models.CASCADE, null=True, related_name="+")
    reminder = models.OneToOneField(Reminder, on_delete=models.CASCADE, null=True, related_name="notice")
    text = models.CharField(_("内容"), max_length=300)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    scope_paths = {"district": "street__district", "street": "street", "community": "estate__community"}

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.text


# --- Maintenance fund ------------------------------------------------------------------------------------------


class FundWithdrawal(models.Model):
    """维修资金使用: only with a passed owners' vote on using the fund."""

    estate = models.ForeignKey("communities.Estate", on_delete=models.PROTECT, related_name="fund_withdrawals")
    vote = models.ForeignKey(
        OwnersVote, on_delete=models.PROTECT, related_name="withdrawals", verbose_name=_("业主表决")
    )
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    purpose = models.CharField(_("用途"), max_length=200)
    withdrawn_on = models.DateField(_("使用日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    scope_paths = ESTATE_SCOPE

    class Meta:
        verbose_name = _("维修资金使用")
        verbose_name_plural = _("维修资金使用")
        ordering = ["-withdrawn_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="withdrawal_amount_positive", violation_error_message=_("金额须大于0。")
            )
        ]

    def __str__(self):
        return self.purpose


# --- Subsidies ---------------------------------------------------------------------------------------------------


class SubsidyRate(models.Model):
    """补贴标准: 元 per m² per year by management mode. Rows without a district are
    the defaults proposed in §7; a district's own rows override them."""

    district = models.ForeignKey("org.District", on_delete=models.CASCADE, null=True, blank=True)
    management_mode = models.CharField(_("管理模式"), max_length=16)
    rate = models.DecimalField(
        _("补贴标准（元/㎡·年）"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    history = HistoricalRecords()

    # Street staff and community workers read their district's rates (the
    # payment lists show them); only district officials write them.
    scope_paths = {"district": "district", "street": "district__streets", "community": "district__streets__communities"}
    scope_writers = frozenset({"district_official"})

    class Meta:
        verbose_name = _("补贴标准")
        verbose_name_plural = _("补贴标准")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "management_mode"], name="subsidy_rate_unique", nulls_distinct=False
            ),
            models.CheckConstraint(condition=Q(rate__gte=0), name="subsidy_rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.management_mode} {self.rate}"


class ScoreFactor(models.Model):
    """考核结果与尾款: a score at or above `min_score` earns `factor` of the balance
    (Shanghai: 80 and above full, 70–79 80%, below 70 nothing)."""

    min_score = models.DecimalField(_("最低分"), max_digits=5, decimal_places=2, unique=True)
    factor = models.DecimalField(_("发放比例"), max_digits=4, decimal_places=3)

    class Meta:
        verbose_name = _("尾款发放比例")
        verbose_name_plural = _("尾款发放比例")
        ordering = ["-min_score"]
        constraints = [
            models.CheckConstraint(condition=Q(factor__gte=0) & Q(factor__lte=1), name="score_factor_range"),
        ]

    def __str__(self):
        return f"≥{self.min_score}: {self.factor}"


class SubsidyPeriod(models.Model):
    """补贴期间 (a quarter by default) of one district."""

    district = models.ForeignKey("org.District", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    label = models.CharField(_("期间"), max_length=40)
    advance_share = models.DecimalField(_("预拨比例"), max_digits=4, decimal_places=3, default=Decimal("0.700"))

    scope_paths = {"district": "district", "street": "district__streets", "community": "district__streets__communities"}
    scope_writers = frozenset({"district_official"})

    class Meta:
        verbose_name = _("补贴期间")
        verbose_name_plural = _("补贴期间")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["district", "starts_on"], name="subsidy_period_unique"),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="subsidy_period_valid"),
        ]

    def __str__(self):
        return self.label

    @property
    def months(self) -> int:
        return (self.ends_on.year - self.starts_on.year) * 12 + self.ends_on.month - self.starts_on.month + 1


class Tranche(models.TextChoices):
    ADVANCE = "advance", _("预拨（70%）")
    BALANCE = "balance", _("考核后拨付（30%）")


class SubsidyPayment(models.Model):
    """One payment to one estate's managing body, with its basis. Exactly one per
    (estate, period, tranche); proposed by the run, approved by a district official."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审批")
        APPROVED = "approved", _("已审批")

    period = models.ForeignKey(SubsidyPeriod, on_delete=models.PROTECT, related_name="payments")
    tranche = models.CharField(_("批次"), max_length=8, choices=Tranche.choices)
    estate = models.ForeignKey("communities.Estate", on_delete=models.PROTECT, related_name="subsidy_payments")
    street = models.ForeignKey("org.StreetOffice", on_delete=models.PROTECT, related_name="+")
    management_mode = models.CharField(_("管理模式"), max_length=16)
    area = models.DecimalField(_("面积（㎡）"), max_digits=12, decimal_places=2)
    rate = models.DecimalField(_("标准（元/㎡·年）"), max_digits=6, decimal_places=2)
    months = models.PositiveSmallIntegerField(_("月数"))
    share = models.DecimalField(_("比例"), max_digits=4, decimal_places=3)
    score = models.DecimalField(_("考核得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    factor = models.DecimalField(_("考核系数"), max_digits=4, decimal_places=3, default=Decimal("1"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PROPOSED)
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope_paths = {"district": "street__district", "street": "street", "community": "estate__community"}

    class Meta:
        verbose_name = _("补贴发放")
        verbose_name_plural = _("补贴发放")
        ordering = ["street_id", "estate_id", "tranche"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "period", "tranche"], name="subsidy_once_per_tranche"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="subsidy_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(status="proposed", approved_at__isnull=True)
                | Q(status="approved", approved_at__isnull=False),
                name="subsidy_approval_recorded",
            ),
        ]
        indexes = [models.Index(fields=["period", "street", "tranche"], name="subsidy_period_street_idx")]

    def __str__(self):
        return f"{self.estate_id} {self.period_id} {self.tranche}"
