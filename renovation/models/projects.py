"""Renovation projects (老旧小区改造): plans, work items, gates, money, consultation, progress.

Five-year plan → annual plans → one project per estate per annual plan
(一小区一方案). A project hangs off its estate, so it is scoped like the ledger
(district / street / community through estate__community…). Gates that depend
on other apps (long-term management, residents' vote) are evaluated live in
renovation.selectors; this app stores only what it decides itself: overrides
with their written reason, and the evidence shown when construction started.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communities.models import Estate
from org.models import District, StreetOffice

MONEY = {"max_digits": 14, "decimal_places": 2}
NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]

DISTRICT_WRITERS = frozenset({"district_official"})


def _district_scope_q(prefix: str):
    """Plans belong to a district; every street and community of it reads them."""

    def scope_q(level, node_id):
        paths = {
            "district": f"{prefix}district_id",
            "street": f"{prefix}district__streets",
            "community": f"{prefix}district__streets__communities",
        }
        return Q(**{paths[level]: node_id})

    return scope_q


class FiveYearPlan(models.Model):
    """五年规划: the district's renovation plan for five years."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="renovation_plans", verbose_name=_("区")
    )
    name = models.CharField(_("规划名称"), max_length=100)
    start_year = models.PositiveSmallIntegerField(_("起始年份"), validators=[MinValueValidator(2000)])
    end_year = models.PositiveSmallIntegerField(_("终止年份"), validators=[MinValueValidator(2000)])
    target_estates = models.PositiveIntegerField(_("计划改造小区数"), default=0)

    scope_writers = DISTRICT_WRITERS

    class Meta:
        verbose_name = _("五年改造规划")
        verbose_name_plural = _("五年改造规划")
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "start_year"],
                name="renovation_plan_unique_start",
                violation_error_message=_("本区已有同一起始年份的五年规划。"),
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")) & Q(end_year__lte=models.F("start_year") + 4),
                name="renovation_plan_five_years",
                violation_error_message=_("五年规划的终止年份须在起始年份之后五年以内。"),
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def scope_q(cls, level, node_id):
        return _district_scope_q("")(level, node_id)


class AnnualPlan(models.Model):
    """年度计划: the estates to renovate in one year of a five-year plan."""

    plan = models.ForeignKey(FiveYearPlan, on_delete=models.PROTECT, related_name="years", verbose_name=_("五年规划"))
    year = models.PositiveSmallIntegerField(_("年度"))
    target_estates = models.PositiveIntegerField(_("计划改造小区数"), default=0)

    scope_writers = DISTRICT_WRITERS

    class Meta:
        verbose_name = _("年度改造计划")
        verbose_name_plural = _("年度改造计划")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year"],
                name="renovation_annual_plan_unique_year",
                violation_error_message=_("该五年规划已有这一年度的计划。"),
            ),
        ]

    def __str__(self):
        return _("%(year)s年度改造计划") % {"year": self.year}

    @classmethod
    def scope_q(cls, level, node_id):
        return _district_scope_q("plan__")(level, node_id)


class WorkCategory(models.TextChoices):
    BASIC = "basic", _("基础类")
    IMPROVEMENT = "improvement", _("完善类")
    UPGRADE = "upgrade", _("提升类")


class Output(models.TextChoices):
    """What a work item adds to the outputs reported nationally."""

    NONE = "", _("不单独统计")
    PIPES_KM = "pipes_km", _("改造管线（公里）")
    ELEVATORS = "elevators", _("加装电梯（部）")
    PARKING = "parking", _("增设停车位（个）")
    CHARGERS = "chargers", _("增设充电桩（个）")
    RETROFIT_M2 = "retrofit_m2", _("节能改造（㎡）")
    FACILITIES = "facilities", _("社区服务设施（个）")


