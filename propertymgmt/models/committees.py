"""Owners' committees (业委会, or the 自管会 / 小区管委会 standing in for one): their
lifecycle, timetable, building heads where there is none yet, and the reminders
and notices the timetable sends.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.validators import validate_contact_phone

from ..choices import CommitteeKind, CommitteeStage, StepKind
from ._scoping import ESTATE_SCOPE


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
    # An episode's key (e.g. payees missing in one disbursement period of a street):
    # a second run finds it and writes no second notice.
    key = models.CharField(max_length=80, blank=True, default="")

    scope_paths = {"district": "street__district", "street": "street", "community": "estate__community"}

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="notice_once_per_key")]

    def __str__(self):
        return self.text