class CatalogueItem(models.Model):
    """改造内容目录: one kind of work (a row of §3's three lists). Data, not code:
    district officials add items; items in use are retired, never deleted."""

    category = models.CharField(_("类别"), max_length=12, choices=WorkCategory.choices)
    name = models.CharField(_("改造内容"), max_length=60, unique=True)
    unit = models.CharField(_("计量单位"), max_length=10, help_text=_("例如：公里、部、个、㎡、项。"))
    output = models.CharField(_("统计口径"), max_length=12, choices=Output.choices, blank=True, default="")
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    active = models.BooleanField(_("可选用"), default=True)

    scope_writers = DISTRICT_WRITERS

    class Meta:
        verbose_name = _("改造内容目录")
        verbose_name_plural = _("改造内容目录")
        ordering = ["category", "sort_order", "id"]

    def __str__(self):
        return self.name

    @classmethod
    def scope_q(cls, level, node_id):
        return Q()  # the catalogue is read by everyone with a role


class Stage(models.TextChoices):
    RESERVE = "reserve", _("储备")
    PREPARATION = "preparation", _("前期")
    CONSULTATION = "consultation", _("公示/征求意见")
    TENDER = "tender", _("招标")
    CONSTRUCTION = "construction", _("在建")
    COMPLETED = "completed", _("竣工")
    ACCEPTED = "accepted", _("验收")
    HANDED_OVER = "handed_over", _("长效管理")


STAGE_ORDER = [value for value, _label in Stage.choices]
STARTED_STAGES = STAGE_ORDER[STAGE_ORDER.index(Stage.CONSTRUCTION) :]
FINISHED_STAGES = STAGE_ORDER[STAGE_ORDER.index(Stage.COMPLETED) :]


class Project(models.Model):
    """改造项目: one estate's plan in one annual plan (一小区一方案)."""

    annual_plan = models.ForeignKey(
        AnnualPlan, on_delete=models.PROTECT, related_name="projects", verbose_name=_("年度计划")
    )
    year = models.PositiveSmallIntegerField(_("年度"), editable=False, help_text=_("与年度计划一致，供报表分组。"))
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="renovation_projects", verbose_name=_("小区")
    )
    street = models.ForeignKey(
        StreetOffice,
        on_delete=models.PROTECT,
        related_name="renovation_projects",
        verbose_name=_("责任街道"),
        editable=False,
    )
    name = models.CharField(_("项目名称"), max_length=120)
    summary = models.TextField(_("改造方案概要"), blank=True)
    stage = models.CharField(_("阶段"), max_length=14, choices=Stage.choices, default=Stage.RESERVE)
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_end = models.DateField(_("计划完工"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工"), null=True, blank=True)
    actual_end = models.DateField(_("实际完工"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("形象进度（%）"), default=0, validators=[MaxValueValidator(100)])
    consent_share = models.DecimalField(
        _("居民同意比例（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("无业主名册、不能表决时，按入户征求意见登记的同意比例。"),
    )
    notice_from = models.DateField(_("公示开始"), null=True, blank=True)
    notice_to = models.DateField(_("公示结束"), null=True, blank=True)
    cutoff_override_reason = models.TextField(_("年代例外理由"), blank=True)
    cutoff_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("年代例外批准人"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    scope_paths = {
        "district": "estate__community__street__district",
        "street": "estate__community__street",
        "community": "estate__community",
    }
    # Community workers read projects; the street office and the district run them.
    scope_writers = frozenset({"district_official", "street_staff"})

    class Meta:
        verbose_name = _("改造项目")
        verbose_name_plural = _("改造项目")
        ordering = ["-year", "street_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["annual_plan", "estate"],
                name="renovation_one_project_per_estate_per_plan",
                violation_error_message=_("该小区在本年度计划中已有改造项目（一小区一方案）。"),
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="renovation_planned_end_after_start",
                violation_error_message=_("计划完工日期不能早于计划开工日期。"),
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | (Q(actual_start__isnull=False) & Q(actual_end__gte=models.F("actual_start"))),
                name="renovation_actual_end_after_start",
                violation_error_message=_("实际完工日期须在实际开工日期之后。"),
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="renovation_progress_percent",
                violation_error_message=_("进度不能超过100%。"),
            ),
            models.CheckConstraint(
                condition=Q(consent_share__isnull=True) | (Q(consent_share__gte=0) & Q(consent_share__lte=100)),
                name="renovation_consent_share_percent",
                violation_error_message=_("同意比例应在0到100之间。"),
            ),
            models.CheckConstraint(
                condition=Q(notice_to__isnull=True)
                | Q(notice_from__isnull=True)
                | Q(notice_to__gte=models.F("notice_from")),
                name="renovation_notice_dates_ordered",
                violation_error_message=_("公示结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(cutoff_override_by__isnull=True) | ~Q(cutoff_override_reason=""),
                name="renovation_cutoff_override_has_reason",
                violation_error_message=_("年代例外须写明理由。"),
            ),
            models.CheckConstraint(
                condition=Q(stage__in=STAGE_ORDER),
                name="renovation_stage_valid",
                violation_error_message=_("阶段无效。"),
            ),
        ]
        indexes = [
            models.Index(fields=["year", "street"], name="renovation_year_street_idx"),
            # The lists' default order, so a page of a national list is read from the index.
            models.Index(fields=["-year", "street", "name", "id"], name="renovation_list_order_idx"),
            models.Index(fields=["stage", "planned_end"], name="renovation_stage_due_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def stage_index(self):
        return STAGE_ORDER.index(self.stage)


class StageMove(models.Model):
    """阶段变更记录: who moved the project from which stage to which, when.
    A move to construction keeps the gates as they were shown then."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="moves", verbose_name=_("项目"))
    from_stage = models.CharField(_("原阶段"), max_length=14, choices=Stage.choices)
    to_stage = models.CharField(_("新阶段"), max_length=14, choices=Stage.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    gates = models.JSONField(_("开工条件快照"), default=list, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    moved_at = models.DateTimeField(_("时间"), default=timezone.now)

    scope_paths = {key: f"project__{path}" for key, path in Project.scope_paths.items()}

    class Meta:
        verbose_name = _("阶段变更记录")
        verbose_name_plural = _("阶段变更记录")
        ordering = ["project_id", "moved_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_stage=models.F("to_stage")),
                name="renovation_move_changes_stage",
                violation_error_message=_("新阶段与原阶段相同。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display()}"


class Gate(models.TextChoices):
    ILLEGAL_STRUCTURES = "illegal_structures", _("违建拆除到位")
    LONG_TERM_MANAGEMENT = "long_term_management", _("长效管理落实")
    STREET_CONSENT = "street_consent", _("所在街道同意")
    RESIDENTS_CONSENT = "residents_consent", _("居民同意")
    MAINTENANCE_FUND = "maintenance_fund", _("维修资金归集或筹集方案")


class GateOverride(models.Model):
    """开工条件例外: a district official lets construction start with one gate
    open, for a written reason. Kept for good (no edit, no delete)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("项目"))
    gate = models.CharField(_("开工条件"), max_length=24, choices=Gate.choices)
    reason = models.TextField(_("理由"))
    evidence = models.TextField(_("当时的情况"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("批准人")
    )
    approved_at = models.DateTimeField(_("批准时间"), default=timezone.now)

    scope_paths = StageMove.scope_paths
    scope_writers = DISTRICT_WRITERS

    class Meta:
        verbose_name = _("开工条件例外")
        verbose_name_plural = _("开工条件例外")
        ordering = ["project_id", "gate"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "gate"],
                name="renovation_one_override_per_gate",
                violation_error_message=_("该开工条件已批准例外。"),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="renovation_override_has_reason",
                violation_error_message=_("须写明理由。"),
            ),
        ]

    def __str__(self):
        return self.get_gate_display()


class StreetConsent(models.Model):
    """街道意见: the street office's consent to the project, who gave it and when."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="street_consent", verbose_name=_("项目")
    )
    consented_by = models.CharField(_("同意人（街道）"), max_length=50, help_text=_("街道办事处签署意见的负责人。"))
    consented_on = models.DateField(_("同意日期"))
    document = models.CharField(_("文号或说明"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope_paths = StageMove.scope_paths
    scope_writers = Project.scope_writers

    class Meta:
        verbose_name = _("街道意见")
        verbose_name_plural = _("街道意见")

    def __str__(self):
        return f"{self.consented_by} {self.consented_on}"


class FundArrangement(models.Model):
    """维修资金筹集方案: where the ledger says the fund is not collected, the
    arrangement the project relies on (e.g. owners agree to raise it on completion)."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="fund_arrangement", verbose_name=_("项目")
    )
    description = models.TextField(_("筹集方案"))
    arranged_on = models.DateField(_("确定日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope_paths = StageMove.scope_paths
    scope_writers = Project.scope_writers

    class Meta:
        verbose_name = _("维修资金筹集方案")
        verbose_name_plural = _("维修资金筹集方案")
        constraints = [
            models.CheckConstraint(
                condition=~Q(description=""),
                name="renovation_fund_arrangement_described",
                violation_error_message=_("须写明筹集方案。"),
            ),
        ]

    def __str__(self):
        return self.description[:30]


class WorkItem(models.Model):
    """改造内容: one catalogue item in one project, with its quantity and money."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="work_items", verbose_name=_("项目"))
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("改造内容"))
    quantity = models.DecimalField(
        _("工程量"), max_digits=12, decimal_places=2, default=Decimal("0"), validators=NOT_NEGATIVE
    )
    budget = models.DecimalField(_("预算（元）"), default=Decimal("0"), validators=NOT_NEGATIVE, **MONEY)
    actual_cost = models.DecimalField(_("实际支出（元）"), default=Decimal("0"), validators=NOT_NEGATIVE, **MONEY)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    scope_paths = StageMove.scope_paths
    scope_writers = Project.scope_writers

    class Meta:
        verbose_name = _("改造内容")
        verbose_name_plural = _("改造内容")
        ordering = ["project_id", "item__category", "item__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "item"],
                name="renovation_work_item_once_per_project",
                violation_error_message=_("本项目已有该改造内容，请修改原有一行。"),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0) & Q(budget__gte=0) & Q(actual_cost__gte=0),
                name="renovation_work_item_not_negative",
                violation_error_message=_("工程量和金额不能为负数。"),
            ),
        ]

    def __str__(self):
        return str(self.item)


class FundingSource(models.TextChoices):
    CENTRAL = "central", _("中央补助")
    PROVINCIAL = "provincial", _("省级补助")
    CITY_COUNTY = "city_county", _("市县财政")
    RESIDENTS = "residents", _("居民出资")
    UTILITIES = "utilities", _("专业经营单位")
    PRIVATE = "private", _("社会资本")
    LOANS = "loans", _("金融信贷")
    MAINTENANCE_FUND = "maintenance_fund", _("维修资金")
    PROVIDENT_FUND = "provident_fund", _("住房公积金")
    RIGHTS_UNITS = "rights_units", _("产权单位")
    DONATIONS = "donations", _("企业捐助")


class FundingLine(models.Model):
    """资金来源: money from one source for a project, planned and received.
    Central subsidy names the work item it pays for (the no-twice rule)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding", verbose_name=_("项目"))
    source = models.CharField(_("资金来源"), max_length=16, choices=FundingSource.choices)
    work_item = models.ForeignKey(
        WorkItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding",
        verbose_name=_("对应改造内容"),
        help_text=_("中央补助须注明用于哪项改造内容。"),
    )
    planned = models.DecimalField(_("计划金额（元）"), default=Decimal("0"), validators=NOT_NEGATIVE, **MONEY)
    received = models.DecimalField(_("到位金额（元）"), default=Decimal("0"), validators=NOT_NEGATIVE, **MONEY)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    scope_paths = StageMove.scope_paths
    scope_writers = Project.scope_writers

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        ordering = ["project_id", "source", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned__gte=0) & Q(received__gte=0),
                name="renovation_funding_not_negative",
                violation_error_message=_("金额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=~Q(source="central") | Q(work_item__isnull=False),
                name="renovation_central_subsidy_names_item",
                violation_error_message=_("中央补助须注明用于哪项改造内容。"),
            ),
        ]
        indexes = [models.Index(fields=["source", "work_item"], name="renovation_funding_src_idx")]

    def __str__(self):
        return self.get_source_display()


class ConsultationMeeting(models.Model):
    """征求意见: a meeting, survey or door-to-door round and what came of it."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("居民议事会")
        SURVEY = "survey", _("问卷调查")
        DOOR_TO_DOOR = "door", _("入户征求意见")
        HEARING = "hearing", _("听证会")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="consultations", verbose_name=_("项目"))
    kind = models.CharField(_("形式"), max_length=10, choices=Kind.choices, default=Kind.MEETING)
    held_on = models.DateField(_("日期"))
    attendees = models.PositiveIntegerField(_("参加人数"), default=0)
    opinions = models.PositiveIntegerField(_("收集意见（条）"), default=0)
    summary = models.TextField(_("意见摘要"), blank=True)
    response = models.TextField(_("答复及采纳情况"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )

    scope_paths = StageMove.scope_paths
    scope_writers = Project.scope_writers

    class Meta:
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["project_id", "held_on", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on}"


class ProgressReport(models.Model):
    """进度报告: the works' progress on a date, with photos."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="progress_reports", verbose_name=_("项目")
    )
    reported_on = models.DateField(_("报告日期"))
    percent = models.PositiveSmallIntegerField(_("形象进度（%）"), validators=[MaxValueValidator(100)])
    note = models.TextField(_("进展说明"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("报告人")
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope_paths = StageMove.scope_paths
    scope_writers = Project.scope_writers

    class Meta:
        verbose_name = _("进度报告")
        verbose_name_plural = _("进度报告")
        ordering = ["project_id", "-reported_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__lte=100),
                name="renovation_report_percent",
                violation_error_message=_("进度不能超过100%。"),
            ),
        ]

    def __str__(self):
        return f"{self.reported_on} {self.percent}%"


def photo_path(instance, filename):
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:10]
    return f"renovation/{instance.report.project_id}/{uuid.uuid4().hex}{suffix}"


class ProgressPhoto(models.Model):
    """现场照片: re-encoded on upload (metadata such as GPS dropped, size capped)."""

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="photos", verbose_name=_("进度报告")
    )
    file = models.FileField(_("照片"), upload_to=photo_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))

    scope_paths = {key: f"report__{path}" for key, path in StageMove.scope_paths.items()}

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["report_id", "id"]

    def __str__(self):
        return self.original_name


class ScheduleReminder(models.Model):
    """进度提醒: one reminder to the responsible street office per project per
    week (the week's Monday); the unique key makes the weekly task idempotent."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("项目"))
    week = models.DateField(_("周（周一）"))
    street = models.ForeignKey(StreetOffice, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任街道"))
    message = models.CharField(_("提醒内容"), max_length=300)
    created_at = models.DateTimeField(_("提醒时间"), default=timezone.now)

    scope_paths = StageMove.scope_paths
    scope_writers = Project.scope_writers

    class Meta:
        verbose_name = _("进度提醒")
        verbose_name_plural = _("进度提醒")
        ordering = ["-week", "project_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "week"], name="renovation_one_reminder_per_week"),
            models.CheckConstraint(condition=Q(week__week_day=2), name="renovation_reminder_week_is_monday"),
        ]

    def __str__(self):
        return self.message
